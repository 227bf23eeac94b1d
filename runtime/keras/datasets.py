"""`em.keras.datasets`: small data sets that ship offline.

`digits` is scikit-learn's copy of the UCI handwritten digits: 1,797 images of 8x8 pixels,
labels 0-9. Needs scikit-learn (`pip install ember[examples]`).

Example:
    >>> (x_train, y_train), (x_test, y_test) = em.keras.datasets.digits.load_data()
    >>> x_train.shape, x_train.dtype, y_train.dtype
    ((1438, 8, 8), dtype('float32'), dtype('int32'))
"""
from __future__ import annotations

import math
import types

import numpy as np


def load_digits_data(test_split: float = 0.2, seed: int = 113):
    """((x_train, y_train), (x_test, y_test)) of the 8x8 digits.

    Images are float32 in [0, 1] of shape (n, 8, 8) (add a channel axis for Conv2D: x[..., None]),
    labels int32 in 0..9. The split is a seeded shuffle, stratified by class (each class
    keeps its share in both parts), so the same seed always gives the same split.

    Args:
        test_split: the fraction of the samples in the test set, in (0, 1).
        seed: seeds the shuffle.
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 < test_split < 1:
        raise ValueError(f"digits.load_data: `test_split` must be a float in (0, 1). "
                         f"Received: test_split={test_split!r}")
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("em.keras.datasets.digits needs scikit-learn: "
                          "pip install scikit-learn (or ember[examples])") from None
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)
    y = data.target.astype(np.int32)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in range(10):
        index = rng.permutation(np.flatnonzero(y == label))
        n_test = int(math.ceil(len(index) * test_split))
        test.append(index[:n_test])
        train.append(index[n_test:])
    train, test = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    return (x[train], y[train]), (x[test], y[test])


digits = types.SimpleNamespace(load_data=load_digits_data)

__all__ = ["digits", "load_digits_data"]
