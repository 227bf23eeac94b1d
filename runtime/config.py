"""`em.config`: process-wide settings of the compiler and runtime.

Threads: compiled code runs its parallel loops on `get_threads()` OpenMP threads
(`runtime/openmp.py`). The default is the environment variable `EMBER_NUM_THREADS` when set,
otherwise every core this process may run on (one, where no OpenMP runtime is installed;
asking for more than one there raises). The thread count is part of the compile-cache key:
code compiled from then on splits its work for the new count. A function compiled before
keeps its code (its chunks, split for the old count, run on the new count of threads) until
it is traced again.

Compile cache: compiled functions are kept on disk (one shared library each) under
`get_cache_dir()`, so a second process running the same model does not compile again. The
default is the environment variable `EMBER_CACHE_DIR` when set (set and empty: no disk
cache), otherwise `$XDG_CACHE_HOME/ember`, otherwise `~/.cache/ember`.

Vector width: the CPU schedules (register tiles, vector lengths) are sized for vectors of
`get_vector_width()` bits: `set_vector_width`, else the environment variable
`EMBER_VECTOR_WIDTH` (128, 256 or 512), else None: the host's widest (like GCC's and Clang's
`-mprefer-vector-width`). Code is still generated for the host's instruction set: a width
above the host's compiles and runs, its vectors split in two or four. It is part of the
compile-cache key.

Example:
    >>> import ember as em
    >>> em.config.set_cache_dir("/tmp/ember-cache")   # None: compile without a disk cache
    >>> em.config.get_cache_dir()
    '/tmp/ember-cache'
"""
from __future__ import annotations

import os

from ..frontend.errors import EmberError

THREADS_ENV = "EMBER_NUM_THREADS"
CACHE_DIR_ENV = "EMBER_CACHE_DIR"

VECTOR_WIDTH_ENV = "EMBER_VECTOR_WIDTH"
VECTOR_WIDTHS = (128, 256, 512)

_threads: int | None = None
_vector_width: int | None = None
_DEFAULT = object()  # NOTE: the cache directory was not set: the environment decides
_cache_dir = _DEFAULT


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # NOTE: not on every OS
        return os.cpu_count() or 1


def _check_threads(n, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise EmberError(f"{where}: expected a positive int thread count, received {n!r}")
    return n


def _int_from_env(name: str, check):
    """The environment variable `name` as an int checked by `check(value, where)` (which
    names the variable in its error), or None where it is unset or empty."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        value = text
    return check(value, f"environment variable {name}")


def _from_env() -> int | None:
    return _int_from_env(THREADS_ENV, _check_threads)


def set_threads(n: int) -> None:
    """Runs compiled code on `n` OpenMP threads from now on; code compiled from now on is
    split for `n` (see the module's note on functions compiled before)."""
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


def _check_vector_width(bits, where: str) -> int:
    if type(bits) is not int or bits not in VECTOR_WIDTHS:
        raise EmberError(f"{where}: expected a vector width in bits, one of "
                         f"{', '.join(map(str, VECTOR_WIDTHS))}, received {bits!r}")
    return bits


def set_vector_width(bits: int | None) -> None:
    """Sizes the CPU schedules of code compiled from now on for vectors of `bits` (128, 256
    or 512); None: the environment variable, else the host's widest."""
    global _vector_width
    _vector_width = None if bits is None else _check_vector_width(bits, "em.config.set_vector_width")


def get_vector_width() -> int | None:
    """The vector width in bits the CPU schedules are sized for: `set_vector_width`, else
    `EMBER_VECTOR_WIDTH`, else None (the host's widest)."""
    if _vector_width is not None:
        return _vector_width
    return _int_from_env(VECTOR_WIDTH_ENV, _check_vector_width)


def set_cache_dir(path) -> None:
    """Keeps compiled functions under `path` from now on; `None` turns the disk cache off.
    Functions compiled already stay compiled (the in-memory cache is not cleared)."""
    global _cache_dir
    if path is None:
        _cache_dir = None
        return
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise EmberError(f"em.config.set_cache_dir: expected a directory path (str or "
                         f"os.PathLike) or None, received {path!r}")
    _cache_dir = os.path.abspath(os.path.expanduser(os.fspath(path)))


def get_cache_dir() -> str | None:
    """The directory of the disk compile cache, or None when it is off: `set_cache_dir`,
    else `EMBER_CACHE_DIR` (empty: off), else `$XDG_CACHE_HOME/ember`, else `~/.cache/ember`."""
    if _cache_dir is not _DEFAULT:
        return _cache_dir
    env = os.environ.get(CACHE_DIR_ENV)
    if env is not None:
        return os.path.abspath(os.path.expanduser(env)) if env.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "ember")
