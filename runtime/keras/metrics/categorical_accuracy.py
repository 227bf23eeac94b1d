"""`CategoricalAccuracy` and `categorical_accuracy`: how often the predicted class is the
one-hot label's class."""
from __future__ import annotations

import ember as em

from ..losses.loss import prepare_pair
from .mean_metric_wrapper import MeanMetricWrapper


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) along the last axis, else 0.0 (ties
    go to the first maximum, as np.argmax).

    Example:
        >>> import ember as em
        >>> em.keras.metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).numpy()
        array([0., 1.], dtype=float32)
    """
    y_true, y_pred = prepare_pair(
        "categorical_accuracy", y_true, y_pred,
        hint="; for integer class labels use sparse_categorical_accuracy")
    return em.cast(em.equal(em.argmax(y_true, axis=-1), em.argmax(y_pred, axis=-1)), "float32")


class CategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose predicted class (argmax of probabilities or logits)
    is the class of their one-hot label.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]); float(m.result())
        0.5
    """

    direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}
