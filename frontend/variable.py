"""`em.Variable`: mutable state (weights, optimizer slots, metric totals).

A Variable is a Tensor whose value can be replaced with `assign`, `assign_add` and
`assign_sub`. Eagerly, an assignment rebinds the variable to a new array (tensors read
earlier keep their values). Inside `@em.function`, reads become inputs of the compiled
function and assignments become its outputs; after each call the variable takes the
output buffer the compiled code wrote (no copy), so a compiled training step updates its
weights without Python-side copies.

Example:
    >>> import ember as em
    >>> v = em.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
"""
from __future__ import annotations

import itertools

import numpy as np

from . import dtypes
from .dispatch import current_trace, tape_stack
from .errors import DTypeError, ShapeError, TracingError, at_user_line
from .tensor import EagerTensor, Tensor, TracedTensor

_ids = itertools.count()


class Variable(Tensor):
    """A named, mutable tensor; `trainable` variables are watched by GradientTape."""

    __hash__ = object.__hash__  # NOTE: usable as a dict key (optimizer slots), by identity

    def __init__(self, initial_value, trainable: bool = True, name: str | None = None, dtype=None):
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor):
            if not isinstance(initial_value, EagerTensor) and not isinstance(initial_value, Variable):
                raise ShapeError(at_user_line(
                    "Variable: the initial value must be concrete; create variables outside "
                    "@em.function (as in TensorFlow, on the first call at most)"))
            initial_value = initial_value.numpy()
        from ..dialects.primitive import AVal

        array = dtypes.to_numpy(initial_value, None if dtype is None else dtypes.as_dtype(dtype))
        self._value = _frozen(np.array(array, copy=True))
        # NOTE: made once: an assignment keeps the shape and dtype (`_set` checks). Made per
        # read, shape and dtype cost 4 us each: a Keras train_on_batch reads them resetting
        # its metrics.
        self._aval = AVal(self._value.shape, dtypes.as_dtype(self._value.dtype))
        self.trainable = bool(trainable)
        self.name = name or f"Variable_{next(_ids)}"

    @property
    def aval(self):
        return self._aval

    # -- reading -----------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The current value (read-only; a later assignment does not change it)."""
        self._refuse_in_trace(".numpy()")
        return self._value

    def _refuse_in_trace(self, what: str) -> None:
        # NOTE: a concrete value read while tracing would be baked into the compiled
        # function and go stale when the variable changes (e.g. a learning rate).
        trace = current_trace()
        if trace is not None:
            raise TracingError(at_user_line(
                f"{what} of Variable '{self.name}' inside the traced function '{trace.name}' "
                f"would freeze its current value into the compiled code; use the variable "
                f"as a tensor (or v.value()) instead"))

    def value(self) -> Tensor:
        """The current value as a tensor (symbolic inside a trace). Gradient tapes record the
        read, so gradients reach the variable through it."""
        trace = current_trace()
        if trace is None:
            out = EagerTensor(self._value)
        else:
            # NOTE: a new tensor even after an assignment in this trace (whose value it shares):
            # as eagerly, the gradient of a read reaches the variable, not the assigned value.
            read = trace.read(self)
            out = TracedTensor(trace, read.value, read.aval)
        for tape in tape_stack():
            tape.record_read(self, out)
        return out

    read_value = value

    def __array__(self, dtype=None, copy=None):
        self._refuse_in_trace("conversion to a NumPy array")
        return self._value if dtype is None else self._value.astype(dtype)

    def __float__(self) -> float:
        self._refuse_in_trace("float()")
        return float(self._value)

    def __int__(self) -> int:
        self._refuse_in_trace("int()")
        return int(self._value)

    def __bool__(self) -> bool:
        self._refuse_in_trace("bool()")
        return bool(self._value)

    # -- writing -----------------------------------------------------------------------------
    def assign(self, value) -> "Variable":
        """Replaces the value; the new value must have the variable's shape and dtype."""
        trace = current_trace()
        if trace is not None:
            trace.assign(self, value)
            return self
        if isinstance(value, Tensor):
            array = value.numpy()  # immutable already: shared, not copied
        else:
            try:
                array = np.array(dtypes.to_numpy(value, self.dtype), copy=True)
            except DTypeError as err:
                raise DTypeError(at_user_line(f"Variable '{self.name}': {err}")) from None
        self._set(array)
        return self

    def assign_add(self, delta) -> "Variable":
        return self.assign(self.value() + delta)

    def assign_sub(self, delta) -> "Variable":
        return self.assign(self.value() - delta)

    def _set(self, array: np.ndarray) -> None:
        """Takes `array` (owned, from ember) as the new value, checking shape and dtype."""
        if array.shape != self._value.shape or array.dtype != self._value.dtype:
            raise ShapeError(at_user_line(
                f"Variable '{self.name}': cannot assign a value of shape {array.shape} and dtype "
                f"{array.dtype} to a variable of shape {self._value.shape} and dtype {self._value.dtype}"))
        self._value = _frozen(array)

    def __repr__(self) -> str:
        body = np.array2string(self._value, separator=", ")
        return (f"<em.Variable '{self.name}' shape={self.shape}, dtype={self.dtype.name}, "
                f"numpy=\n{body}>")


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)   # NOTE: half the cost of `flags.writeable = False`
    return array
