"""`Dense`: a densely connected layer, `activation(inputs @ kernel + bias)`."""
from __future__ import annotations

import ember as em

from .. import initializers
from . import activations
from .layer import InputSpec, Layer


def check_positive_int(layer: str, arg: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{layer}: `{arg}` must be a positive integer. Received: {arg}={value!r}")
    return value


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` over the last axis of the inputs.

    Args:
        units: the size of the last axis of the output (a positive int).
        activation: an activation name or function; None for linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of the (input_dim, units) kernel.
        bias_initializer: initializer of the (units,) bias.

    Example:
        >>> layer = em.keras.layers.Dense(10, activation="relu")
        >>> layer(np.ones((32, 64), np.float32)).shape
        (32, 10)
        >>> layer.count_params()                         # 64 * 10 + 10
        650
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}': the last axis of the input must be known. "
                             f"Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight((input_dim, self.units), self.kernel_initializer, name="kernel")
        self.bias = (self.add_weight((self.units,), self.bias_initializer, name="bias")
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        x = inputs
        if x.ndim > 2:  # NOTE: one 2-D matmul over all leading dims
            x = em.reshape(x, (-1, x.shape[-1]))
        y = em.matmul(x, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        if inputs.ndim > 2:
            y = em.reshape(y, inputs.shape[:-1] + (self.units,))
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}
