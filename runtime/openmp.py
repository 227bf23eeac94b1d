"""The OpenMP runtime that multi-threaded compiled code calls (`__kmpc_fork_call`, ...).

`ember-parallelize` splits big ops into `scf.forall` loops and `ember-lower-cpu` turns them
into OpenMP parallel loops; the JIT resolves their runtime calls against the libraries
loaded into the process, so the runtime is loaded here once, with RTLD_GLOBAL. Any runtime
with the LLVM OpenMP ABI works: LLVM's `libomp` or Intel's `libiomp5` (the pip package
`intel-openmp`, a dependency of ember on x86-64 Linux, installs it into the environment's
`lib/`). `EMBER_OPENMP_LIBRARY` names a library explicitly.

The number of threads of every parallel region is `em.config.get_threads()`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading

from ..frontend.errors import EmberError

LIBRARY_ENV = "EMBER_OPENMP_LIBRARY"
_NAMES = ("libiomp5.so", "libomp.so.5", "libomp.so")

_lock = threading.Lock()
_loaded: ctypes.CDLL | None = None
_path: str | None = None


def candidates() -> list[str]:
    """Where the runtime is looked for, in order."""
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        return [explicit]
    found = []
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix)):
        found += [os.path.join(prefix, "lib", name) for name in _NAMES]
    for name in ("iomp5", "omp"):
        system = ctypes.util.find_library(name)
        if system:
            found.append(system)
    return found + ["libomp.so.5"]   # NOTE: the dynamic loader's own search (ld.so.cache)


def load() -> ctypes.CDLL:
    """Loads the OpenMP runtime (once) and sets its thread count; raises if none is found."""
    from .config import get_threads

    library = _load_library()
    library.omp_set_num_threads(ctypes.c_int(get_threads()))
    return library


def _load_library() -> ctypes.CDLL:
    global _loaded, _path
    with _lock:
        if _loaded is not None:
            return _loaded
        tried = []
        for path in candidates():
            if os.path.isabs(path) and not os.path.exists(path):
                tried.append(f"{path} (no such file)")
                continue
            try:
                _loaded = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
            except OSError as err:
                tried.append(f"{path} ({err})")
                continue
            _path = path
            return _loaded
        raise EmberError(
            "multi-threaded compiled code needs an OpenMP runtime (libomp or libiomp5); "
            f"none was found. Tried: {'; '.join(tried)}. Install the pip package "
            f"intel-openmp, set {LIBRARY_ENV} to a libomp.so, or run on one thread "
            "with em.config.set_threads(1)")


def available() -> bool:
    """Whether a runtime can be loaded (it is, if so)."""
    try:
        _load_library()
    except EmberError:
        return False
    return True


def set_num_threads(n: int) -> None:
    """Passes a new thread count to the runtime, if it is loaded."""
    with _lock:
        if _loaded is not None:
            _loaded.omp_set_num_threads(ctypes.c_int(n))


def library_path() -> str | None:
    return _path
