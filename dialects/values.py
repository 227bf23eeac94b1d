"""Small questions about SSA values: who made it, is it a constant, is it still used."""
from __future__ import annotations

import numpy as np

from ..frontend import dtypes
from .primitive import AVal


def producer(value):
    """The operation defining `value`, or None for a block argument."""
    from mlir import ir

    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    return owner.operation


def defined_within(value, op) -> bool:
    """Whether `value` is defined by `op` or inside it (a block argument of one of its
    regions, or the result of an op nested in them)."""
    from mlir import ir

    owner = value.owner
    current = owner.owner if isinstance(owner, ir.Block) else owner.operation
    target = op.operation
    while current is not None and current.name != "builtin.module":
        if current.operation == target:
            return True
        current = current.parent
    return False


def constant_array(value, limit: int | None = None) -> np.ndarray | None:
    """The value of an `arith.constant` tensor as a NumPy array, or None.

    `limit` skips (returns None for) non-splat constants with more elements than that.
    """
    from mlir import ir

    op = producer(value)
    if op is None or op.name != "arith.constant" or not isinstance(op.attributes["value"], ir.DenseElementsAttr):
        return None
    attr = ir.DenseElementsAttr(op.attributes["value"])
    aval = AVal.of_type(value.type)
    if attr.is_splat:
        return np.full(aval.shape, _scalar(attr.get_splat_value(), aval.dtype), dtype=aval.dtype.numpy)
    if limit is not None and aval.size > limit:
        return None
    return np.array(attr, dtype=aval.dtype.numpy).reshape(aval.shape)


def splat_value(value):
    """The single repeated Python number of a splat (or 1-element) constant, or None."""
    array = constant_array(value, limit=1)
    if array is None or array.size == 0:
        return None
    first = array.flat[0]
    return first.item() if np.all(array == first) else None


def scalar_constant(value):
    """The Python number of a scalar (integer, index or float) `arith.constant`, or None."""
    from mlir import ir

    op = producer(value)
    if op is None or op.name != "arith.constant":
        return None
    attr = op.attributes["value"]
    if isinstance(attr, ir.IntegerAttr):
        return ir.IntegerAttr(attr).value
    if isinstance(attr, ir.FloatAttr):
        return ir.FloatAttr(attr).value
    return None


def _scalar(attr, dtype):
    from mlir import ir

    if dtype.is_float:
        return ir.FloatAttr(attr).value
    if dtype.is_bool:
        return bool(ir.IntegerAttr(attr).value)
    return ir.IntegerAttr(attr).value


def has_uses(op) -> bool:
    return any(True for r in op.results for _ in r.uses)


def make_constant(array: np.ndarray, loc=None, ip=None):
    """An `arith.constant` holding `array` (dense attribute); returns its result."""
    from mlir import ir
    from mlir.dialects import arith

    aval = AVal(array.shape, dtypes.as_dtype(array.dtype))
    # NOTE: a bool array must not be given `type=` (i1): the bindings then reject its buffer.
    type_ = None if aval.dtype.is_bool else aval.mlir_type()
    attr = ir.DenseElementsAttr.get(np.asarray(array, order="C"), type=type_)
    return arith.ConstantOp(aval.mlir_type(), attr, loc=loc, ip=ip).result
