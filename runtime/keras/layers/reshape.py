"""`Reshape`: a new shape for each sample."""
from __future__ import annotations

import math

import ember as em

from .layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: a tuple of ints; one entry may be -1 (inferred).

    Example:
        >>> em.keras.layers.Reshape((8, 8, 1))(np.ones((5, 64), np.float32)).shape
        (5, 8, 8, 1)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            target = None
        if target is None or target.count(-1) > 1 or any(d == 0 or d < -1 for d in target):
            raise ValueError(f"Reshape: `target_shape` must be a tuple of positive ints with at "
                             f"most one -1. Received: target_shape={target_shape!r}")
        self.target_shape = target
        self.built = True

    def compute_output_shape(self, input_shape):
        sample = input_shape[1:]
        if -1 not in self.target_shape:
            if None not in sample and math.prod(sample) != math.prod(self.target_shape):
                raise self._mismatch(input_shape)
            return (input_shape[0],) + self.target_shape
        if None in sample:
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if math.prod(sample) % known:
            raise self._mismatch(input_shape)
        return (input_shape[0],) + tuple(math.prod(sample) // known if d == -1 else d
                                         for d in self.target_shape)

    def _mismatch(self, input_shape):
        return ValueError(f"Reshape '{self.name}': the total size of the new shape must equal "
                          f"the size of a sample of shape {tuple(input_shape[1:])}. Received: "
                          f"target_shape={self.target_shape}")

    def call(self, inputs):
        return em.reshape(inputs, self.compute_output_shape(inputs.shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
