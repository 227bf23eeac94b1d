"""`Accuracy` and `accuracy`: how often predictions equal labels exactly."""
from __future__ import annotations

import ember as em

from ..losses.loss import prepare_pair
from .mean_metric_wrapper import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true, else 0.0 (elementwise, after Keras' squeeze rule).

    Example:
        >>> import ember as em
        >>> em.keras.metrics.accuracy([1, 2, 3], [1, 2, 4]).numpy()
        array([1., 1., 0.], dtype=float32)
    """
    y_true, y_pred = prepare_pair("accuracy", y_true, y_pred)
    return em.cast(em.equal(y_true, y_pred), "float32")


class Accuracy(MeanMetricWrapper):
    """The fraction of predictions equal to their labels (values compared exactly; for
    probabilities use BinaryAccuracy, CategoricalAccuracy or SparseCategoricalAccuracy).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]]); float(m.result())
        0.75
    """

    direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}
