"""`ExponentialDecay`: initial_learning_rate * decay_rate ** (step / decay_steps)."""
from __future__ import annotations

import ember as em

from .learning_rate_schedule import LearningRateSchedule, validate_decay_steps


class ExponentialDecay(LearningRateSchedule):
    """A learning rate decaying exponentially with the step (Keras' `ExponentialDecay`).

    `lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)`; with
    `staircase=True` the exponent is floored, so the rate drops every `decay_steps` steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps per factor of `decay_rate`; must be > 0.
        decay_rate: the factor applied every `decay_steps` steps.
        staircase: decay in discrete intervals.
        name: the schedule's name.

    Example:
        >>> import ember as em
        >>> s = em.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> round(float(s(em.constant(20))), 6)
        0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        validate_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = em.cast(step, "float32") / float(self.decay_steps)
        if self.staircase:
            p = em.floor(p)
        return float(self.initial_learning_rate) * em.pow(em.constant(float(self.decay_rate)), p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
