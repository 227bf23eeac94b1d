"""`MeanSquaredError` and `mean_squared_error`: mean(square(y_true - y_pred), axis=-1)."""
from __future__ import annotations

import ember as em

from .loss import LossFunctionWrapper, prepare_pair


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error over the last axis.

    Args:
        y_true: targets, of y_pred's shape (up to a trailing dimension of 1).
        y_pred: predictions, shape (batch_size, d0, ..., dN).

    Returns:
        A tensor of shape (batch_size, d0, ..., dN-1).

    Example:
        >>> import ember as em
        >>> em.keras.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
        array([0.5], dtype=float32)
    """
    y_true, y_pred = prepare_pair("mean_squared_error", y_true, y_pred)
    return em.reduce_mean(em.square(y_true - y_pred), axis=-1)


class MeanSquaredError(LossFunctionWrapper):
    """The mean of squares of errors between labels and predictions.

    Args:
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> float(em.keras.losses.MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)
