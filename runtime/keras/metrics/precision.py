"""`Precision`: true positives / predicted positives, at one or several thresholds."""
from __future__ import annotations

from .thresholded_ratio import ThresholdedRatio


class Precision(ThresholdedRatio):
    """The precision `tp / (tp + fp)` of predictions thresholded with `y_pred > threshold`
    (labels count as positive when nonzero), accumulated over batches.

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5); with a list the
            result holds one precision per threshold.
        class_id: if set, only this column of (num_samples, num_classes) inputs is scored.
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); round(float(m.result()), 4)
        0.6667
    """

    other_count = "fp"
