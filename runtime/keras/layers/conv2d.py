"""`Conv2D`: a 2-D convolution over NHWC inputs."""
from __future__ import annotations

import ember as em

from .. import initializers
from . import activations
from .conv_utils import check_data_format, normalize_padding, normalize_tuple, output_size
from .dense import check_positive_int
from .layer import InputSpec, Layer


class Conv2D(Layer):
    """`activation(conv2d(inputs, kernel) + bias)` over (batch, height, width, channels) inputs.

    Args:
        filters: the number of output channels.
        kernel_size: an int or (height, width) of the window.
        strides: an int or (height, width).
        padding: "valid" (no padding) or "same" (output size ceil(size / stride)).
        dilation_rate: an int or (height, width); strides and dilations > 1 cannot be mixed.
        activation: an activation name or function; None for linear.
        use_bias: whether to add a bias per filter.
        kernel_initializer: initializer of the (kh, kw, in_channels, filters) kernel.
        bias_initializer: initializer of the (filters,) bias.
        data_format: only "channels_last".

    Example:
        >>> conv = em.keras.layers.Conv2D(16, 3, padding="same", activation="relu")
        >>> conv(np.ones((2, 8, 8, 1), np.float32)).shape
        (2, 8, 8, 16)
        >>> conv.count_params()                          # 3 * 3 * 1 * 16 + 16
        160
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int("Conv2D", "filters", filters)
        self.kernel_size = normalize_tuple(kernel_size, "Conv2D", "kernel_size")
        self.strides = normalize_tuple(strides, "Conv2D", "strides")
        self.padding = normalize_padding(padding, "Conv2D")
        self.dilation_rate = normalize_tuple(dilation_rate, "Conv2D", "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"Conv2D: strides > 1 are not supported together with "
                             f"dilation_rate > 1. Received: strides={strides}, "
                             f"dilation_rate={dilation_rate}")
        self.data_format = check_data_format(data_format, "Conv2D")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"Conv2D '{self.name}': the channel axis (last) of the input must be "
                             f"known. Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(self.kernel_size + (channels, self.filters),
                                      self.kernel_initializer, name="kernel")
        self.bias = (self.add_weight((self.filters,), self.bias_initializer, name="bias")
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def call(self, inputs):
        y = em.nn.conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                         dilations=self.dilation_rate)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        h, w = (output_size(input_shape[1 + i], self.kernel_size[i], self.strides[i],
                            self.padding, self.dilation_rate[i]) for i in range(2))
        return (input_shape[0], h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "dilation_rate": self.dilation_rate, "data_format": self.data_format,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}
