"""`em.device`: which backend compiles the `@em.function`s that do not name one.

Example:
    >>> import ember as em
    >>> with em.device("gpu"):             # the triton backend (a GPU, or Triton's interpreter)
    ...     model.fit(x, y, epochs=1)      # the train step is traced and compiled for it
    >>> em.device.current()
    'cpu'

The device is read when a function is traced and is part of its trace key, so one
function called under two devices has one compiled form for each.
"""
from __future__ import annotations

import contextvars

from .errors import EmberError

#: device name -> backend name
DEVICES = {"cpu": "cpu", "gpu": "triton"}
_current = contextvars.ContextVar("ember_device", default="cpu")


class device:
    """Context manager selecting the default backend by device name ("cpu" or "gpu")."""

    def __init__(self, name: str):
        if not isinstance(name, str) or name.lower() not in DEVICES:
            raise EmberError(f"em.device: expected one of {', '.join(repr(d) for d in DEVICES)}, "
                             f"received {name!r}")
        self.name = name.lower()
        self._token = None

    def __enter__(self) -> "device":
        self._token = _current.set(self.name)
        return self

    def __exit__(self, *exc) -> None:
        _current.reset(self._token)

    @staticmethod
    def current() -> str:
        """The device in effect here ("cpu" outside any `with em.device(...)`)."""
        return _current.get()

    def __repr__(self) -> str:
        return f"em.device({self.name!r})"


def default_backend() -> str:
    """The backend name of the current device."""
    return DEVICES[_current.get()]
