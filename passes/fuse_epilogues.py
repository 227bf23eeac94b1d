"""`ember-fuse-epilogues`: a convolution and its elementwise epilogue, one output row at a
time (CPU).

A Keras `Conv2D(..., activation="relu")` is a convolution followed by one fused
elementwise generic (bias, activation: `ember-fuse`'s group), which reads the whole
convolution result back from memory: for a CNN's first layer (64x26x26x32) that is a
5.5 MB tensor written by the convolution and read again by the epilogue. Here the epilogue
(the consumer) is tiled into output rows (n, oh) and the convolution, with the fill of its
init, is fused into that loop (producer fusion): each row of the convolution is computed
into a row-sized tensor of its own (`_own_row`), which the epilogue reads while it is in
L1. `ember-pack-conv` then packs the row's convolution as it packs any other (its filter
panels, invariant in the row loop, are hoisted out of it: `pack_conv.hoist_invariant`).

Measured (AVX-512 host, medians of alternating processes): a 64x28x28x1 -> 32 convolution
with bias and relu, one thread 0.41-0.46 -> 0.34 ms, two threads 0.21 -> 0.19 ms; with relu's
gradient from its output (below), the Keras CNN train step of bench row 7 on one thread
16.0 -> 15.6 ms. The unfused epilogue read a result the convolution had just left in L2/L3;
the fusion saves that pass and the convolution's writes of it to memory.

Matched: a forward convolution that `ember-pack-conv` packs (`pack_conv.packable`), whose
result only an elementwise generic (all loops parallel, its output the convolution's shape)
reads, through an identity map, in the same block: at the top level (one thread) or in one
chunk of `ember-parallelize`, which puts such a pair into one `scf.forall` (`epilogue_of`).
The result is read only there once relu's gradient is taken from its output, as
TensorFlow's is (`dialects/ops/elementwise.py`).
"""
from __future__ import annotations

from ..dialects.locations import walk
from .registry import register_pass
from .tile_matmul import _apply, _func_of, _sequence

_EPILOGUE = "ember.fuse_epilogues.epilogue"
_PRODUCER = "ember.fuse_epilogues.producer"
_FILL = "ember.fuse_epilogues.fill"


def epilogue_of(op):
    """The elementwise generic that alone reads convolution `op`'s result, row for row, or
    None."""
    from mlir import ir

    from .pack_conv import packable

    if packable(op) is None:
        return None
    uses = list(op.results[0].uses)
    if len(uses) != 1:
        return None
    user, number = uses[0].owner, uses[0].operand_number
    if user.name != "linalg.generic" or user.parent != op.parent or len(user.results) != 1:
        return None
    if number >= len(user.operands) - 1 or user.results[0].type != op.results[0].type:
        return None   # NOTE: read as the init, or another shape (e.g. a broadcast)
    if any("parallel" not in str(it) for it in user.attributes["iterator_types"]):
        return None
    maps = [ir.AffineMapAttr(a).value for a in user.attributes["indexing_maps"]]
    rank = op.results[0].type.rank
    identity = ir.AffineMap.get_identity(rank)
    if maps[number] != identity or maps[-1] != identity:
        return None
    return user


def _own_row(fill) -> None:
    """The fused fill (of one row of the convolution) fills a row-sized tensor of its own.
    Fused as it is, it fills the epilogue's output row, which the convolution then writes
    and the epilogue reads while writing it: bufferization copies such a row out and back
    (measured, one thread, 64x28x28x1 -> 32 with bias and relu: 0.50 ms against 0.41 ms
    unfused). With a row of its own (a 3 KB buffer in L1), 0.34 ms."""
    from mlir import ir
    from mlir.dialects import tensor

    init = fill.operands[1]
    with ir.InsertionPoint(fill), fill.location:
        fill.operands[1] = tensor.EmptyOp(list(init.type.shape), init.type.element_type).result


def script(count: int, with_fill: list[bool]) -> str:
    """Tiles each marked epilogue into (n, oh) rows and fuses its convolution (and the
    convolution's fill) into the row loop."""
    lines = []
    for i in range(count):
        def match(name, ops=""):
            return (f"transform.structured.match {ops}attributes {{{name} = {i} : i64}} in %root "
                    ": (!transform.any_op) -> !transform.any_op")
        lines += [
            f"    %e{i} = {match(_EPILOGUE)}",
            f"    %t{i}, %n{i}, %r{i} = transform.structured.tile_using_for %e{i} "
            "tile_sizes [1, 1, 0, 0] : (!transform.any_op) -> "
            "(!transform.any_op, !transform.any_op, !transform.any_op)",
            f"    %p{i} = {match(_PRODUCER)}",
            f"    %fp{i}, %l{i} = transform.structured.fuse_into_containing_op %p{i} into %r{i} "
            ": (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)",
        ]
        if with_fill[i]:
            lines += [
                f"    %f{i} = {match(_FILL)}",
                f"    %ff{i}, %lf{i} = transform.structured.fuse_into_containing_op %f{i} into "
                f"%l{i} : (!transform.any_op, !transform.any_op) -> "
                "(!transform.any_op, !transform.any_op)",
            ]
    return _sequence(lines)


@register_pass("ember-fuse-epilogues",
               "Compute a convolution row by row inside its elementwise epilogue's row loop (CPU)")
def fuse_epilogues(module_op) -> None:
    from mlir import ir

    from .parallelize import _own_fill   # NOTE: here, as parallelize imports this module

    funcs = {}
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"]:
        epilogue = epilogue_of(op)
        if epilogue is None:
            continue
        func = _func_of(op)
        key = func.attributes["sym_name"].value
        funcs.setdefault(key, (func, []))[1].append((op, epilogue, _own_fill(op)))
    for func, pairs in funcs.values():
        for i, (op, epilogue, fill) in enumerate(pairs):
            mark = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), i)
            epilogue.attributes[_EPILOGUE] = mark
            op.attributes[_PRODUCER] = mark
            if fill is not None:
                fill.attributes[_FILL] = mark
        _apply(func, script(len(pairs), [fill is not None for _, _, fill in pairs]))
        for op in walk(func):
            if _FILL in op.attributes and op.parent.name == "scf.for":
                _own_row(op)
        for op in reversed(list(walk(func))):   # NOTE: the dead convolution before its fill
            if (_PRODUCER in op.attributes or _FILL in op.attributes) \
                    and not list(op.results[0].uses):
                op.erase()   # NOTE: fused into the row loop, now dead
                continue
            for name in (_EPILOGUE, _PRODUCER, _FILL):
                if name in op.attributes:
                    del op.attributes[name]
