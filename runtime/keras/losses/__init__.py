"""`em.keras.losses`: Keras 3's losses written with ember ops (so they run eagerly and
inside a compiled training step), their function forms, and `get`.

Example:
    >>> import ember as em
    >>> loss = em.keras.losses.get("sparse_categorical_crossentropy")
    >>> round(float(loss([0], [[0.9, 0.1]])), 4)
    0.1054
"""
from __future__ import annotations

import inspect

from .binary_crossentropy import BinaryCrossentropy, binary_crossentropy
from .categorical_crossentropy import CategoricalCrossentropy, categorical_crossentropy
from .huber import Huber, huber
from .loss import Loss, LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank
from .mean_absolute_error import MeanAbsoluteError, mean_absolute_error
from .mean_squared_error import MeanSquaredError, mean_squared_error
from .sparse_categorical_crossentropy import (SparseCategoricalCrossentropy,
                                              sparse_categorical_crossentropy)

ALL_OBJECTS = (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
               SparseCategoricalCrossentropy, Huber)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
# NOTE: unlike Keras (which returns the function for these names), `get` always returns a
# `Loss` instance, so a model has one kind of object to call.
ALL_OBJECTS_DICT.update({
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "huber": Huber, "huber_loss": Huber,
})

__all__ = ["Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "Huber", "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "huber",
           "reduce_weighted_values", "squeeze_or_expand_to_same_rank", "get", "get_loss",
           "serialize", "deserialize"]


def serialize(loss: Loss) -> dict:
    """`{"class_name": ..., "config": ...}` describing a built-in `Loss`."""
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Loss:
    """A new loss from a `serialize` dict; `custom_objects` maps names to Loss classes."""
    known = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(f"Unknown loss: {name!r}. Valid names are: {sorted(known)}. "
                         f"Received: config={config!r}")
    return known[name].from_config(dict(config.get("config") or {}))


def get(identifier) -> Loss | None:
    """A `Loss` from an instance (returned as is), a name ("mse",
    "sparse_categorical_crossentropy", "BinaryCrossentropy", ...), a config dict
    `{"class_name": ..., "config": {...}}`, a Loss class, or a function
    `fn(y_true, y_pred) -> per-sample losses` (wrapped in `LossFunctionWrapper`).

    Example:
        >>> import ember as em
        >>> em.keras.losses.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}).from_logits
        True
    """
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS_DICT:
            raise ValueError(f"Unknown loss: '{identifier}'. Valid names are: "
                             f"{sorted(ALL_OBJECTS_DICT)}. Received: identifier={identifier!r}")
        return ALL_OBJECTS_DICT[identifier]()
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: expected a Loss, a name, a config "
                     f"dict or a function. Received: identifier={identifier!r}")


def get_loss(identifier, y_true, y_pred) -> Loss | None:
    """`get(identifier)`, where "crossentropy" or "ce" picks binary, sparse or categorical
    cross-entropy from the shapes of y_true and y_pred, as Keras' `compile` does."""
    if str(identifier).lower() not in ("crossentropy", "ce"):
        return get(identifier)
    is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
    if is_binary:
        return BinaryCrossentropy(name=str(identifier))
    if is_sparse:
        return SparseCategoricalCrossentropy(name=str(identifier))
    return CategoricalCrossentropy(name=str(identifier))


def is_binary_or_sparse_categorical(y_true, y_pred) -> tuple[bool, bool]:
    """Keras' guess from shapes: binary when y_pred has one column; sparse when y_true has
    a lower rank, or ends in 1 while y_pred has several columns."""
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = pred_shape[-1:] == (1,)
    is_sparse = len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1:] != (1,))
    return is_binary, is_sparse
