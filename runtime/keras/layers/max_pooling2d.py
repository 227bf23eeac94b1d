"""`MaxPooling2D`: the maximum over windows of NHWC inputs."""
from __future__ import annotations

import ember as em

from .pooling2d import Pooling2D


class MaxPooling2D(Pooling2D):
    """The maximum over each pool_size window (strides default to pool_size).

    Args:
        pool_size: an int or (height, width) of the window.
        strides: an int or (height, width); None means pool_size.
        padding: "valid" or "same".

    Example:
        >>> em.keras.layers.MaxPooling2D(2)(np.ones((1, 8, 8, 3), np.float32)).shape
        (1, 4, 4, 3)
    """

    _pool = staticmethod(em.nn.max_pool2d)
