"""`History`: records the epoch logs of `fit`; `fit` returns it."""
from __future__ import annotations

from .callback import Callback


class History(Callback):
    """Records every epoch's logs: `history.history` maps each log key ("loss",
    "val_loss", "accuracy", ...) to its list of per-epoch values, and `history.epoch`
    lists the epoch indices. `fit` adds one to every run and returns it.

    Example:
        >>> import ember as em
        >>> h = em.keras.callbacks.History()
        >>> h.on_train_begin(); h.on_epoch_end(0, {"loss": 0.5}); h.on_epoch_end(1, {"loss": 0.25})
        >>> h.history, h.epoch
        ({'loss': [0.5, 0.25]}, [0, 1])
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
