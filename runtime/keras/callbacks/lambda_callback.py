"""`LambdaCallback`: a callback from plain functions."""
from __future__ import annotations

from .callback import Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the given functions (others do nothing).

    Args:
        on_epoch_begin, on_epoch_end: `f(epoch, logs)`.
        on_train_begin, on_train_end: `f(logs)`.
        on_train_batch_begin, on_train_batch_end: `f(batch, logs)`.
        **kwargs: any other hook by name (e.g. `on_test_end=f`), or attributes to set.

    Example:
        >>> import ember as em
        >>> losses = []
        >>> cb = em.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> cb.on_epoch_end(0, {"loss": 0.5}); losses
        [0.5]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None and not callable(fn):
                raise ValueError(f"Argument `{name}` must be callable or None. Received: {name}={fn!r}")
        self.__dict__.update(kwargs)
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
