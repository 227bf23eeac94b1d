"""Activation functions by name, for the `activation=` argument of layers (as keras.activations).

Example:
    >>> from ember.runtime.keras.layers import activations
    >>> activations.get("relu")(em.constant([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import ember as em


def linear(x):
    """The identity."""
    return x


def relu(x):
    return em.nn.relu(x)


def relu6(x):
    return em.minimum(em.nn.relu(x), 6.0)


def sigmoid(x):
    return em.sigmoid(x)


def tanh(x):
    return em.tanh(x)


def softmax(x):
    """softmax over the last axis."""
    return em.nn.softmax(x, axis=-1)


def log_softmax(x):
    return em.nn.log_softmax(x, axis=-1)


def gelu(x):
    return em.nn.gelu(x)


def silu(x):
    return em.nn.silu(x)


def softplus(x):
    return em.nn.softplus(x)


def leaky_relu(x):
    return em.nn.leaky_relu(x)


def elu(x):
    return em.where(x > 0, x, em.expm1(x))


_BY_NAME = {"linear": linear, "relu": relu, "relu6": relu6, "sigmoid": sigmoid, "tanh": tanh,
            "softmax": softmax, "log_softmax": log_softmax, "gelu": gelu, "silu": silu,
            "swish": silu, "softplus": softplus, "leaky_relu": leaky_relu, "elu": elu}


def get(identifier):
    """The activation function for a name, a callable, or None (linear).

    Raises ValueError listing the valid names for an unknown one.
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                     f"Valid names: {sorted(_BY_NAME)}")


def serialize(activation) -> str:
    """The name of an activation (for get_config)."""
    for name, fn in _BY_NAME.items():
        if fn is activation and name != "swish":
            return name
    return getattr(activation, "__name__", repr(activation))
