"""Thresholded confusion counts (true/false positives/negatives), shared by Precision,
Recall and AUC, written with ember ops so that they update inside a compiled step."""
from __future__ import annotations

import numpy as np

import ember as em
from ember.frontend.errors import ShapeError, at_user_line

from ..losses.loss import squeeze_or_expand_to_same_rank

EPSILON = 1e-7


def parse_thresholds(thresholds, default=0.5) -> list[float]:
    """A list of thresholds in [0, 1] from None (the default), a number or a sequence."""
    values = [default] if thresholds is None else (
        list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds])
    bad = [t for t in values if not isinstance(t, (int, float, np.floating)) or not 0 <= t <= 1]
    if not values or bad:
        raise ValueError(f"Threshold values must be numbers in [0, 1]. Received: thresholds={thresholds!r}")
    return [float(t) for t in values]


def is_evenly_distributed(thresholds) -> bool:
    """Whether the thresholds are i / (n - 1) for i = 0..n-1 (n >= 3), Keras' test."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON))


def update_confusion_matrix_variables(variables: dict, y_true, y_pred, thresholds,
                                      evenly_distributed=False, sample_weight=None,
                                      class_id=None, name="confusion_matrix") -> None:
    """Adds, for each threshold t, the weighted counts of the elements with
    `y_pred > t` (predicted positive) and `y_true != 0` (labelled positive) to
    `variables["tp"]`, `["fp"]`, `["tn"]`, `["fn"]` (any subset), each of shape (len(thresholds),).

    With `evenly_distributed` (thresholds i / (n - 1), possibly with the end points moved
    by epsilon), predictions are clipped to [0, 1] and `y_pred * (n - 1) > i` is tested,
    which is exactly Keras' bucketed fast path; otherwise `y_pred > t` as Keras' general path.
    """
    y_true = em.cast(em.convert_to_tensor(y_true), "float32")
    y_pred = em.cast(em.convert_to_tensor(y_pred), "float32")
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ShapeError(at_user_line(
            f"{name}: y_true and y_pred must have the same shape (up to a trailing dimension of "
            f"1). Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"))
    weights = None
    if sample_weight is not None:
        weights = _broadcast_weights(em.cast(em.convert_to_tensor(sample_weight), "float32"),
                                     y_pred.shape, name)
    if class_id is not None:
        if y_pred.ndim < 2 or not 0 <= class_id < y_pred.shape[-1]:
            raise ShapeError(at_user_line(
                f"{name}: class_id={class_id} needs y_pred of shape (num_samples, num_classes) "
                f"with more than {class_id} classes. Received: y_pred.shape={y_pred.shape}"))
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
        weights = None if weights is None else weights[..., class_id]
    n = len(thresholds)
    if evenly_distributed:
        scaled = em.minimum(em.maximum(y_pred, 0.0), 1.0) * float(n - 1)
        # NOTE: an end point moved below 0 (above 1) by epsilon always (never) counts, as in
        # Keras, where the bucket of a prediction is ceil(p * (n - 1)) - 1, clipped at 0.
        cuts = np.arange(n, dtype=np.float32)
        if thresholds[0] < 0:
            cuts[0] = -0.5
        predicted = em.reshape(scaled, (-1, 1)) > em.constant(cuts)
    else:
        predicted = em.reshape(y_pred, (-1, 1)) > em.constant(np.asarray(thresholds, np.float32))
    labelled = em.reshape(em.not_equal(y_true, 0.0), (-1, 1))
    w = None if weights is None else em.reshape(weights, (-1, 1))
    conditions = {"tp": (labelled, predicted), "fn": (labelled, ~predicted),
                  "fp": (~labelled, predicted), "tn": (~labelled, ~predicted)}
    for key, variable in variables.items():
        label, pred = conditions[key]
        hits = em.cast(em.logical_and(label, pred), variable.dtype)
        if w is not None:
            hits = hits * em.cast(w, variable.dtype)
        variable.assign_add(em.reduce_sum(hits, axis=0))


def _broadcast_weights(weights, shape, name):
    if weights.ndim < len(shape) and weights.ndim > 0:
        weights = em.reshape(weights, weights.shape + (1,) * (len(shape) - weights.ndim))
    if weights.ndim > len(shape) or any(w not in (1, s) for w, s in zip(weights.shape[::-1], shape[::-1])):
        raise ShapeError(at_user_line(
            f"{name}: sample_weight of shape {weights.shape} cannot be broadcast to the "
            f"predictions' shape {shape}"))
    return em.broadcast_to(weights, shape)
