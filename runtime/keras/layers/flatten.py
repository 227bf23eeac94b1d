"""`Flatten`: one feature axis per sample."""
from __future__ import annotations

import math

import ember as em

from .layer import Layer


class Flatten(Layer):
    """Reshapes (batch, d1, d2, ...) to (batch, d1 * d2 * ...).

    Example:
        >>> em.keras.layers.Flatten()(np.ones((4, 8, 8, 3), np.float32)).shape
        (4, 192)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs):
        return em.reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if any(d is None for d in rest) else math.prod(rest))
