"""`LearningRateSchedule`: a learning rate computed from the optimizer's step counter.

A schedule is called with the optimizer's `iterations` (an int64 tensor) and returns the
learning rate as a float32 tensor built from ember ops, so inside a compiled training step
the rate follows the counter without retracing.
"""
from __future__ import annotations


class LearningRateSchedule:
    """Base class of learning rate schedules: subclasses implement `__call__(step)` and
    `get_config()`.

    Example:
        >>> import ember as em
        >>> class InverseTime(em.keras.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (em.cast(step, "float32") + 1.0)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
        >>> opt = em.keras.optimizers.SGD(learning_rate=InverseTime(0.1))
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
            f"order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


def validate_decay_steps(decay_steps) -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
