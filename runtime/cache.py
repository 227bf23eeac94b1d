"""The in-memory compile cache: one executable per (backend, its options, ember IR)."""
from __future__ import annotations

import threading

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
    from ..passes.pipeline import run_stages

    in_avals, out_avals = signature(module, symbol)
    with module.context:
        run_stages(module, backend.stages())
    executable = backend.compile(module, symbol, in_avals, out_avals)
    with _lock:
        return _cache.setdefault(key, executable)


def clear() -> None:
    with _lock:
        _cache.clear()


def size() -> int:
    return len(_cache)
