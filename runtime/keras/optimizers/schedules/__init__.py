"""`em.keras.optimizers.schedules`: learning rates computed from the optimizer's step counter.

Example:
    >>> import ember as em
    >>> schedule = em.keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.96)
    >>> optimizer = em.keras.optimizers.SGD(learning_rate=schedule)
"""
from .cosine_decay import CosineDecay
from .exponential_decay import ExponentialDecay
from .learning_rate_schedule import LearningRateSchedule

ALL_OBJECTS = (CosineDecay, ExponentialDecay)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}

__all__ = ["CosineDecay", "ExponentialDecay", "LearningRateSchedule", "serialize", "deserialize"]


def serialize(schedule: LearningRateSchedule) -> dict:
    """`{"class_name": ..., "config": ...}` for a schedule (as Keras' `schedules.serialize`)."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule a `serialize` dict describes; `custom_objects` maps names to classes."""
    known = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Valid names are: "
                         f"{sorted(known)}. Received: config={config!r}")
    return known[name].from_config(dict(config.get("config", {})))
