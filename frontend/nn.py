"""`em.nn`: activations and normalisations written as composites of primitives.

Example:
    >>> import ember as em
    >>> em.nn.softmax(em.constant([1.0, 1.0])).numpy()
    array([0.5, 0.5], dtype=float32)
"""
from __future__ import annotations

import math

from . import api

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
