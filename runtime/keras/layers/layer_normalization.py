"""`LayerNormalization`: normalises each sample over its feature axes."""
from __future__ import annotations

import ember as em

from .. import initializers
from .layer import Layer
from .normalization_utils import broadcast_shape, check_axis_arg, normalize, normalize_axes


class LayerNormalization(Layer):
    """`gamma * (x - mean) / sqrt(var + epsilon) + beta`, mean and var over `axis` of each sample.

    Args:
        axis: the axis (or axes) to normalise over, and the shape of gamma and beta.
        epsilon: added to the variance.
        center: learn an offset `beta`.
        scale: learn a factor `gamma`.
        beta_initializer, gamma_initializer: their initializers.

    Example:
        >>> ln = em.keras.layers.LayerNormalization()
        >>> ln(np.random.rand(2, 5, 16).astype(np.float32)).shape
        (2, 5, 16)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg(axis, "LayerNormalization")
        if epsilon <= 0:
            raise ValueError(f"LayerNormalization: `epsilon` must be positive. "
                             f"Received: epsilon={epsilon!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        axes = normalize_axes(self.axis, len(input_shape), "LayerNormalization")
        if any(input_shape[a] is None for a in axes):
            raise ValueError(f"LayerNormalization '{self.name}': the normalised axes must be "
                             f"known. Received: input_shape={tuple(input_shape)}")
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight(shape, self.beta_initializer, name="beta") if self.center else None

    def call(self, inputs):
        axes = normalize_axes(self.axis, inputs.ndim, "LayerNormalization")
        shape = broadcast_shape(inputs.shape, axes)
        mean = em.reduce_mean(inputs, axis=axes, keepdims=True)
        variance = em.reduce_mean(em.square(inputs - mean), axis=axes, keepdims=True)
        return normalize(inputs, mean, variance, self.epsilon, self.gamma, self.beta, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer)}
