"""`MeanMetricWrapper`: the running mean of a per-sample function of (y_true, y_pred)."""
from __future__ import annotations

import ember as em

from ..losses.loss import Loss
from .mean import Mean

_LOSSES_MODULE = Loss.__module__.rsplit(".", 1)[0]


class MeanMetricWrapper(Mean):
    """A `Mean` of `fn(y_true, y_pred, **kwargs)`, the per-sample values of a metric or loss
    function; a `Loss` instance contributes its per-sample `call` values.

    Args:
        fn: the per-sample function, or a `Loss`.
        name: the metric's name (default: the function's name).
        dtype: the dtype of the state and result (default float32).
        **kwargs: keyword arguments passed to `fn`.

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.MeanMetricWrapper(em.keras.losses.mean_absolute_error)
        >>> m.update_state([[1.0], [2.0]], [[2.0], [4.0]]); float(m.result())
        1.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"Argument `fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name or getattr(fn, "name", None) or getattr(fn, "__name__", None),
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if isinstance(fn, Loss) or getattr(fn, "__module__", "").startswith(_LOSSES_MODULE):
            self.direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if isinstance(self._fn, Loss):
            y_true = em.cast(em.convert_to_tensor(y_true), self._fn.dtype)
            y_pred = em.cast(em.convert_to_tensor(y_pred), self._fn.dtype)
            values = self._fn.call(y_true, y_pred)
        else:
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}
