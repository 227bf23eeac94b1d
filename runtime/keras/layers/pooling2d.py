"""The base of the 2-D pooling layers (MaxPooling2D, AveragePooling2D)."""
from __future__ import annotations

from .conv_utils import check_data_format, normalize_padding, normalize_tuple, output_size
from .layer import InputSpec, Layer


class Pooling2D(Layer):
    """A reduction over pool_size windows of NHWC inputs; subclasses set `_pool` (an em.nn op).

    Args:
        pool_size: an int or (height, width) of the window.
        strides: an int or (height, width); None means pool_size.
        padding: "valid" or "same".
        data_format: only "channels_last".
    """

    _pool = None

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, name, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, name, "strides")
        self.padding = normalize_padding(padding, name)
        self.data_format = check_data_format(data_format, name)
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        return type(self)._pool(inputs, self.pool_size, strides=self.strides, padding=self.padding)

    def compute_output_shape(self, input_shape):
        h, w = (output_size(input_shape[1 + i], self.pool_size[i], self.strides[i], self.padding)
                for i in range(2))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}
