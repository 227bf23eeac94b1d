"""`GlobalAveragePooling2D`: the mean over the spatial axes of NHWC inputs."""
from __future__ import annotations

import ember as em

from .conv_utils import check_data_format
from .layer import InputSpec, Layer


class GlobalAveragePooling2D(Layer):
    """(batch, h, w, c) -> (batch, c), the mean over h and w.

    Args:
        keepdims: keep the spatial axes (as size 1): (batch, 1, 1, c).
        data_format: only "channels_last".

    Example:
        >>> em.keras.layers.GlobalAveragePooling2D()(np.ones((2, 4, 4, 8), np.float32)).shape
        (2, 8)
    """

    def __init__(self, keepdims=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.keepdims = bool(keepdims)
        self.data_format = check_data_format(data_format, "GlobalAveragePooling2D")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        return em.reduce_mean(inputs, axis=(1, 2), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0], 1, 1, input_shape[3])
        return (input_shape[0], input_shape[3])

    def get_config(self):
        return {**super().get_config(), "keepdims": self.keepdims, "data_format": self.data_format}
