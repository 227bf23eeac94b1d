"""`MonitorCallback`: the shared logic of callbacks watching one logged quantity."""
from __future__ import annotations

import operator
import re

from .callback import Callback

MODES = ("auto", "min", "max")
# NOTE: for mode="auto" when the model does not say which way a metric goes: names that
# are better when higher (Keras' metrics with direction "up").
_HIGHER_IS_BETTER = re.compile(r"(^|_)(acc|accuracy|auc|precision|recall)(_|$)")


class MonitorCallback(Callback):
    """Base class of EarlyStopping, ReduceLROnPlateau and ModelCheckpoint: picks whether a
    lower or higher value of `monitor` is better and tells improvements apart.

    With `mode="auto"`, losses (`loss`, `val_loss`) are minimised; another metric's
    direction comes from the model's metric of that name (its `direction`, "up" or "down"),
    else from its name (accuracy, auc, precision and recall are maximised, the rest
    minimised).

    Args:
        monitor: the log key to watch, e.g. "val_loss" or "accuracy".
        mode: "auto", "min" or "max".
        baseline: an initial best value, or None (the first value seen).
        min_delta: the smallest change that counts as an improvement (>= 0).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"{type(self).__name__}: mode must be one of {list(MODES)}. "
                             f"Received: mode={mode!r}")
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{type(self).__name__}: monitor must be a log key such as "
                             f"'val_loss'. Received: monitor={monitor!r}")
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = operator.gt if self._higher_is_better() else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _higher_is_better(self) -> bool:
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return False
        for metric in _model_metrics(self.model):
            if getattr(metric, "name", None) == name and getattr(metric, "direction", None):
                return metric.direction == "up"
        return _HIGHER_IS_BETTER.search(name) is not None

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _model_metrics(model) -> list:
    """The metrics a model exposes (nested `.metrics` containers flattened)."""
    found, stack = [], list(getattr(model, "metrics", None) or [])
    while stack:
        metric = stack.pop(0)
        found.append(metric)
        stack.extend(getattr(metric, "metrics", None) or [])
    return found
