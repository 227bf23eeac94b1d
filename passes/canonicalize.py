"""`ember-canonicalize`: constant folding, per-op simplifications, dead-op removal.

Folding evaluates an op whose operands are all constants with its eager NumPy kernel.
Simplifications (x*1, x+0, double transpose, reshape of reshape, ...) are declared next to
each op (`@prim.simplify` in dialects/ops). IRDL ops carry no side-effect information, so
MLIR's greedy driver would not erase dead ember ops; this pass does, to a fixed point.
"""
from __future__ import annotations

import numpy as np

from ..dialects.locations import walk
from ..dialects.primitive import OpView, lookup
from ..dialects.values import constant_array, has_uses, make_constant
from .registry import register_pass

FOLD_LIMIT = 1 << 16  # elements: larger constants stay computed at run time
MAX_ROUNDS = 16


@register_pass("ember-canonicalize", "Fold constants, simplify ember ops and remove dead ones")
def canonicalize(module_op) -> None:
    for _ in range(MAX_ROUNDS):
        if not _round(module_op):
            return


def _round(root) -> bool:
    from mlir import ir

    changed = False
    for op in list(walk(root)):
        prim = lookup(op.name)
        if prim is None:
            continue
        if not has_uses(op):
            op.erase()
            changed = True
            continue
        with op.location, ir.InsertionPoint(op):
            view = OpView(op)
            replacement = _fold(view) or _simplify(view)
        if replacement is not None:
            op.results[0].replace_all_uses_with(replacement)
            op.erase()
            changed = True
    for op in list(walk(root)):
        if op.name == "arith.constant" and not has_uses(op):
            op.erase()
    return changed


def _fold(view: OpView):
    if view.out_aval.size > FOLD_LIMIT:
        return None
    arrays = [constant_array(v, limit=FOLD_LIMIT) for v in view.operands]
    if any(a is None for a in arrays):
        return None
    out = view.out_aval
    with np.errstate(all="ignore"):  # e.g. log(0) folds to -inf, as it would compute
        result = np.asarray(view.prim.eager_rule(*arrays, **view.attrs), dtype=out.dtype.numpy)
    return make_constant(result.reshape(out.shape))


def _simplify(view: OpView):
    for rule in view.prim.simplify_rules:
        replacement = rule(view)
        if replacement is not None:
            return replacement
    return None
