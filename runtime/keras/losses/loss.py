"""`Loss`: the base class of ember's Keras losses, and the shape and reduction rules they share.

A loss's `call(y_true, y_pred)` returns one value per sample (ember ops, so it runs eagerly
or inside `@em.function`); `__call__` weights those values with `sample_weight` and reduces
them to the scalar the model minimises.
"""
from __future__ import annotations

import re

import ember as em
from ember.frontend.dtypes import as_dtype
from ember.frontend.errors import ShapeError, at_user_line

EPSILON = 1e-7  # NOTE: Keras' backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON]
REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


class Loss:
    """Base loss: subclasses implement `call(y_true, y_pred)` returning per-sample losses.

    Args:
        name: the loss's name (default: the class name in snake_case).
        reduction: how `__call__` reduces the weighted per-sample losses:
            "sum_over_batch_size" (the mean over all elements; default), "mean" (the same),
            "sum", "mean_with_sample_weight" (the sum divided by the sum of the weights),
            or "none"/None (no reduction).
        dtype: the dtype inputs are converted to (default float32).

    Example:
        >>> import ember as em
        >>> class MeanCubic(em.keras.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return em.reduce_mean(em.abs(y_pred - y_true) ** 3, axis=-1)
        >>> float(MeanCubic()([[0.0, 0.0]], [[1.0, 2.0]]))
        4.5
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = em.float32 if dtype is None else as_dtype(dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss: a scalar tensor (per-sample losses with reduction "none")."""
        y_true = em.cast(em.convert_to_tensor(y_true), self.dtype)
        y_pred = em.cast(em.convert_to_tensor(y_pred), self.dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, self.reduction, self.dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name='{self.name}' reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A `Loss` from a function `fn(y_true, y_pred, **kwargs)` returning per-sample losses;
    a trailing dimension of 1 on either side is squeezed or added first.

    Args:
        fn: the per-sample loss function.
        reduction, name, dtype: as `Loss`.
        **kwargs: keyword arguments passed to `fn`.

    Example:
        >>> import ember as em
        >>> loss = em.keras.losses.LossFunctionWrapper(em.keras.losses.mean_absolute_error)
        >>> float(loss([1.0, 2.0], [2.0, 4.0]))
        1.5
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"Argument `fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


# -- shapes ------------------------------------------------------------------------------------
def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Keras' rule: when the ranks differ by one and the longer tensor ends in a dimension
    of 1, that dimension is squeezed (or, for a rank-1 partner, a 1 is added to it)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            return x1, em.expand_dims(x2, -1)
        return em.squeeze(x1, -1), x2
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            return em.expand_dims(x1, -1), x2
        return x1, em.squeeze(x2, -1)
    return x1, x2


def prepare_pair(fn_name: str, y_true, y_pred, hint: str = ""):
    """(y_true, y_pred) as tensors of y_pred's float dtype with equal shapes after Keras'
    squeeze/expand rule; any other mismatch is a ShapeError (a ValueError) naming both."""
    y_pred = em.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_float:
        y_pred = em.cast(y_pred, "float32")
    y_true = em.cast(em.convert_to_tensor(y_true), y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ShapeError(at_user_line(
            f"{fn_name}: y_true and y_pred must have the same shape (up to a trailing dimension "
            f"of 1). Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}{hint}"))
    return y_true, y_pred


def check_label_smoothing(label_smoothing) -> None:
    if (not isinstance(label_smoothing, (int, float)) or isinstance(label_smoothing, bool)
            or not 0 <= label_smoothing <= 1):
        raise ValueError(f"Argument `label_smoothing` must be a float in [0, 1]. Received: "
                         f"label_smoothing={label_smoothing!r}")


# -- reductions --------------------------------------------------------------------------------
def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{list(REDUCTIONS)}. Received: reduction={reduction!r}")
    return reduction


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size",
                           dtype=None):
    """`values * sample_weight` reduced as `reduction` says (see `Loss`)."""
    reduction = standardize_reduction(reduction)
    values = em.convert_to_tensor(values)
    if dtype is not None:
        values = em.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = em.cast(em.convert_to_tensor(sample_weight), values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        sample_weight = _broadcastable_weight(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    loss = em.reduce_sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = em.reduce_sum(em.broadcast_to(sample_weight, values.shape))
    else:
        divisor = em.constant(float(values.size), values.dtype)
    return divide_no_nan(loss, divisor)


def _broadcastable_weight(values, sample_weight):
    """sample_weight with trailing 1s added so that it weights whole samples, checked."""
    if sample_weight.ndim < values.ndim and sample_weight.ndim > 0:
        sample_weight = em.reshape(sample_weight, sample_weight.shape
                                   + (1,) * (values.ndim - sample_weight.ndim))
    lead = values.shape[:sample_weight.ndim]
    if sample_weight.ndim > values.ndim or any(w not in (1, v) for w, v in zip(sample_weight.shape, lead)):
        raise ShapeError(at_user_line(
            f"sample_weight of shape {sample_weight.shape} cannot weight per-sample losses of "
            f"shape {values.shape}"))
    return sample_weight


def divide_no_nan(x, y):
    """x / y, and 0 where y == 0 (as tf.math.divide_no_nan)."""
    zero = em.equal(y, 0)
    return em.where(zero, 0.0, x / em.where(zero, 1.0, y))


def _snake_case(name: str) -> str:
    """Keras' to_snake_case: "MeanSquaredError" -> "mean_squared_error", "AUC" -> "auc"."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
