"""`CategoricalCrossentropy` and `categorical_crossentropy`: the cross-entropy of one-hot
(or soft) labels."""
from __future__ import annotations

import ember as em
from ember.frontend.errors import ShapeError, at_user_line

from .loss import EPSILON, LossFunctionWrapper, check_label_smoothing, prepare_pair


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy `-sum(y_true * log(p), axis)`.

    From logits, `log p` is `log_softmax(y_pred)` (finite for any logits); from
    probabilities, y_pred is first rescaled to sum to 1 along `axis` and clipped to
    [1e-7, 1 - 1e-7], as Keras computes it.

    Args:
        y_true: one-hot (or soft) labels, of y_pred's shape.
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether y_pred holds logits.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.

    Returns:
        A tensor with `axis` reduced.

    Example:
        >>> import ember as em
        >>> em.keras.losses.categorical_crossentropy([[0.0, 1.0, 0.0]], [[0.05, 0.95, 0.0]]).numpy()
        array([0.05129331], dtype=float32)
    """
    y_true, y_pred = prepare_pair(
        "categorical_crossentropy", y_true, y_pred,
        hint="; for integer class labels use sparse_categorical_crossentropy")
    if y_pred.ndim == 0 or not -y_pred.ndim <= axis < y_pred.ndim:
        raise ShapeError(at_user_line(
            f"categorical_crossentropy: axis {axis} is out of range for y_pred of shape "
            f"{y_pred.shape}"))
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -em.reduce_sum(y_true * log_probabilities(y_pred, from_logits, axis), axis=axis)


def log_probabilities(y_pred, from_logits: bool, axis: int = -1):
    """log of the class probabilities: log_softmax of logits, or the log of probabilities
    rescaled to sum to 1 and clipped to [1e-7, 1 - 1e-7] (Keras' rule)."""
    if from_logits:
        return em.nn.log_softmax(y_pred, axis=axis)
    p = y_pred / em.reduce_sum(y_pred, axis=axis, keepdims=True)
    return em.log(em.minimum(em.maximum(p, EPSILON), 1.0 - EPSILON))


class CategoricalCrossentropy(LossFunctionWrapper):
    """The cross-entropy between one-hot labels and predicted class probabilities (or
    logits). For integer labels use `SparseCategoricalCrossentropy`.

    Args:
        from_logits: whether y_pred holds logits (more stable) rather than probabilities.
        label_smoothing: in [0, 1]; mixes the labels with the uniform distribution.
        axis: the class axis.
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> loss = em.keras.losses.CategoricalCrossentropy(from_logits=True)
        >>> round(float(loss([[0.0, 1.0]], [[0.0, 0.0]])), 4)
        0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"Argument `axis` must be an int. Received: axis={axis!r}")
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
