"""`AUC`: the area under the ROC or precision-recall curve, from thresholded confusion counts."""
from __future__ import annotations

import numpy as np

import ember as em

from ..losses.loss import divide_no_nan
from .confusion_matrix import EPSILON, is_evenly_distributed, update_confusion_matrix_variables
from .metric import Metric

CURVES = ("ROC", "PR")
SUMMATION_METHODS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """The area under the ROC curve (or the precision-recall curve), approximated as Keras
    does: confusion counts are accumulated at `num_thresholds` thresholds and the curve is
    summed as a Riemann sum over consecutive thresholds.

    The thresholds are `-1e-7`, then `i / (num_thresholds - 1)` for i = 1..num_thresholds-2,
    then `1 + 1e-7`; a prediction counts as positive at a threshold when it is above it
    (predictions are clipped to [0, 1] first for these evenly spaced thresholds, as in
    Keras). `summation_method="interpolation"` (the default, Keras' default) is the
    trapezoidal rule for ROC, and for PR the interpolation of Davis & Goadrich (2006)
    (true and false positives vary linearly between thresholds); "minoring" and
    "majoring" take the lower or higher end of each interval as the height.

    Args:
        num_thresholds: the number of thresholds (> 1) when `thresholds` is None.
        curve: "ROC" or "PR".
        summation_method: "interpolation", "minoring" or "majoring".
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).
        thresholds: explicit thresholds in [0, 1] (the end points are added).
        from_logits: apply a sigmoid to y_pred first.

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]); float(m.result())
        0.75
    """

    direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, from_logits=False):
        if str(curve).upper() not in CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             f'{list(CURVES)}. Received: curve={curve!r}')
        if str(summation_method).lower() not in SUMMATION_METHODS:
            raise ValueError(f"Invalid AUC summation method value: \"{summation_method}\". "
                             f"Expected values are {list(SUMMATION_METHODS)}. Received: "
                             f"summation_method={summation_method!r}")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(float(t) for t in thresholds)
            if any(not 0 <= t <= 1 for t in thresholds):
                raise ValueError(f"Threshold values must be in [0, 1]. Received: thresholds={thresholds}")
            self.num_thresholds = len(thresholds) + 2
            self._evenly = is_evenly_distributed([0.0] + thresholds + [1.0])
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds!r}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = [0.0 - EPSILON] + thresholds + [1.0 + EPSILON]
        self.curve = str(curve).upper()
        self.summation_method = str(summation_method).lower()
        self.from_logits = from_logits
        super().__init__(name=name, dtype=dtype)
        shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")

    @property
    def thresholds(self) -> list[float]:
        """The thresholds the confusion counts are taken at (with both end points)."""
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.from_logits:
            y_pred = em.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {"tp": self.true_positives, "fp": self.false_positives,
             "tn": self.true_negatives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, self._evenly, sample_weight, name=self.name)

    def result(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = em.minimum(y[:-1], y[1:])
        else:
            heights = em.maximum(y[:-1], y[1:])
        return em.reduce_sum((x[:-1] - x[1:]) * heights)

    @staticmethod
    def _interpolate_pr_auc(tp, fp, fn):
        """Davis & Goadrich's interpolation, in Keras' closed form: between thresholds A and
        B, with P = tp + fp varying linearly, the area is
        `slope * (dTP + intercept * log(P_A / P_B)) / positives`."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, em.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = em.logical_and(p[:-1] > 0, p[1:] > 0)
        ratio = em.where(both, divide_no_nan(p[:-1], em.maximum(p[1:], 0.0)), 1.0)
        increments = divide_no_nan(slope * (dtp + intercept * em.log(ratio)),
                                   em.maximum(tp[1:] + fn[1:], 0.0))
        return em.reduce_sum(increments)

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config
