"""`BinaryCrossentropy` and `binary_crossentropy`: the cross-entropy of 0/1 labels."""
from __future__ import annotations

import ember as em

from .loss import EPSILON, LossFunctionWrapper, check_label_smoothing, prepare_pair


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over `axis`.

    From logits x it is `max(x, 0) - x * z + log1p(exp(-|x|))` (finite for any x); from
    probabilities p it is `-(z * log(p) + (1 - z) * log(1 - p))` with p clipped to
    [1e-7, 1 - 1e-7], as Keras computes it.

    Args:
        y_true: labels in [0, 1], of y_pred's shape (up to a trailing dimension of 1).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether y_pred holds logits.
        label_smoothing: in [0, 1]; labels become `z * (1 - s) + 0.5 * s`.
        axis: the axis the mean is taken over.

    Returns:
        A tensor with `axis` reduced.

    Example:
        >>> import ember as em
        >>> em.keras.losses.binary_crossentropy([[0.0, 1.0]], [[0.4, 0.6]]).numpy().round(4)
        array([0.5108], dtype=float32)
    """
    y_true, y_pred = prepare_pair("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        losses = (em.maximum(y_pred, 0.0) - y_pred * y_true
                  + em.log1p(em.exp(-em.abs(y_pred))))
    else:
        p = em.minimum(em.maximum(y_pred, EPSILON), 1.0 - EPSILON)
        losses = -(y_true * em.log(p) + (1.0 - y_true) * em.log(1.0 - p))
    return em.reduce_mean(losses, axis=axis)


class BinaryCrossentropy(LossFunctionWrapper):
    """The cross-entropy between true 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: whether y_pred holds logits (more stable) rather than probabilities.
        label_smoothing: in [0, 1]; squeezes labels towards 0.5.
        axis: the axis the mean is taken over.
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> loss = em.keras.losses.BinaryCrossentropy(from_logits=True)
        >>> round(float(loss([[1.0], [0.0]], [[100.0], [-100.0]])), 6)
        0.0
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing)
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

