"""ember's element types and the rules that turn Python and NumPy values into them.

Example:
    >>> import ember as em
    >>> em.float32.name, em.float32.numpy
    ('float32', dtype('float32'))
"""
from __future__ import annotations

import numpy as np

from .errors import DTypeError


class DType:
    """An element type: its name, its NumPy dtype and its MLIR spelling."""

    __slots__ = ("name", "numpy", "mlir", "is_float", "is_int", "is_bool")

    def __init__(self, name: str, numpy_dtype, mlir_name: str, kind: str):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.mlir = mlir_name
        self.is_float = kind == "f"
        self.is_int = kind == "i"
        self.is_bool = kind == "b"

    @property
    def bits(self) -> int:
        return 1 if self.is_bool else self.numpy.itemsize * 8

    def mlir_type(self):
        """The MLIR element type, in the current context."""
        from mlir import ir

        return ir.Type.parse(self.mlir)

    def __repr__(self) -> str:
        return f"em.{self.name}"

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16, "f16", "f")
float32 = DType("float32", np.float32, "f32", "f")
float64 = DType("float64", np.float64, "f64", "f")
int32 = DType("int32", np.int32, "i32", "i")
int64 = DType("int64", np.int64, "i64", "i")
bool_ = DType("bool", np.bool_, "i1", "b")

ALL = (float16, float32, float64, int32, int64, bool_)
_BY_NAME = {d.name: d for d in ALL}
_BY_NUMPY = {d.numpy: d for d in ALL}
_BY_MLIR = {d.mlir: d for d in ALL}


def supported_names() -> str:
    return ", ".join(d.name for d in ALL)


def as_dtype(value) -> DType:
    """Accepts a DType, its name, a NumPy dtype or a NumPy scalar type."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if value is bool:
        return bool_
    if value is float:
        return float32
    if value is int:
        return int32
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None and np_dtype in _BY_NUMPY:
        return _BY_NUMPY[np_dtype]
    raise DTypeError(f"unsupported dtype {value!r}; expected one of: {supported_names()}")


def from_mlir(type_) -> DType:
    """The ember dtype of an MLIR element type (e.g. `f32`, `i1`)."""
    name = str(type_)
    if name not in _BY_MLIR:
        raise DTypeError(f"unsupported MLIR element type {name}; expected one of: "
                         + ", ".join(_BY_MLIR))
    return _BY_MLIR[name]


def to_numpy(value, dtype: DType | None = None) -> np.ndarray:
    """Converts a Python or NumPy value to an array with ember's default dtypes.

    As in TensorFlow, Python floats (and lists of them) become float32, Python ints
    int32, and NumPy arrays keep their dtype.
    """
    if dtype is not None:
        arr = np.asarray(value)
        if arr.dtype != dtype.numpy:
            if arr.dtype.kind == "f" and not dtype.is_float:
                raise DTypeError(f"cannot convert the float value {_short(value)} to {dtype.name}")
            if arr.dtype.kind in "iu" and dtype.is_int and arr.size:
                info = np.iinfo(dtype.numpy)
                if arr.max() > info.max or arr.min() < info.min:
                    raise DTypeError(f"the integer value {_short(value)} does not fit in {dtype.name}")
            arr = arr.astype(dtype.numpy)
        return arr
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype not in _BY_NUMPY:
            raise DTypeError(f"unsupported NumPy dtype {arr.dtype}; expected one of: {supported_names()}")
        return arr
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in "iu":
        if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min):
            return arr.astype(np.int64)
        return arr.astype(np.int32)
    if kind == "b":
        return arr
    raise DTypeError(f"cannot convert {_short(value)} (a {type(value).__name__}) to a tensor; "
                     f"expected numbers, bools, nested lists of them or a NumPy array")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."
