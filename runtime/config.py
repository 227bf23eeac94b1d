"""`em.config`: process-wide settings of the compiler and runtime.

Threads: compiled code runs its parallel loops on `get_threads()` OpenMP threads
(`runtime/openmp.py`). The default is the environment variable `EMBER_NUM_THREADS` when set,
otherwise every core this process may run on (one, where no OpenMP runtime is installed;
asking for more than one there raises). The thread count is part of the compile-cache key:
changing it recompiles (once).
"""
from __future__ import annotations

import os

from ..frontend.errors import EmberError

THREADS_ENV = "EMBER_NUM_THREADS"

_threads: int | None = None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # NOTE: not on every OS
        return os.cpu_count() or 1


def _check_threads(n, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise EmberError(f"{where}: expected a positive int thread count, received {n!r}")
    return n


def _from_env() -> int | None:
    text = os.environ.get(THREADS_ENV)
    if text is None or not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        value = text
    return _check_threads(value, f"environment variable {THREADS_ENV}")


def set_threads(n: int) -> None:
    """Runs compiled code on `n` threads from now on (functions recompile once for it)."""
    global _threads
    from . import openmp

    n = _check_threads(n, "em.config.set_threads")
    if n > 1:
        openmp.load()   # NOTE: raises here, naming what to install, if there is no runtime
    _threads = n
    openmp.set_num_threads(n)


def get_threads() -> int:
    """The thread count compiled code uses: `set_threads`, else `EMBER_NUM_THREADS`, else
    every core this process may run on."""
    if _threads is not None:
        return _threads
    from_env = _from_env()
    if from_env is not None:
        return from_env
    cores = _cores()
    if cores > 1 and not _runtime_available():
        return 1
    return cores


def _runtime_available() -> bool:
    from .openmp import available

    return available()
