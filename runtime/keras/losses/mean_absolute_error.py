"""`MeanAbsoluteError` and `mean_absolute_error`: mean(abs(y_true - y_pred), axis=-1)."""
from __future__ import annotations

import ember as em

from .loss import LossFunctionWrapper, prepare_pair


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error over the last axis.

    Args:
        y_true: targets, of y_pred's shape (up to a trailing dimension of 1).
        y_pred: predictions, shape (batch_size, d0, ..., dN).

    Returns:
        A tensor of shape (batch_size, d0, ..., dN-1).

    Example:
        >>> import ember as em
        >>> em.keras.losses.mean_absolute_error([[0.0, 1.0]], [[2.0, 1.0]]).numpy()
        array([1.], dtype=float32)
    """
    y_true, y_pred = prepare_pair("mean_absolute_error", y_true, y_pred)
    return em.reduce_mean(em.abs(y_true - y_pred), axis=-1)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of absolute errors between labels and predictions.

    Args:
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> float(em.keras.losses.MeanAbsoluteError()([[0.0, 1.0]], [[2.0, 1.0]]))
        1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)
