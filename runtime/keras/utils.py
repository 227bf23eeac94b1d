"""`em.keras.utils`: Keras' helpers `set_random_seed` and `to_categorical`.

Example:
    >>> import ember as em
    >>> em.keras.utils.set_random_seed(1337)
    >>> em.keras.utils.to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from . import random


def set_random_seed(seed: int) -> None:
    """Seeds Keras' randomness: weight initializers, unseeded `SeedGenerator`s (Dropout) and
    shuffles (as `keras.utils.set_random_seed`; delegates to `em.keras.random`).

    Args:
        seed: a non-negative int.

    Example:
        >>> em.keras.utils.set_random_seed(0)
        >>> a = em.keras.layers.Dense(3)(np.ones((1, 2), np.float32))
        >>> em.keras.utils.set_random_seed(0)
        >>> b = em.keras.layers.Dense(3)(np.ones((1, 2), np.float32))   # equal to a
    """
    random.set_random_seed(seed)


def to_categorical(y, num_classes: int | None = None) -> np.ndarray:
    """One-hot float32 rows for integer class labels, as `keras.utils.to_categorical`.

    A trailing axis of size 1 in `y` is dropped (labels of shape (n, 1) give (n, classes)).

    Args:
        y: integer labels in [0, num_classes) (array-like, any shape).
        num_classes: the number of classes; default `max(y) + 1`.

    Example:
        >>> em.keras.utils.to_categorical(np.array([[1], [0]])).shape
        (2, 2)
    """
    labels = np.asarray(y)
    if labels.dtype.kind == "f" and labels.size and not np.all(labels == np.round(labels)):
        raise ValueError(f"to_categorical expects integer class labels. Received: y={y!r}")
    if labels.dtype.kind not in "iuf" and labels.size:
        raise ValueError(f"to_categorical expects integer class labels. Received: y with dtype "
                         f"{labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes <= 0:
        raise ValueError(f"to_categorical: `num_classes` must be a positive int. "
                         f"Received: num_classes={num_classes!r}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}). Received: labels "
                         f"from {labels.min()} to {labels.max()}")
    return np.eye(int(num_classes), dtype=np.float32)[labels]
