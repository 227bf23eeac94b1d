"""Automatic layer names: the snake-cased class name, numbered ("dense", "dense_1", ...)."""
from __future__ import annotations

import re

_names: dict[str, int] = {}


def unique_name(base: str) -> str:
    """"dense", then "dense_1", "dense_2", ... (per name, until `clear_session`)."""
    count = _names.get(base, 0)
    _names[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Resets automatic layer names ("dense", "dense_1", ...), as keras.utils.clear_session."""
    _names.clear()


def snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
