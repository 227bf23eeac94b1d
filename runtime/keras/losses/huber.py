"""`Huber` and `huber`: quadratic for small errors, linear for large ones."""
from __future__ import annotations

import ember as em

from .loss import LossFunctionWrapper, prepare_pair


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss over the last axis: with `e = y_pred - y_true`, the mean of
    `0.5 * e^2` where `|e| <= delta`, else `delta * |e| - 0.5 * delta^2`.

    Args:
        y_true: targets, of y_pred's shape (up to a trailing dimension of 1).
        y_pred: predictions, shape (batch_size, d0, ..., dN).
        delta: where the loss changes from quadratic to linear.

    Returns:
        A tensor of shape (batch_size, d0, ..., dN-1).

    Example:
        >>> import ember as em
        >>> em.keras.losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy()
        array([1.3125], dtype=float32)
    """
    y_true, y_pred = prepare_pair("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = em.abs(error)
    delta = float(delta)
    quadratic = 0.5 * em.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return em.reduce_mean(em.where(abs_error <= delta, quadratic, linear), axis=-1)


class Huber(LossFunctionWrapper):
    """The Huber loss between labels and predictions (see `huber`).

    Args:
        delta: where the loss changes from quadratic to linear; must be > 0.
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> float(em.keras.losses.Huber(delta=2.0)([[0.0]], [[3.0]]))
        4.0
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        if not isinstance(delta, (int, float)) or isinstance(delta, bool) or delta <= 0:
            raise ValueError(f"Argument `delta` must be a positive number. Received: delta={delta!r}")
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
