"""Convolution: conv2d (NHWC input, HWIO filter, explicit padding) and its two gradients.

Window arithmetic and padding: windows.py. conv2d lowers after padding (`Lowerer.pad`) to
linalg.conv_2d_nhwc_hwcf's computation as a generic with vectorizable inner loops
(`Lowerer.conv2d`). Its gradients are primitives of their own (NumPy kernel and lowering
each), so a backward pass compiles like the forward one; they are linear, so their own
gradients are convolutions again.
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import ShapeError
from ..primitive import INTS, STRUCTURED, AVal, Primitive
from .elementwise import FLOAT, _check
from .windows import affine_map, crop, dims, expect_shape, pad_np, pad_to_windows, spatial_out, tap_view, taps

_WINDOW_ATTRS = {"strides": INTS, "dilations": INTS, "padding": INTS}


def conv_shape(x: AVal, f: AVal, strides, dilations, padding) -> AVal:
    _check(FLOAT, x, f)
    if x.rank != 4 or f.rank != 4:
        raise ShapeError(f"expected an NHWC input and an HWIO filter (rank 4 each), received "
                         f"shapes {x.shape} and {f.shape}")
    if x.shape[3] != f.shape[2]:
        raise ShapeError(f"the input has {x.shape[3]} channels but the filter expects "
                         f"{f.shape[2]}: shapes {x.shape} (NHWC) and {f.shape} (HWIO)")
    oh, ow = spatial_out(x.shape, f.shape[:2], strides, dilations, padding)
    return AVal((x.shape[0], oh, ow, f.shape[3]), x.dtype)


# -- conv2d ----------------------------------------------------------------------------------
def _conv_eager(x, f, strides, dilations, padding):
    out_hw = spatial_out(x.shape, f.shape[:2], strides, dilations, padding)
    xp = pad_np(x, padding)
    out = np.zeros((x.shape[0],) + out_hw + (f.shape[3],), x.dtype)
    for kh, kw in taps(f.shape[:2]):
        out += tap_view(xp, kh, kw, out_hw, strides, dilations) @ f[kh, kw]
    return out


conv2d = Primitive(
    "conv2d", kind=STRUCTURED, operands=("x", "filter"), attrs=dict(_WINDOW_ATTRS),
    doc="2-D convolution (cross-correlation) of an NHWC input with an HWIO filter; "
        "`padding` = (top, bottom, left, right) zeros",
    shape=conv_shape, eager=_conv_eager)


@conv2d.lower
def _(lw, op, operands):
    x, f = operands
    xa, fa = op.in_avals
    a, out = op.attrs, op.out_aval
    xp = pad_to_windows(lw, x, xa, out.shape[1:3], fa.shape[:2], a["strides"], a["dilations"],
                        a["padding"], 0)
    return lw.conv2d(xp, f, lw.filled(out, 0), a["strides"], a["dilations"])


@conv2d.vjp
def _(g, out, x, f, strides, dilations, padding):
    window = dict(strides=strides, dilations=dilations, padding=padding)
    return (conv2d_backprop_input.bind(g, f, input_shape=x.shape, **window),
            conv2d_backprop_filter.bind(x, g, filter_shape=f.shape, **window))


# -- conv2d_backprop_input -------------------------------------------------------------------
def _backprop_input_shape(g: AVal, f: AVal, input_shape, strides, dilations, padding) -> AVal:
    input_shape = tuple(input_shape)
    if len(input_shape) != 4:
        raise ShapeError(f"input_shape needs 4 entries (NHWC), received {list(input_shape)}")
    x = AVal(input_shape, g.dtype)
    expect_shape("the gradient", g, conv_shape(x, f, strides, dilations, padding),
                 f"conv2d of shapes {input_shape} and {f.shape}")
    return x


def _backprop_input_eager(g, f, input_shape, strides, dilations, padding):
    t, b, l, r = padding
    n, h, w, c = input_shape
    dxp = np.zeros((n, h + t + b, w + l + r, c), g.dtype)
    for kh, kw in taps(f.shape[:2]):
        tap_view(dxp, kh, kw, g.shape[1:3], strides, dilations)[...] += g @ f[kh, kw].T
    return crop(dxp, input_shape, padding)


conv2d_backprop_input = Primitive(
    "conv2d_backprop_input", kind=STRUCTURED, operands=("g", "filter"),
    attrs={"input_shape": INTS, **_WINDOW_ATTRS},
    doc="gradient of conv2d with respect to its input (of shape `input_shape`), given the "
        "result's gradient g",
    shape=_backprop_input_shape, eager=_backprop_input_eager)


@conv2d_backprop_input.lower
def _(lw, op, operands):
    # NOTE: dx is a stride-1 convolution of g dilated by the strides and padded by
    # (window - 1) * dilation - padding (negative: cropped), with the filter flipped
    # spatially and its channels swapped (HWIO -> HWOI).
    g, f = operands
    ga, fa = op.in_avals
    a, out = op.attrs, op.out_aval
    (sh, sw), (dh, dw), (t, _, l, _) = a["strides"], a["dilations"], a["padding"]
    kh, kw, c, o = fa.shape
    low = ((kh - 1) * dh - t, (kw - 1) * dw - l)
    dilated = ((ga.shape[1] - 1) * sh + 1, (ga.shape[2] - 1) * sw + 1)
    high = [out.shape[1 + i] + (k - 1) * d - low[i] - dilated[i]
            for i, (k, d) in enumerate(((kh, dh), (kw, dw)))]
    gp = lw.pad(g, ga, (0,) + low + (0,), (0, high[0], high[1], 0), 0, interior=(0, sh - 1, sw - 1, 0))
    d = dims(4)
    flip = affine_map(4, [d[0] * -1 + (kh - 1), d[1] * -1 + (kw - 1), d[3], d[2]])
    flipped = lw.generic([f], [flip], lw.empty(AVal((kh, kw, o, c), fa.dtype)), lw.dims_map(4, range(4)),
                         ["parallel"] * 4, lambda b, v, _: v)
    return lw.conv2d(gp, flipped, lw.filled(out, 0), (1, 1), (dh, dw))


@conv2d_backprop_input.vjp
def _(dy, out, g, f, input_shape, strides, dilations, padding):
    window = dict(strides=strides, dilations=dilations, padding=padding)
    return (conv2d.bind(dy, f, **window), conv2d_backprop_filter.bind(dy, g, filter_shape=f.shape, **window))


# -- conv2d_backprop_filter ------------------------------------------------------------------
def _backprop_filter_shape(x: AVal, g: AVal, filter_shape, strides, dilations, padding) -> AVal:
    filter_shape = tuple(filter_shape)
    if len(filter_shape) != 4:
        raise ShapeError(f"filter_shape needs 4 entries (HWIO), received {list(filter_shape)}")
    f = AVal(filter_shape, x.dtype)
    expect_shape("the gradient", g, conv_shape(x, f, strides, dilations, padding),
                 f"conv2d of shapes {x.shape} and {filter_shape}")
    return f


def _backprop_filter_eager(x, g, filter_shape, strides, dilations, padding):
    xp = pad_np(x, padding)
    c, o = filter_shape[2:]
    out = np.zeros(filter_shape, x.dtype)
    for kh, kw in taps(filter_shape[:2]):
        view = tap_view(xp, kh, kw, g.shape[1:3], strides, dilations)
        out[kh, kw] = view.reshape(-1, c).T @ g.reshape(-1, o)
    return out


conv2d_backprop_filter = Primitive(
    "conv2d_backprop_filter", kind=STRUCTURED, operands=("x", "g"),
    attrs={"filter_shape": INTS, **_WINDOW_ATTRS},
    doc="gradient of conv2d with respect to its filter (of shape `filter_shape`), given the "
        "input x and the result's gradient g",
    shape=_backprop_filter_shape, eager=_backprop_filter_eager)


@conv2d_backprop_filter.lower
def _(lw, op, operands):
    x, g = operands
    xa, ga = op.in_avals
    a, out = op.attrs, op.out_aval
    (sh, sw), (dh, dw) = a["strides"], a["dilations"]
    xp = pad_to_windows(lw, x, xa, ga.shape[1:3], out.shape[:2], a["strides"], a["dilations"],
                        a["padding"], 0)
    # NOTE: loops (kh, kw, n, oh, ow, c, o): the innermost reads g and writes the result
    # contiguously, so it vectorizes.
    kh, kw, n, oh, ow, c, o = dims(7)
    x_map = affine_map(7, [n, oh * sh + kh * dh, ow * sw + kw * dw, c])
    g_map = affine_map(7, [n, oh, ow, o])
    from mlir import ir

    df = lw.generic([xp, g], [x_map, g_map], lw.filled(out, 0), affine_map(7, [kh, kw, c, o]),
                    ["parallel"] * 2 + ["reduction"] * 3 + ["parallel"] * 2,
                    lambda b, xv, gv, acc: b.add(acc, b.mul(xv, gv)))
    df.owner.attributes["ember.convolution"] = ir.UnitAttr.get()   # for ember-tile-conv
    return df


@conv2d_backprop_filter.vjp
def _(dy, out, x, g, filter_shape, strides, dilations, padding):
    window = dict(strides=strides, dilations=dilations, padding=padding)
    return (conv2d_backprop_input.bind(g, dy, input_shape=x.shape, **window), conv2d.bind(x, dy, **window))
