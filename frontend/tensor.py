"""`em.Tensor`: eager tensors (NumPy-backed) and symbolic tensors (inside a trace).

Both share the operators; each operator is one of the public functions in `api.py`, which
bind primitives, so the same Python code runs eagerly or is traced into MLIR.

Example:
    >>> import ember as em
    >>> x = em.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> (x @ x + 1.0).numpy()
    array([[ 8., 11.],
           [16., 23.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .errors import TracingError, at_user_line


class Tensor:
    """A multi-dimensional array with a static shape and a dtype."""

    __array_priority__ = 100  # NumPy defers `ndarray + Tensor` to Tensor.__radd__
    __hash__ = None  # `==` is elementwise, as in TensorFlow

    @property
    def shape(self) -> tuple[int, ...]:
        return self.aval.shape

    @property
    def dtype(self) -> dtypes.DType:
        return self.aval.dtype

    @property
    def ndim(self) -> int:
        return len(self.aval.shape)

    @property
    def size(self) -> int:
        return self.aval.size

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # -- operators ---------------------------------------------------------------------------
    def __add__(self, other): return _api().add(self, other)
    def __radd__(self, other): return _api().add(other, self)
    def __sub__(self, other): return _api().subtract(self, other)
    def __rsub__(self, other): return _api().subtract(other, self)
    def __mul__(self, other): return _api().multiply(self, other)
    def __rmul__(self, other): return _api().multiply(other, self)
    def __truediv__(self, other): return _api().divide(self, other)
    def __rtruediv__(self, other): return _api().divide(other, self)
    def __floordiv__(self, other): return _api().floordiv(self, other)
    def __rfloordiv__(self, other): return _api().floordiv(other, self)
    def __mod__(self, other): return _api().mod(self, other)
    def __rmod__(self, other): return _api().mod(other, self)
    def __pow__(self, other): return _api().pow(self, other)
    def __rpow__(self, other): return _api().pow(other, self)
    def __matmul__(self, other): return _api().matmul(self, other)
    def __rmatmul__(self, other): return _api().matmul(other, self)
    def __neg__(self): return _api().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _api().abs(self)
    def __lt__(self, other): return _api().less(self, other)
    def __le__(self, other): return _api().less_equal(self, other)
    def __gt__(self, other): return _api().greater(self, other)
    def __ge__(self, other): return _api().greater_equal(self, other)
    def __eq__(self, other): return _api().equal(self, other)
    def __ne__(self, other): return _api().not_equal(self, other)
    def __and__(self, other): return _api().logical_and(self, other)
    def __rand__(self, other): return _api().logical_and(other, self)
    def __or__(self, other): return _api().logical_or(self, other)
    def __ror__(self, other): return _api().logical_or(other, self)
    def __invert__(self): return _api().logical_not(self)
    def __getitem__(self, index): return _api().getitem(self, index)

    @property
    def T(self):
        return _api().transpose(self)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _api().reshape(self, shape)

    def astype(self, dtype):
        return _api().cast(self, dtype)


def _api():
    from . import api

    return api


class EagerTensor(Tensor):
    """A tensor holding its value (a read-only NumPy array)."""

    __slots__ = ("_value", "aval")

    def __init__(self, value: np.ndarray):
        """Takes ownership of `value` (callers copy arrays the user still holds)."""
        from ..dialects.primitive import AVal

        value = np.asarray(value)
        value.flags.writeable = False
        self._value = value
        self.aval = AVal(value.shape, dtypes.as_dtype(value.dtype))

    def numpy(self) -> np.ndarray:
        """The value as a read-only NumPy array (no copy)."""
        return self._value

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        return int(self._value.__index__())

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        body = np.array2string(self._value, separator=", ")
        return f"<em.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy=\n{body}>"

    def __reduce__(self):
        return (EagerTensor, (np.array(self._value),))


class TracedTensor(Tensor):
    """A symbolic tensor: an SSA value of the function being traced."""

    __slots__ = ("trace", "value", "aval")

    def __init__(self, trace, value, aval):
        self.trace, self.value, self.aval = trace, value, aval

    def _refuse(self, what: str):
        raise TracingError(at_user_line(
            f"{what} needs a concrete value, but this tensor ({self.aval}) is symbolic inside "
            f"the traced function '{self.trace.name}'; use em ops (e.g. em.where) instead of "
            f"Python control flow on tensors, or return the tensor"))

    def numpy(self):
        self._refuse(".numpy()")

    def __array__(self, dtype=None, copy=None):
        self._refuse("conversion to a NumPy array")

    def __bool__(self):
        self._refuse("bool() (e.g. an `if` on a tensor)")

    def __float__(self):
        self._refuse("float()")

    def __int__(self):
        self._refuse("int()")

    def __index__(self):
        self._refuse("use as an index")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (f"<em.Tensor (symbolic) shape={self.shape}, dtype={self.dtype.name}, "
                f"in the trace of '{self.trace.name}'>")
