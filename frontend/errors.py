"""ember's error types, and how an error finds the user's own line of code."""
from __future__ import annotations

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# NOTE: the repository root is the package, so tests/, examples/ and bench/ live
# inside it; only these folders are ember's own code when looking for the user's line.
_INTERNAL_DIRS = tuple(os.path.join(_PACKAGE_DIR, d) + os.sep
                       for d in ("frontend", "dialects", "passes", "backends", "runtime", "tools"))
_INTERNAL_FILES = (os.path.join(_PACKAGE_DIR, "__init__.py"),)


class EmberError(Exception):
    """Base class of every error ember raises on purpose."""


class ShapeError(EmberError, ValueError):
    """Operands whose shapes do not fit the operation."""


class DTypeError(EmberError, TypeError):
    """Operands whose element types do not fit the operation."""


class TracingError(EmberError, TypeError):
    """Something a traced (`@em.function`) program cannot do."""


class CompileError(EmberError, RuntimeError):
    """The compiler failed on a program it accepted: a bug in ember."""


class VerificationError(EmberError, ValueError):
    """IR that breaks a rule of the ember dialect; carries `FILE:LINE:COL`."""

    def __init__(self, location: str, message: str):
        super().__init__(f"{location}: error: {message}")
        self.location = location
        self.message = message


def _is_internal(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_INTERNAL_DIRS) or path in _INTERNAL_FILES


def user_frame():
    """The innermost frame outside ember's own code (the user's line), or None."""
    frame = sys._getframe(1)
    while frame is not None:
        if not _is_internal(frame.f_code.co_filename):
            return frame
        frame = frame.f_back
    return None


def user_site() -> tuple[str, int]:
    """(file, line) of the user's code that called into ember."""
    frame = user_frame()
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def at_user_line(message: str) -> str:
    """Appends ` (at FILE:LINE)` naming the user's line to an error message."""
    filename, line = user_site()
    return f"{message} (at {filename}:{line})"
