"""Pooling: max_pool2d and avg_pool2d over NHWC inputs, and their gradients.

Window arithmetic and padding: windows.py. The forward ops lower after padding (`Lowerer.pad`, -inf
for max) to linalg's named NHWC pooling ops; padding never wins a max and is not counted
in a mean. The gradients scatter each window's gradient back with one linalg.generic over
(n, h, w, c, kh, kw) that reads the windows covering each input element (`_unpool`).
"""
from __future__ import annotations

import numpy as np

from ...frontend.dtypes import int32
from ...frontend.errors import ShapeError
from ..primitive import INTS, STRUCTURED, AVal, Primitive
from ..values import make_constant
from .elementwise import FLOAT, NUMERIC, _check
from .windows import affine_map, crop, dims, expect_shape, pad_np, pad_to_windows, spatial_out, tap_view, taps

_POOL_ATTRS = {"ksize": INTS, "strides": INTS, "padding": INTS}


# -- shapes and window counts ------------------------------------------------------------------
def _pool_shape(x: AVal, ksize, strides, padding, accepts=NUMERIC) -> AVal:
    _check(accepts, x)
    if x.rank != 4:
        raise ShapeError(f"expected an NHWC input (rank 4), received shape {x.shape}")
    oh, ow = spatial_out(x.shape, ksize, strides, (1, 1), padding)
    if any(p >= ksize[i // 2] for i, p in enumerate(padding)):
        raise ShapeError(f"padding {list(padding)} must be smaller than the window "
                         f"{list(ksize)}, so that every window holds an input element")
    return AVal((x.shape[0], oh, ow, x.shape[3]), x.dtype)


def _lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _window_counts(x_shape, ksize, strides, padding, out_hw) -> np.ndarray:
    """(OH, OW): how many input (not padding) elements each window covers."""
    counts = []
    for i, (size, k, s, n) in enumerate(zip(x_shape[1:3], ksize, strides, out_hw)):
        start = np.arange(n) * s - padding[2 * i]
        counts.append(np.minimum(start + k, size) - np.maximum(start, 0))
    return np.outer(counts[0], counts[1])


# -- max_pool2d ------------------------------------------------------------------------------
def _max_pool_eager(x, ksize, strides, padding):
    out_hw = spatial_out(x.shape, ksize, strides, (1, 1), padding)
    xp = pad_np(x, padding, _lowest(x.dtype))
    out = None
    for kh, kw in taps(ksize):
        view = tap_view(xp, kh, kw, out_hw, strides)
        out = view.copy() if out is None else np.maximum(out, view)
    return out


max_pool2d = Primitive(
    "max_pool2d", kind=STRUCTURED, operands=("x",), attrs=dict(_POOL_ATTRS),
    doc="maximum over ksize windows of an NHWC input (NaN if any element is); padding "
        "elements never win",
    shape=_pool_shape, eager=_max_pool_eager)


@max_pool2d.lower
def _(lw, op, operands):
    xa, out, a = op.in_avals[0], op.out_aval, op.attrs
    fill = _lowest(xa.dtype.numpy)
    xp = pad_to_windows(lw, operands[0], xa, out.shape[1:3], a["ksize"], a["strides"], (1, 1),
                        a["padding"], fill)
    return _pool(lw, "max", xp, a["ksize"], a["strides"], lw.filled(out, fill))


@max_pool2d.vjp
def _(g, out, x, ksize, strides, padding):
    if not x.dtype.is_float:
        return (None,)
    return (max_pool2d_grad.bind(x, g, ksize=ksize, strides=strides, padding=padding),)


# -- max_pool2d_grad -------------------------------------------------------------------------
def _max_pool_grad_shape(x: AVal, g: AVal, ksize, strides, padding) -> AVal:
    _check(FLOAT, x, g)
    expect_shape("the gradient", g, _pool_shape(x, ksize, strides, padding),
                 f"max_pool2d of shape {x.shape}")
    return x


def _first_max(x, ksize, strides, padding):
    """For each window, the row-major position (kh * KW + kw) of its first maximum (of its
    first NaN if any): where TensorFlow sends the gradient."""
    out_hw = spatial_out(x.shape, ksize, strides, (1, 1), padding)
    xp = pad_np(x, padding, -np.inf)
    real = pad_np(np.ones(x.shape, bool), padding, False)
    m = _max_pool_eager(x, ksize, strides, padding)
    none = ksize[0] * ksize[1]
    first = np.full(m.shape, none)
    for k, (kh, kw) in enumerate(taps(ksize)):
        v = tap_view(xp, kh, kw, out_hw, strides)
        hit = tap_view(real, kh, kw, out_hw, strides) & ((v == m) | np.isnan(v))
        first = np.where(hit & (first == none), k, first)
    return first


def _max_pool_grad_eager(x, g, ksize, strides, padding):
    first = _first_max(x, ksize, strides, padding)
    dxp = np.zeros(pad_np(x, padding).shape, g.dtype)
    for k, (kh, kw) in enumerate(taps(ksize)):
        tap_view(dxp, kh, kw, g.shape[1:3], strides)[...] += np.where(first == k, g, 0)
    return crop(dxp, x.shape, padding)


max_pool2d_grad = Primitive(
    "max_pool2d_grad", kind=STRUCTURED, operands=("x", "g"), attrs=dict(_POOL_ATTRS),
    doc="gradient of max_pool2d: each window's g goes to its first maximum of x (row-major "
        "in the window), as TensorFlow",
    shape=_max_pool_grad_shape, eager=_max_pool_grad_eager)


class _Index:
    """arith on `index` values inside a linalg body (the scalar builder has no index type)."""

    def __init__(self, lw):
        from mlir.dialects import arith

        self.lw, self.arith = lw, arith

    def c(self, v):
        return self.lw.index_const(v)

    def add(self, x, y): return self.arith.addi(x, y)
    def sub(self, x, y): return self.arith.subi(x, y)
    def mul(self, x, y): return self.arith.muli(x, y)
    def div(self, x, y): return self.arith.divsi(x, y)
    def rem(self, x, y): return self.arith.remsi(x, y)
    def and_(self, x, y): return self.arith.andi(x, y)
    def select(self, c, x, y): return self.arith.select(c, x, y)

    def cmp(self, predicate: str, x, y):
        return self.arith.cmpi(getattr(self.arith.CmpIPredicate, predicate), x, y)

    def in_range(self, v, size):
        return self.and_(self.cmp("sge", v, self.c(0)), self.cmp("slt", v, self.c(size)))


def _over_windows(lw, xp, others, init, ksize, strides, body):
    """A reduction over each window of the padded NHWC input xp: one linalg.generic, loops
    (n, oh, ow, c, kh, kw) (those of linalg's named pooling ops), reading xp[n, oh*sh + kh,
    ow*sw + kw, c] and `others` (indexed (n, oh, ow, c)), into init (out's shape).
    `body(b, x, *others, acc)` combines one element into acc.

    NOTE: a generic, not linalg.pooling_nhwc_*, so that `ember-parallelize` splits it across
    threads (it splits generics); the same loops as the named ops, so the same code on one
    thread. The CNN's 2x2 max pools, 2 threads, alternating processes (AVX-512): 64x26x26x32
    0.46, 0.48 -> 0.28, 0.24 ms; 64x11x11x64 0.14 -> 0.05 ms (one thread: no change)."""
    (sh, sw) = strides
    n, oh, ow, c, kh, kw = dims(6)
    x_map = affine_map(6, [n, oh * sh + kh, ow * sw + kw, c])
    others_maps = [lw.dims_map(6, range(4))] * len(others)
    return _marked(lw.generic([xp, *others, _window(lw, ksize)],
                              [x_map] + others_maps + [lw.dims_map(6, (4, 5))],
                              init, lw.dims_map(6, range(4)), ["parallel"] * 4 + ["reduction"] * 2,
                              lambda b, xv, *rest: body(b, xv, *rest[:-2], rest[-1])))


def _pool(lw, kind: str, xp, ksize, strides, init):
    """Max or sum pooling of the padded input xp."""
    combine = {"max": lambda b, v, acc: b.maximum(acc, v), "sum": lambda b, v, acc: b.add(acc, v)}
    return _over_windows(lw, xp, [], init, ksize, strides, combine[kind])


def _first_max_lowered(lw, xp, xa: AVal, m, out: AVal, ksize, strides, padding):
    """i32 tensor of out's shape: each window's first maximum (see _first_max), from the
    padded input xp of x (xa) and the window maxima m."""
    from mlir import ir
    from mlir.dialects import arith

    (kh_, kw_), (sh, sw), (t, _, l, _) = ksize, strides, padding
    none = kh_ * kw_

    def body(b, xv, mv, acc):
        ix = _Index(lw)
        row = ix.sub(ix.add(ix.mul(lw.index(1), ix.c(sh)), lw.index(4)), ix.c(t))
        col = ix.sub(ix.add(ix.mul(lw.index(2), ix.c(sw)), lw.index(5)), ix.c(l))
        real = ix.and_(ix.in_range(row, xa.shape[1]), ix.in_range(col, xa.shape[2]))
        is_max = b.or_(b.cmp("eq", xv, mv), b.cmp("ne", xv, xv))
        k = ix.add(ix.mul(lw.index(4), ix.c(kw_)), lw.index(5))
        k = arith.index_cast(ir.IntegerType.get_signless(32), k)
        return b.minimum(acc, b.select(b.and_(real, is_max), k, b.const(none, acc)))

    return _over_windows(lw, xp, [m], lw.filled(AVal(out.shape, int32), none), ksize, strides,
                         body)


def _window(lw, ksize):
    """An (unread) tensor of the window's shape: a generic's loop over the window needs an
    operand indexed by it, as linalg's pooling ops take one."""
    return lw.empty(AVal(tuple(ksize), int32))


WINDOW = "ember.window"   # a reduction over each window (its last loops), `ember-unroll-windows`


def _marked(result):
    """The generic of `result`, marked as a reduction over windows."""
    from mlir import ir

    result.owner.attributes[WINDOW] = ir.UnitAttr.get()
    return result


def _unpool(lw, values, out: AVal, ksize, strides, padding, first=None):
    """dx[n, h, w, c]: the sum of values[n, oh, ow, c] over the windows (oh, ow) that
    cover (h, w) (only the window's first maximum, when `first` is given). One
    linalg.generic over (n, h, w, c, kh, kw) reading the windows with tensor.extract."""
    from mlir import ir
    from mlir.dialects import arith, tensor

    va = AVal.of_type(values.type)
    (sh, sw), (t, _, l, _), taps_per_row = strides, padding, ksize[1]

    def window_index(ix, pos, offset, stride, pad, size):
        """(valid, index) of the window at offset `offset` that covers `pos`."""
        start = ix.sub(ix.add(pos, ix.c(pad)), offset)
        safe = ix.select(ix.cmp("sge", start, ix.c(0)), start, ix.c(0))
        index = ix.div(safe, ix.c(stride))
        valid = ix.and_(ix.cmp("sge", start, ix.c(0)),
                        ix.and_(ix.cmp("eq", ix.rem(safe, ix.c(stride)), ix.c(0)),
                                ix.cmp("slt", index, ix.c(size))))
        return valid, ix.select(valid, index, ix.c(0))

    def body(b, _window, acc):
        ix = _Index(lw)
        n, h, w, c, kh, kw = (lw.index(i) for i in range(6))
        valid_h, oh = window_index(ix, h, kh, sh, t, va.shape[1])
        valid_w, ow = window_index(ix, w, kw, sw, l, va.shape[2])
        valid = ix.and_(valid_h, valid_w)
        v = tensor.extract(values, [n, oh, ow, c])
        if first is not None:
            k = ix.add(ix.mul(kh, ix.c(taps_per_row)), kw)
            at = tensor.extract(first, [n, oh, ow, c])
            valid = ix.and_(valid, arith.cmpi(arith.CmpIPredicate.eq, at,
                                              arith.index_cast(ir.IntegerType.get_signless(32), k)))
        return b.add(acc, b.select(valid, v, b.zero(acc)))

    return _marked(lw.generic([_window(lw, ksize)], [lw.dims_map(6, (4, 5))], lw.filled(out, 0),
                              lw.dims_map(6, range(4)), ["parallel"] * 4 + ["reduction"] * 2,
                              body))


@max_pool2d_grad.lower
def _(lw, op, operands):
    x, g = operands
    (xa, ga), out, a = op.in_avals, op.out_aval, op.attrs
    xp = pad_to_windows(lw, x, xa, ga.shape[1:3], a["ksize"], a["strides"], (1, 1), a["padding"], -np.inf)
    m = _pool(lw, "max", xp, a["ksize"], a["strides"], lw.filled(ga, -np.inf))
    first = _first_max_lowered(lw, xp, xa, m, ga, a["ksize"], a["strides"], a["padding"])
    return _unpool(lw, g, out, a["ksize"], a["strides"], a["padding"], first)


@max_pool2d_grad.vjp
def _(dy, out, x, g, ksize, strides, padding):
    # NOTE: linear in g: its adjoint gives each window dy at the window's first maximum
    # (TensorFlow's MaxPoolGradGrad). x only routes, so it gets no gradient. Written with
    # one strided slice per window tap (second order is rare; this needs no primitive).
    from ...frontend import api
    from .structured import pad, slice_

    (t, b, l, r), (sh, sw) = padding, strides
    n, oh, ow, c = g.shape
    grow = dict(low=(0, t, l, 0), high=(0, b, r, 0), interior=(0, 0, 0, 0))
    xp, dyp = pad.bind(x, **grow), pad.bind(dy, **grow)
    m = max_pool2d.bind(x, ksize=ksize, strides=strides, padding=padding)
    real = pad_np(np.ones((1,) + x.shape[1:3] + (1,), bool), padding, False)
    total, taken = None, None
    for kh, kw in taps(ksize):
        def tap(v):
            return slice_.bind(v, start=(0, kh, kw, 0), stride=(1, sh, sw, 1),
                               limit=(n, kh + (oh - 1) * sh + 1, kw + (ow - 1) * sw + 1, c))
        xv = tap(xp)
        hit = ((xv == m) | (xv != xv)) & tap_view(real, kh, kw, (oh, ow), strides).copy()
        hit, taken = (hit, hit) if taken is None else (hit & ~taken, taken | hit)
        part = api.where(hit, tap(dyp), 0.0)
        total = part if total is None else total + part
    return (None, total)


# -- avg_pool2d ------------------------------------------------------------------------------
def _avg_pool_eager(x, ksize, strides, padding):
    out_hw = spatial_out(x.shape, ksize, strides, (1, 1), padding)
    xp = pad_np(x, padding)
    total = np.zeros((x.shape[0],) + out_hw + (x.shape[3],), x.dtype)
    for kh, kw in taps(ksize):
        total += tap_view(xp, kh, kw, out_hw, strides)
    counts = _window_counts(x.shape, ksize, strides, padding, out_hw).astype(x.dtype)
    return total / counts[None, :, :, None]


avg_pool2d = Primitive(
    "avg_pool2d", kind=STRUCTURED, operands=("x",), attrs=dict(_POOL_ATTRS),
    doc="mean over ksize windows of an NHWC input; padding elements are not counted "
        "(as TensorFlow's 'SAME')",
    shape=lambda x, ksize, strides, padding: _pool_shape(x, ksize, strides, padding, FLOAT),
    eager=_avg_pool_eager)


def _counts_constant(out: AVal, x_shape, ksize, strides, padding):
    counts = _window_counts(x_shape, ksize, strides, padding, out.shape[1:3])
    return make_constant(counts.astype(out.dtype.numpy))


@avg_pool2d.lower
def _(lw, op, operands):
    xa, out, a = op.in_avals[0], op.out_aval, op.attrs
    xp = pad_to_windows(lw, operands[0], xa, out.shape[1:3], a["ksize"], a["strides"], (1, 1),
                        a["padding"], 0)
    total = _pool(lw, "sum", xp, a["ksize"], a["strides"], lw.filled(out, 0))
    counts = _counts_constant(out, xa.shape, a["ksize"], a["strides"], a["padding"])
    identity = lw.dims_map(4, range(4))
    return lw.generic([total, counts], [identity, lw.dims_map(4, (1, 2))], lw.empty(out), identity,
                      ["parallel"] * 4, lambda b, s, n, _: b.div(s, n))


@avg_pool2d.vjp
def _(g, out, x, ksize, strides, padding):
    return (avg_pool2d_grad.bind(g, input_shape=x.shape, ksize=ksize, strides=strides, padding=padding),)


# -- avg_pool2d_grad -------------------------------------------------------------------------
def _avg_pool_grad_shape(g: AVal, input_shape, ksize, strides, padding) -> AVal:
    input_shape = tuple(input_shape)
    if len(input_shape) != 4:
        raise ShapeError(f"input_shape needs 4 entries (NHWC), received {list(input_shape)}")
    x = AVal(input_shape, g.dtype)
    expect_shape("the gradient", g, _pool_shape(x, ksize, strides, padding, FLOAT),
                 f"avg_pool2d of shape {input_shape}")
    return x


def _avg_pool_grad_eager(g, input_shape, ksize, strides, padding):
    counts = _window_counts(input_shape, ksize, strides, padding, g.shape[1:3]).astype(g.dtype)
    scaled = g / counts[None, :, :, None]
    t, b, l, r = padding
    dxp = np.zeros((input_shape[0], input_shape[1] + t + b, input_shape[2] + l + r, input_shape[3]),
                   g.dtype)
    for kh, kw in taps(ksize):
        tap_view(dxp, kh, kw, g.shape[1:3], strides)[...] += scaled
    return crop(dxp, input_shape, padding)


avg_pool2d_grad = Primitive(
    "avg_pool2d_grad", kind=STRUCTURED, operands=("g",),
    attrs={"input_shape": INTS, **_POOL_ATTRS},
    doc="gradient of avg_pool2d over an input of shape `input_shape`: each window's g, "
        "divided by its count, goes to every input element of the window",
    shape=_avg_pool_grad_shape, eager=_avg_pool_grad_eager)


@avg_pool2d_grad.lower
def _(lw, op, operands):
    ga, out, a = op.in_avals[0], op.out_aval, op.attrs
    counts = _counts_constant(ga, out.shape, a["ksize"], a["strides"], a["padding"])
    identity = lw.dims_map(4, range(4))
    scaled = lw.generic([operands[0], counts], [identity, lw.dims_map(4, (1, 2))], lw.empty(ga),
                        identity, ["parallel"] * 4, lambda b, v, n, _: b.div(v, n))
    return _unpool(lw, scaled, out, a["ksize"], a["strides"], a["padding"])


@avg_pool2d_grad.vjp
def _(dy, out, g, input_shape, ksize, strides, padding):
    return (avg_pool2d.bind(dy, ksize=ksize, strides=strides, padding=padding),)
