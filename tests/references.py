"""Independent NumPy/Python references for the windowed, indexing and random primitives:
naive loops, one output (or one window tap) at a time, without the padded copies and
strided views the eager kernels use; a plain-Python Threefry-2x32.

Padding is explicit here: (top, bottom, left, right); strides/dilations are pairs.
"""
from __future__ import annotations

import numpy as np


def out_size(size, window, strides, dilations, pads) -> tuple[int, int]:
    return tuple((size[i] + pads[2 * i] + pads[2 * i + 1] - (window[i] - 1) * dilations[i] - 1)
                 // strides[i] + 1 for i in range(2))


def taps(oh, ow, window, strides, dilations, pads, size):
    """(kh, kw, h, w): the window taps at output (oh, ow) that fall inside the input."""
    for kh in range(window[0]):
        for kw in range(window[1]):
            h = oh * strides[0] + kh * dilations[0] - pads[0]
            w = ow * strides[1] + kw * dilations[1] - pads[2]
            if 0 <= h < size[0] and 0 <= w < size[1]:
                yield kh, kw, h, w


def _outputs(x_shape, window, strides, dilations, pads):
    oh_, ow_ = out_size(x_shape[1:3], window, strides, dilations, pads)
    for oh in range(oh_):
        for ow in range(ow_):
            yield oh, ow, list(taps(oh, ow, window, strides, dilations, pads, x_shape[1:3]))


def conv2d(x, f, strides, dilations, pads):
    oh_, ow_ = out_size(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    out = np.zeros((x.shape[0], oh_, ow_, f.shape[3]), x.dtype)
    for oh, ow, window in _outputs(x.shape, f.shape[:2], strides, dilations, pads):
        for kh, kw, h, w in window:
            out[:, oh, ow, :] += x[:, h, w, :] @ f[kh, kw]
    return out


def conv2d_input_grad(g, f, input_shape, strides, dilations, pads):
    dx = np.zeros(input_shape, g.dtype)
    for oh, ow, window in _outputs(input_shape, f.shape[:2], strides, dilations, pads):
        for kh, kw, h, w in window:
            dx[:, h, w, :] += g[:, oh, ow, :] @ f[kh, kw].T
    return dx


def conv2d_filter_grad(x, g, filter_shape, strides, dilations, pads):
    df = np.zeros(filter_shape, x.dtype)
    for oh, ow, window in _outputs(x.shape, filter_shape[:2], strides, dilations, pads):
        for kh, kw, h, w in window:
            df[kh, kw] += x[:, h, w, :].T @ g[:, oh, ow, :]
    return df


def pool2d(x, ksize, strides, pads, kind):
    """max or mean over the window's input elements (padding never counts)."""
    oh_, ow_ = out_size(x.shape[1:3], ksize, strides, (1, 1), pads)
    out = np.zeros((x.shape[0], oh_, ow_, x.shape[3]), x.dtype)
    for oh, ow, window in _outputs(x.shape, ksize, strides, (1, 1), pads):
        values = np.stack([x[:, h, w, :] for _, _, h, w in window])
        out[:, oh, ow, :] = values.max(axis=0) if kind == "max" else values.mean(axis=0)
    return out


def max_pool2d_grad(x, g, ksize, strides, pads):
    """Each window's g to its first maximum (row-major in the window), one element at a time."""
    dx = np.zeros(x.shape, g.dtype)
    for oh, ow, window in _outputs(x.shape, ksize, strides, (1, 1), pads):
        for n in range(x.shape[0]):
            for c in range(x.shape[3]):
                values = [x[n, h, w, c] for _, _, h, w in window]
                _, _, h, w = window[int(np.argmax(values))]
                dx[n, h, w, c] += g[n, oh, ow, c]
    return dx


def avg_pool2d_grad(g, input_shape, ksize, strides, pads):
    dx = np.zeros(input_shape, g.dtype)
    for oh, ow, window in _outputs(input_shape, ksize, strides, (1, 1), pads):
        for _, _, h, w in window:
            dx[:, h, w, :] += g[:, oh, ow, :] / len(window)
    return dx


def take_clamped(params, indices, axis):
    """np.take with NumPy's negative indices and the rest clamped into range."""
    n = params.shape[axis]
    indices = np.where(indices < 0, indices + n, indices)
    return np.take(params, indices, axis=axis, mode="clip")


def scatter_add(updates, indices, shape, axis):
    n = shape[axis]
    indices = np.clip(np.where(indices < 0, indices + n, indices), 0, n - 1)
    out = np.zeros(shape, updates.dtype)
    moved = np.moveaxis(out, axis, 0)  # a view: writes land in out
    flat = np.moveaxis(updates.reshape(shape[:axis] + (-1,) + shape[axis + 1:]), axis, 0)
    for j, i in enumerate(indices.ravel()):
        moved[i] += flat[j]
    return out


# -- Threefry-2x32-20 in plain Python ints (Salmon et al. 2011; JAX's PRNG) --------------------
_MASK = 0xFFFFFFFF


def threefry2x32(key, counter):
    def rotl(v, r):
        return ((v << r) | (v >> (32 - r))) & _MASK

    ks = [key[0], key[1], key[0] ^ key[1] ^ 0x1BD11BDA]
    x = [(counter[0] + ks[0]) & _MASK, (counter[1] + ks[1]) & _MASK]
    rotations = [13, 15, 26, 6, 17, 29, 16, 24]
    for i in range(20):
        x[0] = (x[0] + x[1]) & _MASK
        x[1] = rotl(x[1], rotations[i % 8]) ^ x[0]
        if i % 4 == 3:
            s = i // 4 + 1
            x[0] = (x[0] + ks[s % 3]) & _MASK
            x[1] = (x[1] + ks[(s + 1) % 3] + s) & _MASK
    return x


def random_bits(key, shape):
    """int32 bits: word 0 of Threefry(key, (i mod 2**32, i >> 32)) for flat index i."""
    key = [int(k) & _MASK for k in np.asarray(key).ravel()]
    size = int(np.prod(shape, dtype=np.int64))
    words = [threefry2x32(key, (i & _MASK, i >> 32))[0] for i in range(size)]
    return np.array(words, np.uint32).view(np.int32).reshape(shape)
