"""Primitives that are neither elementwise nor reductions: matmul and the shape ops.

Each gives an explicit lowering rule `lower(lw, op, operands) -> Value`, where `lw` is the
linalg lowering helper (`passes/ember_to_linalg.py`: tensor.empty, fills, generics and maps).
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import ShapeError
from ..primitive import INT, INTS, STRUCTURED, AVal, OpView, Primitive, broadcast_shapes, create
from ..values import producer
from .elementwise import ANY, NUMERIC, _check


def _contiguous(x):
    """A C-contiguous array with x's shape (np.ascontiguousarray would make 0-d arrays 1-d)."""
    return np.asarray(x, order="C")


# -- matmul --------------------------------------------------------------------------------
def _matmul_shape(x: AVal, y: AVal) -> AVal:
    _check(NUMERIC, x, y)
    if x.rank < 2 or y.rank < 2:
        raise ShapeError(f"operands must have rank >= 2, received shapes {x.shape} and {y.shape}")
    if x.shape[-1] != y.shape[-2]:
        raise ShapeError(f"contraction dimensions differ: shapes {x.shape} and {y.shape} "
                         f"({x.shape[-1]} != {y.shape[-2]})")
    try:
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2])
    except ShapeError:
        raise ShapeError(f"batch dimensions of shapes {x.shape} and {y.shape} cannot be broadcast") from None
    return AVal(batch + (x.shape[-2], y.shape[-1]), x.dtype)


matmul = Primitive(
    "matmul", kind=STRUCTURED, operands=("x", "y"), shape=_matmul_shape,
    doc="matrix product over the last two dims; leading (batch) dims broadcast",
    eager=lambda x, y: np.matmul(x, y))


@matmul.lower
def _(lw, op, operands):
    x, y = operands
    xa, ya = op.in_avals
    out = op.out_aval
    init = lw.filled(out, 0)
    if xa.rank == 2 and ya.rank == 2:
        return lw.matmul_2d(x, y, init)
    nb = out.rank - 2  # domain: (batch..., m, n, k)
    dom = out.shape + (xa.shape[-1],)
    m, n, k = nb, nb + 1, nb + 2
    x_map = lw.batch_map(xa.shape[:-2], out.shape[:-2], len(dom), (m, k))
    y_map = lw.batch_map(ya.shape[:-2], out.shape[:-2], len(dom), (k, n))
    out_map = lw.dims_map(len(dom), tuple(range(nb)) + (m, n))
    iters = ["parallel"] * (nb + 2) + ["reduction"]
    return lw.generic([x, y], [x_map, y_map], init, out_map, iters,
                      lambda b, xv, yv, acc: b.add(acc, b.mul(xv, yv)))


# -- reshape -------------------------------------------------------------------------------
def _reshape_shape(x: AVal, shape) -> AVal:
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape) or int(np.prod(shape, dtype=np.int64)) != x.size:
        raise ShapeError(f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                         f"into shape {shape}")
    return AVal(shape, x.dtype)


reshape = Primitive(
    "reshape", kind=STRUCTURED, operands=("x",), attrs={"shape": INTS},
    doc="the same elements in row-major order, with shape `shape`",
    shape=_reshape_shape, eager=lambda x, shape: np.reshape(x, shape))


@reshape.lower
def _(lw, op, operands):
    return lw.reshape(operands[0], op.in_avals[0], op.out_aval)


# -- transpose -----------------------------------------------------------------------------
def _transpose_shape(x: AVal, perm) -> AVal:
    perm = tuple(perm)
    if sorted(perm) != list(range(x.rank)):
        raise ShapeError(f"perm must be a permutation of range({x.rank}), received {list(perm)}")
    return AVal(tuple(x.shape[p] for p in perm), x.dtype)


transpose = Primitive(
    "transpose", kind=STRUCTURED, operands=("x",), attrs={"perm": INTS},
    doc="permutes dims: result dim i is operand dim perm[i]",
    shape=_transpose_shape, eager=lambda x, perm: _contiguous(np.transpose(x, perm)))


@transpose.lower
def _(lw, op, operands):
    return lw.transpose(operands[0], op.out_aval, op.attrs["perm"])


# -- broadcast_to --------------------------------------------------------------------------
def _broadcast_to_shape(x: AVal, shape) -> AVal:
    shape = tuple(int(d) for d in shape)
    try:
        ok = broadcast_shapes(x.shape, shape) == shape
    except ShapeError:
        ok = False
    if not ok:
        raise ShapeError(f"cannot broadcast shape {x.shape} to {shape}")
    return AVal(shape, x.dtype)


broadcast_to = Primitive(
    "broadcast_to", kind=STRUCTURED, operands=("x",), attrs={"shape": INTS},
    doc="x broadcast (NumPy rules) to `shape`",
    shape=_broadcast_to_shape,
    eager=lambda x, shape: _contiguous(np.broadcast_to(x, shape)))


@broadcast_to.lower
def _(lw, op, operands):
    out = op.out_aval
    in_map = lw.broadcast_map(op.in_avals[0].shape, out.shape)
    return lw.generic([operands[0]], [in_map], lw.empty(out), lw.dims_map(out.rank, range(out.rank)),
                      ["parallel"] * out.rank, lambda b, xv, _: xv)


# -- concat --------------------------------------------------------------------------------
def _concat_shape(x: AVal, y: AVal, axis) -> AVal:
    _check(ANY, x, y)
    if x.rank != y.rank or x.rank == 0:
        raise ShapeError(f"operands must have the same rank >= 1, received shapes {x.shape} and {y.shape}")
    if not 0 <= axis < x.rank:
        raise ShapeError(f"axis {axis} is out of range for rank {x.rank}")
    if any(a != b for i, (a, b) in enumerate(zip(x.shape, y.shape)) if i != axis):
        raise ShapeError(f"shapes {x.shape} and {y.shape} differ outside axis {axis}")
    shape = list(x.shape)
    shape[axis] += y.shape[axis]
    return AVal(tuple(shape), x.dtype)


# NOTE: IRDL binds a variadic operand's constraint to one type, so operands of different
# shapes cannot share it: concat is binary, and em.concat chains it.
concat = Primitive(
    "concat", kind=STRUCTURED, operands=("x", "y"), attrs={"axis": INT},
    doc="x and y joined along `axis`", shape=_concat_shape,
    eager=lambda x, y, axis: np.concatenate([x, y], axis=axis))


@concat.lower
def _(lw, op, operands):
    x, y = operands
    xa, _ = op.in_avals
    axis = op.attrs["axis"]
    offset = [0] * xa.rank
    out = lw.insert_slice(x, lw.empty(op.out_aval), offset, op.in_avals[0].shape)
    offset[axis] = xa.shape[axis]
    return lw.insert_slice(y, out, offset, op.in_avals[1].shape)


# -- slice ---------------------------------------------------------------------------------
def _slice_shape(x: AVal, start, limit, stride) -> AVal:
    if not len(start) == len(limit) == len(stride) == x.rank:
        raise ShapeError(f"start, limit and stride need {x.rank} entries each (the rank of "
                         f"{x.shape}), received {list(start)}, {list(limit)}, {list(stride)}")
    dims = []
    for d, s, e, st in zip(x.shape, start, limit, stride):
        if st < 1:
            raise ShapeError(f"strides must be >= 1, received {list(stride)}")
        if not 0 <= s <= e <= d:
            raise ShapeError(f"need 0 <= start <= limit <= dim on every axis; received "
                             f"start {list(start)}, limit {list(limit)} for shape {x.shape}")
        dims.append(-(-(e - s) // st))
    return AVal(tuple(dims), x.dtype)


slice_ = Primitive(
    "slice", kind=STRUCTURED, operands=("x",), attrs={"start": INTS, "limit": INTS, "stride": INTS},
    doc="elements start[i] <= j < limit[i] taken every stride[i] along each dim",
    shape=_slice_shape,
    eager=lambda x, start, limit, stride: _contiguous(
        x[tuple(slice(s, e, st) for s, e, st in zip(start, limit, stride))]))


@slice_.lower
def _(lw, op, operands):
    a = op.attrs
    return lw.extract_slice(operands[0], op.out_aval, a["start"], a["stride"])


# -- simplifications (ember-canonicalize) ----------------------------------------------------
def _same_as_operand(op):
    x = op.operands[0]
    return x if AVal.of_type(x.type) == op.out_aval else None


@reshape.simplify
def _(op):
    inner = producer(op.operands[0])
    if inner is not None and inner.name == "ember.reshape":
        return create(reshape, [inner.operands[0]], {"shape": op.out_aval.shape})
    return _same_as_operand(op)


@transpose.simplify
def _(op):
    perm = op.attrs["perm"]
    if list(perm) == list(range(len(perm))):
        return op.operands[0]
    inner = producer(op.operands[0])
    if inner is not None and inner.name == "ember.transpose":
        inner_perm = OpView(inner).attrs["perm"]
        composed = tuple(inner_perm[p] for p in perm)
        source = inner.operands[0]
        if list(composed) == list(range(len(composed))):
            return source
        return create(transpose, [source], {"perm": composed})
    return None


broadcast_to.simplify(_same_as_operand)
slice_.simplify(_same_as_operand)
