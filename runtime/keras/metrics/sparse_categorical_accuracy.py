"""`SparseCategoricalAccuracy` and `sparse_categorical_accuracy`: how often the predicted
class is the integer label."""
from __future__ import annotations

import ember as em
from ember.frontend.errors import ShapeError, at_user_line

from .mean_metric_wrapper import MeanMetricWrapper


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) along the last axis equals the integer label, else 0.0.
    Labels have y_pred's shape without its last axis, optionally with a trailing 1.

    Example:
        >>> import ember as em
        >>> em.keras.metrics.sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).numpy()
        array([0., 1.], dtype=float32)
    """
    y_pred = em.convert_to_tensor(y_pred)
    y_true = em.convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.ndim > 0 and y_true.shape[-1] == 1:
        y_true = em.squeeze(y_true, -1)
    if y_pred.ndim == 0 or y_true.shape != y_pred.shape[:-1]:
        raise ShapeError(at_user_line(
            f"sparse_categorical_accuracy: y_true must hold one integer label per row of y_pred: "
            f"its shape must be y_pred.shape[:-1] (optionally with a trailing 1). Received: "
            f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"))
    predicted = em.cast(em.argmax(y_pred, axis=-1), "float32")
    return em.cast(em.equal(em.cast(y_true, "float32"), predicted), "float32")


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose predicted class (argmax of probabilities or logits)
    is their integer label.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]); float(m.result())
        0.5
    """

    direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}
