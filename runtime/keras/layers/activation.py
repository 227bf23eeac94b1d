"""`Activation`: applies an activation function."""
from __future__ import annotations

from . import activations
from .layer import Layer


class Activation(Layer):
    """Applies `activation` elementwise (or over the last axis, for softmax).

    Args:
        activation: an activation name ("relu", "softmax", ...) or function.

    Example:
        >>> em.keras.layers.Activation("relu")(em.constant([-1.0, 2.0])).numpy()
        array([0., 2.], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
