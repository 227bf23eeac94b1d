"""The backend registry: built-ins and plugins from the entry-point group `ember.backends`.

A plugin package declares, in its pyproject.toml:
    [project.entry-points."ember.backends"]
    mybackend = "mypkg.backend:MyBackend"
and `@em.function(backend="mybackend")` finds it. A name registered twice raises.
"""
from __future__ import annotations

import importlib
from importlib import metadata

from ..frontend.errors import EmberError

ENTRY_POINT_GROUP = "ember.backends"
_BUILTIN = {"cpu": "ember.backends.cpu:CPUBackend", "triton": "ember.backends.triton:TritonBackend"}
_factories: dict[str, str] = {}
_instances: dict = {}


def _discover() -> dict[str, str]:
    if not _factories:
        found = dict(_BUILTIN)
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in found and found[ep.name] != ep.value:
                raise EmberError(f"backend '{ep.name}' is registered twice: {found[ep.name]} "
                                 f"and {ep.value} (entry point group {ENTRY_POINT_GROUP})")
            found[ep.name] = ep.value
        _factories.update(found)
    return _factories


def register_backend(name: str, target: str) -> None:
    """Registers a backend class by 'module:attribute' (what an entry point holds)."""
    factories = _discover()
    if name in factories:
        raise EmberError(f"backend '{name}' is already registered ({factories[name]})")
    factories[name] = target


def available_backends() -> list[str]:
    return sorted(_discover())


def get_backend(name: str):
    """The backend instance registered under `name`."""
    if name in _instances:
        return _instances[name]
    factories = _discover()
    if name not in factories:
        raise EmberError(f"unknown backend '{name}'; registered backends: {', '.join(sorted(factories))}")
    module_name, _, attr = factories[name].partition(":")
    backend = getattr(importlib.import_module(module_name), attr)()
    if not backend.is_available():
        raise EmberError(f"backend '{name}' is not available on this machine")
    _instances[name] = backend
    return backend
