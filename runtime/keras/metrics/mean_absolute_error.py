"""`MeanAbsoluteError` (metric): the running mean of the per-sample mean absolute error."""
from __future__ import annotations

from ..losses.mean_absolute_error import mean_absolute_error
from .mean_metric_wrapper import MeanMetricWrapper


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean absolute error between labels and predictions, averaged over all samples seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]]); float(m.result())
        0.25
    """

    direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}
