"""`ReduceLROnPlateau`: lower the learning rate when a monitored quantity stops improving."""
from __future__ import annotations

import warnings

import numpy as np

from .monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the optimizer's learning rate by `factor` once `monitor` has not improved
    for `patience` epochs (Keras 3's rules). The new rate is assigned to the optimizer's
    learning rate Variable, so a compiled training step uses it without retracing. Adds
    the current rate to the epoch logs as "learning_rate".

    Args:
        monitor: the log key to watch.
        factor: the factor (< 1) the learning rate is multiplied by.
        patience: epochs without improvement before the rate is lowered.
        verbose: 1 prints a message on each reduction.
        mode: "auto", "min" or "max" (see `MonitorCallback`).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the lower bound of the learning rate.

    Example:
        >>> import ember as em
        >>> callback = em.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5)
        >>> # model.fit(x, y, validation_data=(xv, yv), callbacks=[callback])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            raise ValueError(f"ReduceLROnPlateau: argument(s) not recognized: {kwargs}")
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received: factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0
