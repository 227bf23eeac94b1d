"""`LearningRateScheduler`: set the learning rate at the start of each epoch."""
from __future__ import annotations

import numbers

from .callback import Callback


class LearningRateScheduler(Callback):
    """Sets `model.optimizer.learning_rate = schedule(epoch, lr)` at the start of every
    epoch (or `schedule(epoch)` for a one-argument function), and logs the rate as
    "learning_rate". The rate is assigned to the optimizer's learning rate Variable, so the
    compiled training step is not retraced.

    Args:
        schedule: a function `(epoch, lr) -> new lr` (epochs count from 0).
        verbose: 1 prints the new rate each epoch.

    Example:
        >>> import ember as em
        >>> def scheduler(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> callback = em.keras.callbacks.LearningRateScheduler(scheduler)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError(f"Argument `schedule` must be callable. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        learning_rate = float(optimizer.learning_rate)
        try:
            learning_rate = self.schedule(epoch, learning_rate)
        except TypeError:  # NOTE: the one-argument form, schedule(epoch), as Keras accepts
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool):
            raise ValueError(f"The output of the `schedule` function should be a float. "
                             f"Received: {learning_rate!r}")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(learning_rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
