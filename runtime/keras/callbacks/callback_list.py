"""`CallbackList`: one object that calls every callback's hook, as a model's loops use it."""
from __future__ import annotations

import numpy as np

from .callback import Callback
from .history import History
from .progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """Dispatches each hook to a list of callbacks, in order, with `logs` converted to
    Python floats (tensors and NumPy scalars become floats; other values pass through).

    Args:
        callbacks: a list of `Callback`s (or None).
        model: the model, passed to every callback's `set_model` (and given the History
            as `model.history`).
        add_history: append a `History` unless the list already has one.
        add_progbar: append a `ProgbarLogger` unless the list already has one.
        **params: passed to every callback's `set_params`, e.g. epochs=10, steps=50, verbose=1.

    Example:
        >>> import ember as em
        >>> callbacks = em.keras.callbacks.CallbackList([], add_history=True, epochs=2, steps=1)
        >>> callbacks.on_train_begin(); callbacks.on_epoch_end(0, {"loss": em.constant(0.5)})
        >>> callbacks.history.history
        {'loss': [0.5]}
    """

    def __init__(self, callbacks=None, model=None, add_history=False, add_progbar=False, **params):
        super().__init__()
        self.callbacks = list(callbacks) if callbacks else []
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise ValueError(f"Expected a list of Callback instances; callbacks[{i}] is a "
                                 f"{type(cb).__name__}. Received: callbacks={callbacks!r}")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self.progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if self.progbar is None and add_progbar:
            self.progbar = ProgbarLogger()
            self.callbacks.append(self.progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model) -> None:
        if model is None:
            return
        super().set_model(model)
        if self.history is not None:
            model.history = self.history
        for cb in self.callbacks:
            cb.set_model(model)

    def _call(self, hook: str, *args, logs=None) -> None:
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs)

    def on_batch_begin(self, batch, logs=None): self._call("on_batch_begin", batch, logs=logs)
    def on_batch_end(self, batch, logs=None): self._call("on_batch_end", batch, logs=logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs=logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs=logs)
    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs=logs)
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs=logs)
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs=logs)
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs=logs)
    def on_predict_batch_begin(self, batch, logs=None): self._call("on_predict_batch_begin", batch, logs=logs)
    def on_predict_batch_end(self, batch, logs=None): self._call("on_predict_batch_end", batch, logs=logs)
    def on_train_begin(self, logs=None): self._call("on_train_begin", logs=logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs=logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs=logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs=logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs=logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs=logs)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)


def pythonify_logs(logs) -> dict:
    """A new dict of `logs` with scalar tensors and NumPy scalars as Python floats (nested
    dicts are merged in, as Keras does)."""
    result = {}
    for key, value in (logs or {}).items():
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if hasattr(value, "numpy") or isinstance(value, (np.ndarray, np.generic)):
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
            value = float(array) if array.ndim == 0 and array.dtype.kind in "fiub" else array
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        result[key] = value
    return result
