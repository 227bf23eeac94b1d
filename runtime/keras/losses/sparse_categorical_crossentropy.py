"""`SparseCategoricalCrossentropy` and `sparse_categorical_crossentropy`: the cross-entropy
of integer class labels."""
from __future__ import annotations

import ember as em
from ember.frontend.errors import ShapeError, at_user_line

from .categorical_crossentropy import log_probabilities
from .loss import LossFunctionWrapper


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample cross-entropy of integer labels: `-log p[label]`.

    Labels of shape (N,) or (N, 1) go with predictions of shape (N, C) (generally: the
    labels' shape is y_pred's without its last axis, with an optional trailing 1). From
    logits, `log p` is `log_softmax(y_pred)`; from probabilities they are rescaled to sum
    to 1 and clipped to [1e-7, 1 - 1e-7], as Keras computes it. A label outside [0, C)
    selects no class and contributes 0 (compiled code cannot raise).

    Args:
        y_true: integer class labels (ints or floats holding integers).
        y_pred: probabilities, or logits with `from_logits=True`; classes on the last axis.
        from_logits: whether y_pred holds logits.

    Returns:
        A tensor of the labels' shape (without a trailing 1).

    Example:
        >>> import ember as em
        >>> em.keras.losses.sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]).numpy()
        array([0.05129331, 2.3025851 ], dtype=float32)
    """
    y_pred = em.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_float:
        y_pred = em.cast(y_pred, "float32")
    y_true = em.convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.ndim > 0 and y_true.shape[-1] == 1:
        y_true = em.squeeze(y_true, -1)
    if y_pred.ndim == 0 or y_true.shape != y_pred.shape[:-1]:
        raise ShapeError(at_user_line(
            f"sparse_categorical_crossentropy: y_true must hold one integer label per row of "
            f"y_pred: its shape must be y_pred.shape[:-1] (optionally with a trailing 1). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"))
    labels = em.one_hot(em.cast(y_true, "int32"), y_pred.shape[-1], dtype=y_pred.dtype)
    return -em.reduce_sum(labels * log_probabilities(y_pred, from_logits), axis=-1)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """The cross-entropy between integer labels and predicted class probabilities (or
    logits). For one-hot labels use `CategoricalCrossentropy`.

    Args:
        from_logits: whether y_pred holds logits (more stable) rather than probabilities.
        reduction: see `Loss` (default "sum_over_batch_size").
        name: the loss's name.
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> loss = em.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        >>> round(float(loss([1], [[0.0, 0.0]])), 4)
        0.6931
    """

    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits)
        self.from_logits = from_logits
