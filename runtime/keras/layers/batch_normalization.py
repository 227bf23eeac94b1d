"""`BatchNormalization`: normalises features with batch statistics (training) or moving ones."""
from __future__ import annotations

import ember as em

from .. import initializers
from .layer import InputSpec, Layer
from .normalization_utils import broadcast_shape, check_axis_arg, normalize, normalize_axes


class BatchNormalization(Layer):
    """`gamma * (x - mean) / sqrt(var + epsilon) + beta` per feature along `axis`.

    In training (`training=True`) mean and var are the batch's (over every axis but `axis`)
    and the moving statistics are updated by assignment,
    `moving = moving * momentum + batch * (1 - momentum)`; in inference the moving mean
    and variance are used. The moving statistics are non-trainable weights.

    Args:
        axis: the feature axis (or axes); -1 for channels_last.
        momentum: of the moving averages.
        epsilon: added to the variance.
        center: learn an offset `beta`.
        scale: learn a factor `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers of the four weights.

    Example:
        >>> bn = em.keras.layers.BatchNormalization()
        >>> y = bn(np.random.rand(32, 4).astype(np.float32), training=True)  # ~zero mean
        >>> [w.shape for w in bn.get_weights()]     # gamma, beta, moving mean, moving variance
        [(4,), (4,), (4,), (4,)]
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg(axis, "BatchNormalization")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: `momentum` must be in [0, 1]. "
                             f"Received: momentum={momentum!r}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: `epsilon` must be positive. "
                             f"Received: epsilon={epsilon!r}")
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        axes = normalize_axes(self.axis, len(input_shape), "BatchNormalization")
        if any(input_shape[a] is None for a in axes):
            raise ValueError(f"BatchNormalization '{self.name}': the feature axis must be known. "
                             f"Received: input_shape={tuple(input_shape)}")
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight(shape, self.beta_initializer, name="beta") if self.center else None
        self.moving_mean = self.add_weight(shape, self.moving_mean_initializer, trainable=False,
                                           name="moving_mean")
        self.moving_variance = self.add_weight(shape, self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: input_shape[a] for a in axes})

    def call(self, inputs, training=None):
        axes = normalize_axes(self.axis, inputs.ndim, "BatchNormalization")
        reduce = tuple(i for i in range(inputs.ndim) if i not in axes)
        shape = broadcast_shape(inputs.shape, axes)
        if training:
            mean = em.reduce_mean(inputs, axis=reduce, keepdims=True)
            variance = em.reduce_mean(em.square(inputs - mean), axis=reduce, keepdims=True)
            params = self.moving_mean.shape
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + em.reshape(mean, params) * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m
                                        + em.reshape(variance, params) * (1.0 - m))
        else:
            mean = em.reshape(self.moving_mean, shape)
            variance = em.reshape(self.moving_variance, shape)
        return normalize(inputs, mean, variance, self.epsilon, self.gamma, self.beta, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer)}
