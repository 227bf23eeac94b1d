"""`Mean`: the (weighted) running mean of values; with `name="loss"` it is a model's loss tracker."""
from __future__ import annotations

import ember as em

from ..losses.loss import divide_no_nan, squeeze_or_expand_to_same_rank
from .metric import Metric


class Mean(Metric):
    """The weighted mean of all values seen: `total / count`, both state Variables.

    `update_state(values, sample_weight)` adds `sum(values * sample_weight)` to `total` and
    `sum(sample_weight)` to `count` (the number of values without weights). Values of rank
    > 1 are first averaged per sample (over all but the first axis); a weight of lower rank
    than the values averages them down to its rank first (Keras' rule). A model tracks its
    epoch loss with `Mean(name="loss")` updated as `update_state(batch_loss,
    sample_weight=batch_size)`, which weights a short last batch correctly.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result (default float32).

    Example:
        >>> import ember as em
        >>> m = em.keras.metrics.Mean()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0]); float(m.result())
        4.0
        >>> m.reset_state(); m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None) -> None:
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self.dtype)
        self.total.assign_add(em.reduce_sum(values))
        if sample_weight is not None:
            count = em.reduce_sum(sample_weight)
        else:
            count = float(values.shape[0]) if values.ndim >= 1 else 1.0
        self.count.assign_add(em.cast(count, self.dtype))

    def result(self):
        return divide_no_nan(self.total.value(), self.count.value())


def reduce_to_samplewise_values(values, sample_weight, dtype):
    """(values, sample_weight) reduced to one weighted value per sample (Keras' rule)."""
    values = em.cast(em.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = em.cast(em.convert_to_tensor(sample_weight), dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        if values.ndim > sample_weight.ndim:
            values = em.reduce_mean(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = em.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = em.reduce_mean(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = em.reduce_mean(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight
