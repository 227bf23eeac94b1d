"""`AveragePooling2D`: the mean over windows of NHWC inputs."""
from __future__ import annotations

import ember as em

from .pooling2d import Pooling2D


class AveragePooling2D(Pooling2D):
    """The mean over each pool_size window; with "same" padding, border windows average
    only their input elements.

    Args:
        pool_size: an int or (height, width) of the window.
        strides: an int or (height, width); None means pool_size.
        padding: "valid" or "same".

    Example:
        >>> em.keras.layers.AveragePooling2D(2)(np.ones((1, 8, 8, 3), np.float32)).shape
        (1, 4, 4, 3)
    """

    _pool = staticmethod(em.nn.avg_pool2d)
