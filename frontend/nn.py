"""`em.nn`: activations and normalisations written as composites of primitives; convolution,
pooling (NHWC, TensorFlow's signatures) and dropout.

Example:
    >>> import ember as em
    >>> em.nn.softmax(em.constant([1.0, 1.0])).numpy()
    array([0.5, 0.5], dtype=float32)
"""
from __future__ import annotations

import math

from ..dialects.ops import nn as nn_ops
from ..dialects.ops import pooling
from . import api, random, windows
from .errors import DTypeError, ShapeError, at_user_line

relu = api.relu
sigmoid = api.sigmoid
tanh = api.tanh


def gelu(x, approximate: bool = False):
    """Gaussian error linear unit: x * Phi(x); `approximate=True` uses the tanh form."""
    if not approximate:
        return api.gelu_exact(x)
    x = api.constant(x)
    inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1.0 + api.tanh(inner))


def softmax(x, axis: int = -1):
    """exp(x) / sum(exp(x)) along `axis`, computed stably (the maximum is subtracted first)."""
    shifted = x - api.reduce_max(x, axis=axis, keepdims=True)
    e = api.exp(shifted)
    return e / api.reduce_sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """log(softmax(x)) along `axis`, computed stably."""
    shifted = x - api.reduce_max(x, axis=axis, keepdims=True)
    return shifted - api.log(api.reduce_sum(api.exp(shifted), axis=axis, keepdims=True))


def silu(x):
    """x * sigmoid(x)."""
    return x * api.sigmoid(x)


def softplus(x):
    """log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(-|x|))."""
    return api.relu(x) + api.log1p(api.exp(-api.abs(x)))


def leaky_relu(x, negative_slope: float = 0.2):
    """x where x >= 0, else negative_slope * x (Keras' default slope)."""
    x = api.constant(x)
    return api.where(x >= 0, x, x * negative_slope)


# -- convolution and pooling (NHWC) -----------------------------------------------------------
def conv2d(x, filters, strides=1, padding="valid", dilations=1):
    """2-D convolution (cross-correlation), as tf.nn.conv2d: x is NHWC (batch, height,
    width, channels), filters HWIO (height, width, in channels, out channels).

    strides and dilations are ints or (height, width) pairs; padding is "valid" (no
    padding), "same" (output size ceil(size / stride), padded as TensorFlow does), any
    case, or explicit ((top, bottom), (left, right)).

    Example:
        >>> y = em.nn.conv2d(np.ones((1, 5, 5, 3), np.float32), np.ones((3, 3, 3, 8), np.float32),
        ...                  strides=2, padding="same")
        >>> y.shape
        (1, 3, 3, 8)
    """
    x, filters = api._operands(x, filters)
    if x.ndim != 4 or filters.ndim != 4:
        raise ShapeError(at_user_line(f"conv2d: expected an NHWC input and an HWIO filter (rank 4 "
                                      f"each), received shapes {x.shape} and {filters.shape}"))
    strides = windows.pair("conv2d", "strides", strides)
    dilations = windows.pair("conv2d", "dilations", dilations)
    padding = windows.explicit_padding("conv2d", padding, x.shape[1:3], filters.shape[:2], strides,
                                       dilations)
    return nn_ops.conv2d.bind(x, filters, strides=strides, dilations=dilations, padding=padding)


def _pool(prim, x, ksize, strides, padding):
    (x,) = api._operands(x)
    if x.ndim != 4:
        raise ShapeError(at_user_line(f"{prim.name}: expected an NHWC input (rank 4), received "
                                      f"shape {x.shape}"))
    ksize = windows.pair(prim.name, "ksize", ksize)
    strides = ksize if strides is None else windows.pair(prim.name, "strides", strides)
    padding = windows.explicit_padding(prim.name, padding, x.shape[1:3], ksize, strides)
    return prim.bind(x, ksize=ksize, strides=strides, padding=padding)


def max_pool2d(x, ksize, strides=None, padding="valid"):
    """Maximum over ksize windows of an NHWC input, as tf.nn.max_pool2d (strides default to
    ksize, as Keras' MaxPooling2D); padding as in conv2d; the gradient goes to the first
    maximum of each window."""
    return _pool(pooling.max_pool2d, x, ksize, strides, padding)


def avg_pool2d(x, ksize, strides=None, padding="valid"):
    """Mean over ksize windows of an NHWC input, as tf.nn.avg_pool2d: with "same" padding,
    border windows average only their input elements (padding is not counted)."""
    return _pool(pooling.avg_pool2d, x, ksize, strides, padding)


def dropout(x, rate, seed, noise_shape=None):
    """Zeroes each element with probability `rate` and scales the others by 1 / (1 - rate)
    (Keras' and tf.nn.dropout's semantics); rate 0 returns x. `seed` is a stateless seed as
    in em.random.stateless_uniform (a traced tensor inside @em.function), so the same seed
    drops the same elements; `noise_shape` (broadcast to x's; None entries take x's dim)
    shares the mask across dims.

    Example:
        >>> y = em.nn.dropout(np.ones((2, 4), np.float32), 0.5, seed=(1, 2))   # 0.0 or 2.0
    """
    x = api.constant(x)
    if not x.dtype.is_float:
        raise DTypeError(at_user_line(f"dropout: expected a floating-point tensor, received {x.dtype.name}"))
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(at_user_line(f"dropout: rate must be a number in [0, 1), received rate={rate!r}"))
    if rate == 0:
        return x
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = random.stateless_uniform(shape, seed, dtype=x.dtype) >= rate
    return api.where(keep, x * (1.0 / (1.0 - rate)), 0.0)
