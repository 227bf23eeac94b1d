"""`ember-fuse`: group chains of elementwise ops, and elementwise producers feeding a
reduction, into one `ember.fused` region that lowers to a single `linalg.generic`.

A group is grown backwards from a root (an elementwise op or a reduction) through
elementwise producers whose results have the root's iteration shape and are used only
inside the group, so no intermediate tensor survives.

Before that, a cheap elementwise op (`Primitive.cheap`: add, sub, mul, compares, ...) whose
result several such groups read is copied, once for each reader: computing it again costs
less than writing it and reading it back. Only when it reads at most one tensor of its own
size (the others broadcast), so that each copy reads no more than its result did: layernorm's
`x - mean` is read by the variance's sum and by the output; copied, each of them reads `x`,
and the rows' pass over an intermediate in cache goes away.
The region is an `scf.execute_region` with the unit attribute `ember.fused` (IRDL ops
cannot be terminators); `no_inline` keeps upstream canonicalisation from dissolving it.
"""
from __future__ import annotations

from ..dialects.primitive import ELEMENTWISE, REDUCTION, AVal, lookup
from ..dialects.values import producer
from .registry import register_pass

FUSED_ATTR = "ember.fused"


def is_fusion_group(op) -> bool:
    return op.name == "scf.execute_region" and FUSED_ATTR in op.attributes


def _kind(op):
    prim = lookup(op.name)
    return prim.kind if prim is not None else None


def iteration_shape(op) -> tuple[int, ...]:
    """The loop nest a root runs: its operand's shape for a reduction, else its result's."""
    value = op.operands[0] if _kind(op) == REDUCTION else op.results[0]
    return AVal.of_type(value.type).shape


@register_pass("ember-fuse", "Fuse elementwise chains and reduction prologues into ember.fused regions")
def fuse(module_op) -> None:
    for func in module_op.regions[0].blocks[0].operations:
        for region in func.operation.regions:
            for block in region.blocks:
                _fuse_block(block)


def _fuse_block(block) -> None:
    _copy_cheap_producers(block)
    ops = [op.operation for op in block.operations]
    position = {op: i for i, op in enumerate(ops)}
    taken: set = set()
    for root in reversed(ops):
        if root in taken or _kind(root) not in (ELEMENTWISE, REDUCTION):
            continue
        group = _grow(root, position, taken)
        if len(group) > 1:
            taken.update(group)
            _wrap(sorted(group, key=position.__getitem__), root)


def _reads_in_its_shape(op, shape) -> bool:
    """Whether `op` (a consumer) runs over `shape`, so a producer of that shape fuses into it."""
    return _kind(op) in (ELEMENTWISE, REDUCTION) and iteration_shape(op) == shape


def _copy_cheap_producers(block) -> None:
    from mlir import ir

    for op in [op.operation for op in block.operations]:
        prim = lookup(op.name)
        if prim is None or prim.kind != ELEMENTWISE or not prim.cheap or len(op.results) != 1:
            continue
        shape = AVal.of_type(op.results[0].type).shape
        readers: dict = {}      # reader -> the operand positions where it reads `op`
        for use in op.results[0].uses:
            readers.setdefault(use.owner.operation, []).append(use.operand_number)
        if len(readers) < 2 or sum(AVal.of_type(x.type).shape == shape for x in op.operands) > 1:
            continue
        if any(reader.parent != op.parent or not _reads_in_its_shape(reader, shape)
               for reader in readers):
            continue
        for reader, positions in list(readers.items())[1:]:
            copy = op.clone(ip=ir.InsertionPoint(reader))
            for position in positions:
                reader.operands[position] = copy.results[0]


def _grow(root, position, taken) -> set:
    shape = iteration_shape(root)
    group = {root}
    frontier = [root]
    while frontier:
        op = frontier.pop()
        for operand in op.operands:
            candidate = producer(operand)
            if (candidate is None or candidate in group or candidate in taken
                    or candidate not in position or _kind(candidate) != ELEMENTWISE
                    or AVal.of_type(candidate.results[0].type).shape != shape):
                continue
            if all(use.owner.operation in group for use in candidate.results[0].uses):
                group.add(candidate)
                frontier.append(candidate)
    return group


def _wrap(members, root) -> None:
    from mlir import ir
    from mlir.dialects import scf

    with root.location:
        region_op = scf.ExecuteRegionOp([root.results[0].type], ip=ir.InsertionPoint(root))
        region_op.operation.attributes["no_inline"] = ir.UnitAttr.get()
        region_op.operation.attributes[FUSED_ATTR] = ir.UnitAttr.get()
        root.results[0].replace_all_uses_with(region_op.results[0])
        body = region_op.regions[0].blocks.append()
        yield_op = scf.YieldOp([root.results[0]], ip=ir.InsertionPoint(body))
        for op in members:
            op.move_before(yield_op)
