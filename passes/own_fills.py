"""`ember-own-fills`: each op that writes into a `linalg.fill`'s result gets a fill of its own.

A zero fill is often the init of several ops: a convolution's output and the max-pool
gradient of the same shape both start from the one zeroed tensor after CSE. Two writers
cannot share one buffer, so bufferization copied the filled buffer for the second, and the
fill stayed whole, on one thread, ahead of both: `ember-parallelize` and `ember-pack-conv`
move only a fill that their op alone reads into the op's chunks or rows. With a fill each,
every writer's fill goes where its writer runs. Measured in the Keras CNN train step of bench
row 7 (2 threads), the two shared fills (64x26x26x32 and 64x11x11x64) ran as serial
memsets on the main thread: 2.5-3% of the step's samples.

Only uses as a linalg op's init (its destination) are given copies; ops that read the
filled value as an input keep sharing it.
"""
from __future__ import annotations

import functools

from ..dialects.locations import walk
from .registry import register_pass


def _init_uses(value) -> list:
    """The uses of `value` as the destination (init) of a linalg op."""
    uses = []
    for use in value.uses:
        owner = use.owner
        if not owner.name.startswith("linalg.") or not len(owner.results):
            continue
        if use.operand_number >= len(owner.operands) - len(owner.results):
            uses.append(use)
    return uses


@register_pass("ember-own-fills", "Give each op that writes into a linalg.fill's result a fill of its own")
def own_fills(module_op) -> None:
    from mlir import ir

    for fill in [op for op in walk(module_op) if op.name == "linalg.fill"]:
        result = fill.results[0]
        if not isinstance(result.type, ir.RankedTensorType):
            continue
        uses, total = _init_uses(result), len(list(result.uses))
        # NOTE: writers in the fill's own block only: a clone inside a loop would fill again
        # at every iteration
        if total < 2 or not uses or any(u.owner.operation.parent != fill.parent for u in uses):
            continue
        # NOTE: where every use writes, the first (in block order) keeps the original
        uses.sort(key=functools.cmp_to_key(
            lambda a, b: -1 if a.owner.operation.is_before_in_block(b.owner.operation) else 1))
        for use in uses[1:] if len(uses) == total else uses:
            owner, number = use.owner, use.operand_number
            clone = fill.clone(ip=ir.InsertionPoint(owner))
            owner.operands[number] = clone.results[0]
