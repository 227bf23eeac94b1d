"""`em.keras.optimizers`: SGD, Adam, AdamW, RMSprop and Adagrad with Keras 3's update rules,
their learning rate `schedules`, and `get` to resolve an optimizer from a name or config.

Example:
    >>> import ember as em
    >>> em.keras.optimizers.get("adam").learning_rate
    0.0010000000474974513
"""
from . import schedules
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL_OBJECTS = (SGD, Adam, AdamW, RMSprop, Adagrad)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get",
           "serialize", "deserialize"]


def serialize(optimizer: Optimizer) -> dict:
    """`{"class_name": ..., "config": ...}` describing `optimizer` (no state)."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """A new optimizer from a `serialize` dict; built-in names are case-insensitive."""
    name = config.get("class_name") if isinstance(config, dict) else None
    custom = custom_objects or {}
    cls = custom.get(name) or ALL_OBJECTS_DICT.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {name!r}. Valid names are: "
                         f"{sorted(ALL_OBJECTS_DICT) + sorted(custom)}. Received: config={config!r}")
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier) -> Optimizer:
    """An optimizer from an instance (returned as is), a name ("adam", "SGD", ...) or a
    config dict `{"class_name": "Adam", "config": {...}}`.

    Example:
        >>> import ember as em
        >>> em.keras.optimizers.get({"class_name": "SGD", "config": {"momentum": 0.9}}).momentum
        0.9
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() not in ALL_OBJECTS_DICT:
            raise ValueError(f"Unknown optimizer: '{identifier}'. Valid names are: "
                             f"{sorted(ALL_OBJECTS_DICT)}. Received: identifier={identifier!r}")
        return ALL_OBJECTS_DICT[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: expected an Optimizer, a name "
                     f"or a config dict. Received: identifier={identifier!r}")
