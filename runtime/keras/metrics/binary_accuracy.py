"""`BinaryAccuracy` and `binary_accuracy`: how often thresholded predictions match 0/1 labels."""
from __future__ import annotations

import ember as em

from ..losses.loss import prepare_pair
from .mean_metric_wrapper import MeanMetricWrapper


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold)` equals y_true, else 0.0.

    Example:
        >>> import ember as em
        >>> em.keras.metrics.binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]]).numpy()
        array([[1.],
               [0.]], dtype=float32)
    """
    y_true, y_pred = prepare_pair("binary_accuracy", y_true, y_pred)
    predicted = em.cast(y_pred > float(threshold), y_true.dtype)
    return em.cast(em.equal(y_true, predicted), "float32")


class BinaryAccuracy(MeanMetricWrapper):
    """The fraction of predictions that, thresholded, equal their 0/1 labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).
        threshold: a prediction above it counts as 1 (use 0.0 for logits).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]); float(m.result())
        0.75
    """

    direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
            raise ValueError(f"Argument `threshold` must be a number. Received: threshold={threshold!r}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
