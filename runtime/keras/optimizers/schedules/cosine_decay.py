"""`CosineDecay`: a cosine decay of the learning rate, with an optional linear warmup."""
from __future__ import annotations

import math

import ember as em

from .learning_rate_schedule import LearningRateSchedule, validate_decay_steps


class CosineDecay(LearningRateSchedule):
    """A cosine decay from a rate to `alpha` times that rate (Keras' `CosineDecay`).

    Without warmup (`warmup_target=None`):
    `lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)`
    with `s = min(step, decay_steps)`. With `warmup_target`, the rate first rises linearly
    from `initial_learning_rate` to `warmup_target` over `warmup_steps` steps, then decays
    from `warmup_target` over `decay_steps` steps. Both branches are ember ops selected with
    `em.where`, so the schedule runs inside a compiled step.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the length of the decay; must be > 0.
        alpha: the final rate as a fraction of the decayed-from rate.
        name: the schedule's name.
        warmup_target: the rate reached at the end of the warmup, or None for no warmup.
        warmup_steps: the length of the warmup.

    Example:
        >>> import ember as em
        >>> s = em.keras.optimizers.schedules.CosineDecay(0.1, decay_steps=100)
        >>> round(float(s(em.constant(50))), 6)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        validate_decay_steps(decay_steps)
        if warmup_steps < 0:
            raise ValueError(f"Argument `warmup_steps` must be >= 0. Received: warmup_steps={warmup_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from_lr):
        cosine = 0.5 * (1.0 + em.cos(math.pi * (step / float(self.decay_steps))))
        return decay_from_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = em.cast(step, "float32")
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(em.minimum(step, float(self.decay_steps)), initial)
        target, warmup = float(self.warmup_target), float(self.warmup_steps)
        step = em.minimum(step, float(self.decay_steps) + warmup)
        # NOTE: with warmup_steps=0 the warmup branch divides by 0; em.where drops it.
        warming = (target - initial) * (step / warmup) + initial
        return em.where(step < warmup, warming, self._decay(step - warmup, target))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}
