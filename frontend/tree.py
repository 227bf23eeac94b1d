"""Nested Python structures (tuples, lists, dicts) flattened to leaves and back."""
from __future__ import annotations

from typing import Any


def flatten(obj) -> tuple[list, Any]:
    """(leaves, treedef); dict keys are taken in sorted order."""
    leaves: list = []
    return leaves, _flatten(obj, leaves)


def _flatten(obj, leaves):
    if isinstance(obj, (tuple, list)) and not hasattr(obj, "_fields"):
        return (type(obj), tuple(_flatten(o, leaves) for o in obj))
    if isinstance(obj, dict):
        keys = sorted(obj)
        return (dict, tuple(keys), tuple(_flatten(obj[k], leaves) for k in keys))
    leaves.append(obj)
    return None


def flatten_up_to(treedef, obj) -> list:
    """The parts of `obj` at the leaves of `treedef` (whose leaves may be structures in `obj`);
    raises ValueError where `obj` does not have the structure of `treedef`."""
    if treedef is None:
        return [obj]
    if treedef[0] is dict:
        _, keys, children = treedef
        if not isinstance(obj, dict) or sorted(obj) != list(keys):
            raise ValueError(f"expected a dict with keys {list(keys)}, received {obj!r}")
        return [part for k, c in zip(keys, children) for part in flatten_up_to(c, obj[k])]
    _, children = treedef
    if not isinstance(obj, (tuple, list)) or len(obj) != len(children):
        raise ValueError(f"expected a sequence of {len(children)}, received {obj!r}")
    return [part for c, o in zip(children, obj) for part in flatten_up_to(c, o)]


def unflatten(treedef, leaves) -> Any:
    it = iter(leaves)
    return _unflatten(treedef, it)


def _unflatten(treedef, it):
    if treedef is None:
        return next(it)
    if treedef[0] is dict:
        _, keys, children = treedef
        return {k: _unflatten(c, it) for k, c in zip(keys, children)}
    kind, children = treedef
    return kind(_unflatten(c, it) for c in children)
