"""`em.keras.callbacks`: hooks into `fit`, `evaluate` and `predict`, with Keras 3's semantics.

Callbacks use only this model contract: `model.optimizer` (with a settable
`learning_rate`), `model.stop_training`, `model.get_weights()`, `model.set_weights(w)`,
`model.save_weights(path)`, `model.save(path)`, and optionally `model.metrics` (for
`mode="auto"`) and `model.history`.

Example:
    >>> import ember as em
    >>> stop = em.keras.callbacks.get({"class_name": "EarlyStopping", "config": {"patience": 2}})
    >>> stop.patience
    2
"""
from __future__ import annotations

import inspect

from .callback import Callback
from .callback_list import CallbackList, pythonify_logs
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .monitor_callback import MonitorCallback
from .progbar_logger import ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau

ALL_OBJECTS = (History, EarlyStopping, ModelCheckpoint, LearningRateScheduler,
               ReduceLROnPlateau, LambdaCallback, ProgbarLogger)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    "history": History, "early_stopping": EarlyStopping, "model_checkpoint": ModelCheckpoint,
    "learning_rate_scheduler": LearningRateScheduler, "reduce_lr_on_plateau": ReduceLROnPlateau,
    "lambda_callback": LambdaCallback, "progbar_logger": ProgbarLogger,
})

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "ReduceLROnPlateau", "LambdaCallback", "ProgbarLogger",
           "MonitorCallback", "pythonify_logs", "get"]


def get(identifier) -> Callback:
    """A callback from an instance (returned as is), a name ("early_stopping",
    "ReduceLROnPlateau", ...; built with its defaults) or a dict
    `{"class_name": ..., "config": {constructor arguments}}`.

    Example:
        >>> import ember as em
        >>> em.keras.callbacks.get("reduce_lr_on_plateau").factor
        0.1
    """
    if isinstance(identifier, Callback):
        return identifier
    if inspect.isclass(identifier) and issubclass(identifier, Callback):
        return identifier()
    if isinstance(identifier, dict):
        name, config = identifier.get("class_name"), identifier.get("config") or {}
    elif isinstance(identifier, str):
        name, config = identifier, {}
    else:
        raise ValueError(f"Could not interpret callback identifier: expected a Callback, a name "
                         f"or a config dict. Received: identifier={identifier!r}")
    if name not in ALL_OBJECTS_DICT:
        raise ValueError(f"Unknown callback: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}. "
                         f"Received: identifier={identifier!r}")
    return ALL_OBJECTS_DICT[name](**config)
