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
