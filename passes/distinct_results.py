"""`ember-distinct-results`: a value a function returns more than once is copied, so that
every result has its own buffer.

After canonicalisation and CSE, `return %x, %x` is common (`f(x) = (x * 2, x * 2)`).
Upstream `buffer-results-to-out-params{hoist-static-allocs}` crashes on a repeated
allocation (LLVM 22), and each result needs its own caller-allocated out-parameter anyway.
"""
from __future__ import annotations

from ..dialects.locations import walk
from ..dialects.primitive import AVal
from .ember_to_linalg import Lowerer
from .registry import register_pass


@register_pass("ember-distinct-results", "Copy function results returned more than once")
def distinct_results(module_op) -> None:
    from mlir import ir

    for op in list(walk(module_op)):
        if op.name != "func.return":
            continue
        seen = set()
        for i, value in enumerate(list(op.operands)):
            if value not in seen:
                seen.add(value)
                continue
            with op.location, ir.InsertionPoint(op):
                aval = AVal.of_type(value.type)
                lw = Lowerer()
                identity = lw.dims_map(aval.rank, range(aval.rank))
                copy = lw.generic([value], [identity], lw.empty(aval), identity,
                                  ["parallel"] * aval.rank, lambda b, x, _: x)
            op.operands[i] = copy
