"""Shared rules of the windowed primitives (nn.py: convolution, pooling.py: pooling).

NHWC inputs; `padding` is explicit, (top, bottom, left, right), computed by the frontend
(frontend/windows.py) from "same"/"valid" as TensorFlow does. Along a spatial dim the
output has (size + before + after - (window - 1) * dilation - 1) // stride + 1 elements.
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import ShapeError
from ..primitive import AVal


# -- shapes ----------------------------------------------------------------------------------
def check_attrs(window, strides, dilations, padding) -> None:
    if len(window) != 2 or any(k < 1 for k in window):
        raise ShapeError(f"the window needs 2 spatial sizes >= 1, received {list(window)}")
    if len(strides) != 2 or any(s < 1 for s in strides):
        raise ShapeError(f"strides need 2 entries >= 1, received {list(strides)}")
    if len(dilations) != 2 or any(d < 1 for d in dilations):
        raise ShapeError(f"dilations need 2 entries >= 1, received {list(dilations)}")
    if len(padding) != 4 or any(p < 0 for p in padding):
        raise ShapeError(f"padding needs 4 entries >= 0 (top, bottom, left, right), "
                         f"received {list(padding)}")


def spatial_out(x_shape, window, strides, dilations, padding) -> tuple[int, int]:
    """(OH, OW) of windows over an NHWC shape; ShapeError when no window fits."""
    check_attrs(window, strides, dilations, padding)
    out = []
    for i, (size, k, s, d) in enumerate(zip(x_shape[1:3], window, strides, dilations)):
        span = size + padding[2 * i] + padding[2 * i + 1] - (k - 1) * d
        if span < 1:
            raise ShapeError(f"a window of {k} (dilation {d}) does not fit dim {i + 1} of the "
                             f"input shape {tuple(x_shape)} with padding {list(padding)}")
        out.append((span - 1) // s + 1)
    return tuple(out)


def expect_shape(what: str, actual: AVal, expected: AVal, context: str) -> None:
    if actual.shape != expected.shape:
        raise ShapeError(f"{what} has shape {actual.shape}, but {context} gives {expected.shape}")


# -- NumPy helpers ---------------------------------------------------------------------------
def pad_np(x, padding, value=0):
    """x (NHWC) with `value` around its spatial dims."""
    t, b, l, r = padding
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)


def taps(window):
    """The window offsets (kh, kw) in row-major order (the order ties are broken in)."""
    kh, kw = window
    return [(i, j) for i in range(kh) for j in range(kw)]


def tap_view(xp, kh, kw, out_hw, strides, dilations=(1, 1)):
    """The elements of the padded input that window offset (kh, kw) reads, one per output."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, strides, dilations
    return xp[:, kh * dh:kh * dh + (oh - 1) * sh + 1:sh, kw * dw:kw * dw + (ow - 1) * sw + 1:sw, :]


def crop(xp, shape, padding):
    """The NHWC `shape` inside a padded array (undoes pad_np)."""
    t, l = padding[0], padding[2]
    return np.ascontiguousarray(xp[:, t:t + shape[1], l:l + shape[2], :])


# -- MLIR helpers ----------------------------------------------------------------------------
def affine_map(ndims: int, exprs):
    from mlir import ir

    return ir.AffineMap.get(ndims, 0, exprs)


def dims(n: int):
    """d0, ..., d(n-1) as affine expressions (a loop nest's dims)."""
    from mlir import ir

    return [ir.AffineDimExpr.get(i) for i in range(n)]


def pad_to_windows(lw, x, xa: AVal, out_hw, window, strides, dilations, padding, value):
    """x padded by `padding` and cropped to exactly the rows/columns the windows read
    (linalg's named pooling ops want no extra ones)."""
    t, _, l, _ = padding
    need = [(o - 1) * s + (k - 1) * d + 1 for o, s, k, d in zip(out_hw, strides, window, dilations)]
    high = (0, need[0] - xa.shape[1] - t, need[1] - xa.shape[2] - l, 0)
    return lw.pad(x, xa, (0, t, l, 0), high, value)
