"""`ThresholdedRatio`: tp / (tp + other) over thresholded predictions, the shared body of
`Precision` (other = false positives) and `Recall` (other = false negatives)."""
from __future__ import annotations

from ..losses.loss import divide_no_nan
from .confusion_matrix import is_evenly_distributed, parse_thresholds, update_confusion_matrix_variables
from .metric import Metric

_NAMES = {"fp": "false_positives", "fn": "false_negatives"}


class ThresholdedRatio(Metric):
    """Accumulates true positives and `other_count` ("fp" or "fn") per threshold."""

    direction = "up"
    other_count = ""  # set by subclasses

    def __init__(self, thresholds=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds)
        self._evenly = is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        other = _NAMES[self.other_count]
        setattr(self, other, self.add_variable((n,), "zeros", name=other))

    @property
    def _other(self):
        return getattr(self, _NAMES[self.other_count])

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            {"tp": self.true_positives, self.other_count: self._other}, y_true, y_pred,
            self.thresholds, self._evenly, sample_weight, self.class_id, name=self.name)

    def result(self):
        tp = self.true_positives.value()
        out = divide_no_nan(tp, tp + self._other.value())
        return out[0] if len(self.thresholds) == 1 else out

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "class_id": self.class_id}
