"""`ModelCheckpoint`: save the model (or its weights) during training."""
from __future__ import annotations

import os
import warnings

import numpy as np

from .monitor_callback import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Saves the model with `model.save(path)`, or its weights with
    `model.save_weights(path)`, at the end of every epoch or every `save_freq` batches.

    `filepath` may hold `str.format` fields: `{epoch}` (counting from 1), `{batch}` (with an
    integer save_freq) and any log key, e.g. "ckpt/weights.{epoch:02d}-{val_loss:.2f}.weights".
    Missing directories are created.

    Args:
        filepath: where to save; a format string as above.
        monitor: the log key compared with `save_best_only`.
        verbose: 1 prints a message on each save.
        save_best_only: save only when `monitor` improves on the best value so far.
        save_weights_only: call `model.save_weights` instead of `model.save`.
        mode: "auto", "min" or "max" (see `MonitorCallback`).
        save_freq: "epoch", or an int: save every that many batches.
        initial_value_threshold: the best value to beat at the start (save_best_only).

    Example:
        >>> import ember as em
        >>> callback = em.keras.callbacks.ModelCheckpoint("best.weights", monitor="val_accuracy",
        ...                                              save_best_only=True, save_weights_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        filepath = os.fspath(filepath)
        if not filepath:
            raise ValueError(f"ModelCheckpoint: filepath must not be empty. Received: filepath={filepath!r}")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: expected 'epoch' or an integer >= 1. "
                             f"Received: save_freq={save_freq!r}")
        self.filepath = filepath
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0 again
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch, logs, filepath) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            return True
        if np.ndim(current) > 0:
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. Received: "
                          f"{current}. Falling back to `save_best_only=False`.", stacklevel=2)
            return True
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                best = "None" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
        return False

    def _save_model(self, epoch, batch, logs) -> None:
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"Please specify a non-directory filepath for ModelCheckpoint. "
                                    f"Filepath used is an existing directory: {filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)

    def _get_file_path(self, epoch, batch, logs) -> str:
        logs = dict(logs or {})
        fields = {"epoch": epoch + 1, **logs}
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as err:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {err!r}; available fields: {sorted(fields)}") from None
