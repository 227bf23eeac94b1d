"""Index-valued and index-driven primitives: iota, gather and its gradient scatter_add.

Indices follow NumPy for every index NumPy accepts (-n <= i < n; negatives count from the
end) and are clamped into [0, n - 1] otherwise, as XLA does: an out-of-range index never
reads or writes outside the tensor, and never raises (the compiled code cannot).
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import DTypeError, ShapeError
from ..primitive import INT, INTS, STRUCTURED, TYPE, AVal, Primitive
from .elementwise import NUMERIC, _check


def _contiguous(x):
    return np.asarray(x, order="C")


# -- iota ------------------------------------------------------------------------------------
def _iota_shape(shape, axis, dtype) -> AVal:
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ShapeError(f"dims must be >= 0, received shape {shape}")
    if not 0 <= axis < len(shape):
        raise ShapeError(f"axis {axis} is out of range for shape {shape}")
    if dtype.is_bool:
        raise DTypeError("expected a numeric dtype, received bool")
    return AVal(shape, dtype)


def _iota_eager(shape, axis, dtype):
    along = np.arange(shape[axis], dtype=dtype.numpy).reshape(
        tuple(d if i == axis else 1 for i, d in enumerate(shape)))
    return _contiguous(np.broadcast_to(along, shape))


iota = Primitive(
    "iota", kind=STRUCTURED, operands=(), attrs={"shape": INTS, "axis": INT, "dtype": TYPE},
    doc="a tensor of `shape` holding 0, 1, ..., n - 1 along `axis` (the same along the others)",
    shape=_iota_shape, eager=_iota_eager)


@iota.lower
def _(lw, op, operands):
    from mlir import ir
    from mlir.dialects import arith

    out, axis = op.out_aval, op.attrs["axis"]

    def body(b, _):
        i64 = arith.index_cast(ir.IntegerType.get_signless(64), lw.index(axis))
        return b.cast(i64, out.dtype)

    return lw.generic([], [], lw.empty(out), lw.dims_map(out.rank, range(out.rank)),
                      ["parallel"] * out.rank, body)


iota.vjp(lambda g, out, shape, axis, dtype: ())


# -- gather ----------------------------------------------------------------------------------
def _check_indices(indices: AVal) -> None:
    if indices.dtype.name not in ("int32", "int64"):
        raise DTypeError(f"indices must be int32 or int64, received {indices.dtype.name}")


def _gathered_shape(params_shape, indices: AVal, axis) -> tuple[int, ...]:
    if not 0 <= axis < len(params_shape):
        raise ShapeError(f"axis {axis} is out of range for params of shape {tuple(params_shape)}")
    if params_shape[axis] == 0 and indices.size:
        raise ShapeError(f"cannot take indices from dim {axis} of shape {tuple(params_shape)}: "
                         f"it is empty")
    return tuple(params_shape[:axis]) + indices.shape + tuple(params_shape[axis + 1:])


def _gather_shape(params: AVal, indices: AVal, axis) -> AVal:
    _check(NUMERIC, params)
    _check_indices(indices)
    return AVal(_gathered_shape(params.shape, indices, axis), params.dtype)


def normalize_indices(indices, size: int):
    """NumPy's negative indices, then clamped into [0, size - 1] (XLA's rule)."""
    indices = np.where(indices < 0, indices + size, indices)
    return np.clip(indices, 0, max(size - 1, 0))


def _gather_eager(params, indices, axis):
    return _contiguous(np.take(params, normalize_indices(indices, params.shape[axis]), axis=axis))


gather = Primitive(
    "gather", kind=STRUCTURED, operands=("params", "indices"), attrs={"axis": INT},
    doc="np.take(params, indices, axis): out-of-range indices are clamped (negative ones "
        "count from the end, as NumPy)",
    shape=_gather_shape, eager=_gather_eager)


def _clamped_index(lw, value, size: int):
    """An index-typed value of an i32/i64 index, normalised as normalize_indices does."""
    from mlir import ir
    from mlir.dialects import arith

    i = arith.index_cast(ir.IndexType.get(), value)
    zero, n = lw.index_const(0), lw.index_const(size)
    negative = arith.cmpi(arith.CmpIPredicate.slt, i, zero)
    i = arith.select(negative, arith.addi(i, n), i)
    return arith.maxsi(arith.minsi(i, lw.index_const(max(size - 1, 0))), zero)


@gather.lower
def _(lw, op, operands):
    from mlir.dialects import tensor

    params, indices = operands
    pa, ia = op.in_avals
    out, axis = op.out_aval, op.attrs["axis"]
    index_map = lw.dims_map(out.rank, range(axis, axis + ia.rank))

    def body(b, index, _):
        at = [lw.index(d) for d in range(axis)] + [_clamped_index(lw, index, pa.shape[axis])]
        at += [lw.index(d) for d in range(axis + ia.rank, out.rank)]
        return tensor.extract(params, at)

    return lw.generic([indices], [index_map], lw.empty(out), lw.dims_map(out.rank, range(out.rank)),
                      ["parallel"] * out.rank, body)


@gather.vjp
def _(g, out, params, indices, axis):
    if not params.dtype.is_float:
        return (None, None)
    return (scatter_add.bind(g, indices, shape=params.shape, axis=axis), None)


# -- scatter_add -----------------------------------------------------------------------------
def _scatter_add_shape(updates: AVal, indices: AVal, shape, axis) -> AVal:
    _check(NUMERIC, updates)
    _check_indices(indices)
    shape = tuple(int(d) for d in shape)
    expected = _gathered_shape(shape, indices, axis)
    if updates.shape != expected:
        raise ShapeError(f"updates of shape {updates.shape} do not fit indices of shape "
                         f"{indices.shape} into shape {shape} along axis {axis} (expected "
                         f"updates of shape {expected})")
    return AVal(shape, updates.dtype)


def _scatter_add_eager(updates, indices, shape, axis):
    out = np.zeros(shape, updates.dtype)
    at = (slice(None),) * axis + (normalize_indices(indices, shape[axis]),)
    np.add.at(out, at, updates)
    return out


scatter_add = Primitive(
    "scatter_add", kind=STRUCTURED, operands=("updates", "indices"), attrs={"shape": INTS, "axis": INT},
    doc="zeros of `shape` with updates added at `indices` along `axis` (np.add.at; repeated "
        "indices accumulate; indices clamped as in gather)",
    shape=_scatter_add_shape, eager=_scatter_add_eager)


@scatter_add.lower
def _(lw, op, operands):
    # NOTE: a serial scf.for nest over the updates, in row-major order as np.add.at, so
    # repeated indices add up in the same order (float sums match the eager kernel).
    from mlir.dialects import arith, tensor

    updates, indices = operands
    ua, ia = op.in_avals
    out, axis = op.out_aval, op.attrs["axis"]
    add = arith.addf if out.dtype.is_float else arith.addi

    def body(at, acc):
        index = tensor.extract(indices, at[axis:axis + ia.rank])
        target = at[:axis] + [_clamped_index(lw, index, out.shape[axis])] + at[axis + ia.rank:]
        total = add(tensor.extract(acc, target), tensor.extract(updates, at))
        return tensor.insert(total, acc, target)

    return lw.loop_nest(ua.shape, lw.filled(out, 0), body)


@scatter_add.vjp
def _(g, out, updates, indices, shape, axis):
    if not updates.dtype.is_float:
        return (None, None)
    return (gather.bind(g, indices, axis=axis), None)
