"""`Recall`: true positives / actual positives, at one or several thresholds."""
from __future__ import annotations

from ..losses.loss import divide_no_nan
from .confusion_matrix import is_evenly_distributed, parse_thresholds, update_confusion_matrix_variables
from .metric import Metric


class Recall(Metric):
    """The recall `tp / (tp + fn)` of predictions thresholded with `y_pred > threshold`
    (labels count as positive when nonzero), accumulated over batches.

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5); with a list the
            result holds one recall per threshold.
        class_id: if set, only this column of (num_samples, num_classes) inputs is scored.
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); round(float(m.result()), 4)
        0.6667
    """

    direction = "up"

    def __init__(self, thresholds=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds)
        self._evenly = is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            {"tp": self.true_positives, "fn": self.false_negatives}, y_true, y_pred,
            self.thresholds, self._evenly, sample_weight, self.class_id, name=self.name)

    def result(self):
        tp = self.true_positives.value()
        out = divide_no_nan(tp, tp + self.false_negatives.value())
        return out[0] if len(self.thresholds) == 1 else out

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "class_id": self.class_id}
