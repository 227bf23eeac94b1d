"""The compile cache: one executable per (backend, its options, ember IR), in memory, and on
disk for backends that can load what they compiled (see disk_cache.py and
`em.config.set_cache_dir`).

A backend takes part in the disk cache when it has `load(path, symbol, in_avals,
out_avals)` and its executables name their compiled file in `artifact`; the CPU backend does.
"""
from __future__ import annotations

import threading
import warnings

from . import config, disk_cache
from .lowered import parse, signature

_cache: dict = {}
_lock = threading.Lock()


def cache_key(backend, module_text: str, symbol: str) -> tuple:
    """Keyed on the IR without locations, so the same program traced from two places
    (or twice) compiles once."""
    module = parse(module_text)
    return (backend.name, backend.options_key(), symbol, str(module.operation)), module


def compile_cached(backend, module_text: str, symbol: str):
    key, module = cache_key(backend, module_text, symbol)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    executable = _load_or_compile(backend, module, symbol, key[3])
    with _lock:
        return _cache.setdefault(key, executable)


def _load_or_compile(backend, module, symbol: str, ir_text: str):
    in_avals, out_avals = signature(module, symbol)
    directory = config.get_cache_dir()
    path = None
    if directory is not None and hasattr(backend, "load"):
        entry = disk_cache.entry_key(backend, symbol, ir_text)
        path = disk_cache.entry_path(directory, backend, entry)
        if disk_cache.find(path, entry):
            return backend.load(path, symbol, in_avals, out_avals)
    executable = _compile(backend, module, symbol, in_avals, out_avals)
    if path is not None:
        try:
            disk_cache.store(path, entry, executable.artifact)
        except OSError as err:
            # NOTE: the cache only saves time: a folder that cannot be written is reported,
            # and the function runs all the same.
            warnings.warn(f"ember compile cache: could not write {path} ({err}); set "
                          f"{config.CACHE_DIR_ENV} or em.config.set_cache_dir() to a writable "
                          f"folder, or to '' / None to compile without a disk cache",
                          RuntimeWarning, stacklevel=2)
    return executable


def _compile(backend, module, symbol: str, in_avals, out_avals):
    from ..passes.pipeline import run_stages

    with module.context:
        run_stages(module, backend.stages())
    return backend.compile(module, symbol, in_avals, out_avals)


def clear() -> None:
    """Forgets the executables of this process (the disk cache stays)."""
    with _lock:
        _cache.clear()


def size() -> int:
    return len(_cache)
