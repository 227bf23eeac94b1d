"""`ProgbarLogger`: prints training progress and metrics."""
from __future__ import annotations

import sys
import time

from .callback import Callback


class ProgbarLogger(Callback):
    """Prints progress: with `params["verbose"] == 1` a line per batch (overwritten in
    place) and one per epoch; with 2 one line per epoch. `CallbackList(add_progbar=True)` adds one.

    Example:
        >>> import ember as em
        >>> bar = em.keras.callbacks.ProgbarLogger()
        >>> bar.set_params({"verbose": 2, "epochs": 1, "steps": 1})
        >>> bar.on_train_begin(); bar.on_epoch_begin(0); bar.on_epoch_end(0, {"loss": 0.5})
        Epoch 1/1
        1/1 - 0s - loss: 0.5000
    """

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self._training = False
        self._start = 0.0
        self._seen = 0

    @property
    def _verbose(self) -> int:
        return int((self.params or {}).get("verbose", 1))

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def _line(self, steps, logs) -> str:
        total = (self.params or {}).get("steps")
        metrics = " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}"
                             for k, v in (logs or {}).items())
        elapsed = time.perf_counter() - self._start
        head = f"{steps}/{total}" if total else f"{steps}"
        return f"{head} - {elapsed:.0f}s" + (f" - {metrics}" if metrics else "")

    def on_train_begin(self, logs=None):
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._seen = time.perf_counter(), 0
        if self._verbose:
            self._write(f"Epoch {epoch + 1}/{(self.params or {}).get('epochs', '?')}\n")

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._verbose == 1:
            self._write("\r" + self._line(self._seen, logs))

    def on_epoch_end(self, epoch, logs=None):
        if not self._verbose:
            return
        prefix = "\r" if self._verbose == 1 else ""
        self._write(prefix + self._line(self._seen or (self.params or {}).get("steps") or 0, logs) + "\n")

    def on_test_begin(self, logs=None):
        if not self._training:
            self._start, self._seen = time.perf_counter(), 0

    def on_test_batch_end(self, batch, logs=None):
        if not self._training:
            self._seen = batch + 1
            if self._verbose == 1:
                self._write("\r" + self._line(self._seen, logs))

    def on_test_end(self, logs=None):
        if not self._training and self._verbose:
            prefix = "\r" if self._verbose == 1 else ""
            self._write(prefix + self._line(self._seen, logs) + "\n")
