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
    from mlir import ir

    x, y = operands
    xa, ya = op.in_avals
    out = op.out_aval
    # NOTE: the loop nest runs (batch..., m, k, n): the innermost loop walks rows of y and of
    # the result contiguously, so LLVM vectorizes it (the (m, n, k) order of linalg.matmul
    # walks columns of y and stays scalar, ~80x slower).
    nb = out.rank - 2
    dom = out.shape[:-1] + (xa.shape[-1], out.shape[-1])
    m, k, n = nb, nb + 1, nb + 2
    x_map = lw.batch_map(xa.shape[:-2], out.shape[:-2], len(dom), (m, k))
    y_map = lw.batch_map(ya.shape[:-2], out.shape[:-2], len(dom), (k, n))
    out_map = lw.dims_map(len(dom), tuple(range(nb)) + (m, n))
    iters = ["parallel"] * (nb + 1) + ["reduction", "parallel"]
    result = lw.generic([x, y], [x_map, y_map], lw.filled(out, 0), out_map, iters,
                        lambda b, xv, yv, acc: b.add(acc, b.mul(xv, yv)))
    # NOTE: marks the generic for the CPU schedule `ember-tile-matmul` (passes/tile_matmul.py).
    result.owner.attributes["ember.contraction"] = ir.UnitAttr.get()
    return result


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


# -- pad ---------------------------------------------------------------------------------------
def _pad_shape(x: AVal, low, high, interior) -> AVal:
    if not len(low) == len(high) == len(interior) == x.rank:
        raise ShapeError(f"low, high and interior need {x.rank} entries each (the rank of "
                         f"{x.shape}), received {list(low)}, {list(high)}, {list(interior)}")
    if any(v < 0 for v in tuple(low) + tuple(high) + tuple(interior)):
        raise ShapeError(f"padding amounts must be >= 0, received low {list(low)}, high "
                         f"{list(high)}, interior {list(interior)}")
    return AVal(tuple(lo + hi + d + max(d - 1, 0) * it
                      for d, lo, hi, it in zip(x.shape, low, high, interior)), x.dtype)


def _pad_eager(x, low, high, interior):
    out_shape = tuple(lo + hi + d + max(d - 1, 0) * it
                      for d, lo, hi, it in zip(x.shape, low, high, interior))
    out = np.zeros(out_shape, x.dtype)
    out[tuple(slice(lo, lo + max(d - 1, 0) * (it + 1) + 1, it + 1)
              for d, lo, it in zip(x.shape, low, interior))] = x
    return out


pad = Primitive(
    "pad", kind=STRUCTURED, operands=("x",), attrs={"low": INTS, "high": INTS, "interior": INTS},
    doc="x placed in zeros: `low`/`high` zeros before/after each dim, `interior` between elements",
    shape=_pad_shape, eager=_pad_eager)


@pad.lower
def _(lw, op, operands):
    a = op.attrs
    return lw.insert_slice(operands[0], lw.filled(op.out_aval, 0), a["low"], op.in_avals[0].shape,
                           [it + 1 for it in a["interior"]])


# -- gradients (vjp rules) ---------------------------------------------------------------------
@matmul.vjp
def _(g, out, x, y):
    from .elementwise import unbroadcast

    if not x.dtype.is_float:
        return (None, None)
    swap = lambda t: transpose.bind(t, perm=tuple(range(t.ndim - 2)) + (t.ndim - 1, t.ndim - 2))
    return (unbroadcast(matmul.bind(g, swap(y)), x.shape), unbroadcast(matmul.bind(swap(x), g), y.shape))


reshape.vjp(lambda g, out, x, shape: (reshape.bind(g, shape=x.shape) if x.dtype.is_float else None,))


@transpose.vjp
def _(g, out, x, perm):
    if not x.dtype.is_float:
        return (None,)
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return (transpose.bind(g, perm=tuple(inverse)),)


@broadcast_to.vjp
def _(g, out, x, shape):
    from .elementwise import unbroadcast

    return (unbroadcast(g, x.shape) if x.dtype.is_float else None,)


@concat.vjp
def _(g, out, x, y, axis):
    if not x.dtype.is_float:
        return (None, None)
    ones = (1,) * g.ndim
    split = list(g.shape)
    split[axis] = x.shape[axis]
    first = slice_.bind(g, start=(0,) * g.ndim, limit=tuple(split), stride=ones)
    start = [0] * g.ndim
    start[axis] = x.shape[axis]
    return (first, slice_.bind(g, start=tuple(start), limit=g.shape, stride=ones))


@slice_.vjp
def _(g, out, x, start, limit, stride):
    if not x.dtype.is_float:
        return (None,)
    high = tuple(d - (s + max(n - 1, 0) * st + 1) if n else d - s
                 for d, s, n, st in zip(x.shape, start, g.shape, stride))
    interior = tuple(st - 1 for st in stride)
    return (pad.bind(g, low=tuple(start), high=high, interior=interior),)


@pad.vjp
def _(g, out, x, low, high, interior):
    if not x.dtype.is_float:
        return (None,)
    stride = tuple(it + 1 for it in interior)
    limit = tuple(lo + max(d - 1, 0) * st + 1 if d else lo for lo, d, st in zip(low, x.shape, stride))
    return (slice_.bind(g, start=tuple(low), limit=limit, stride=stride),)


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
