"""`Dropout`: zeroes random inputs while training."""
from __future__ import annotations

import ember as em

from ..random import SeedGenerator
from .layer import Layer


class Dropout(Layer):
    """While training, zeroes each input element with probability `rate` and scales the others
    by 1 / (1 - rate); the identity otherwise (training falsy).

    The mask comes from a `SeedGenerator`: a compiled training step draws a new mask at every
    call (its state is a Variable the step reads and updates).

    Args:
        rate: the fraction of elements to drop, in [0, 1).
        noise_shape: a shape broadcast to the input's, to share the mask across axes
            (e.g. (batch, 1, 1, channels) drops whole feature maps).
        seed: an int for reproducible masks; None draws one from the global seed stream.

    Example:
        >>> drop = em.keras.layers.Dropout(0.5, seed=0)
        >>> y = drop(np.ones((4, 8), np.float32), training=True)   # zeros and twos
        >>> drop(np.ones((4, 8), np.float32)).numpy().min()         # inference: identity
        1.0
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                             f"in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed, name=f"{self.name}/seed_generator_state")
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        noise_shape = None
        if self.noise_shape is not None:  # None entries take the input's size, as in Keras
            noise_shape = tuple(d if n is None else n for n, d in zip(self.noise_shape, inputs.shape))
        return em.nn.dropout(inputs, self.rate, seed=self.seed_generator.next(),
                             noise_shape=noise_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}
