"""`ember-vectorize-elementwise`: the generics no schedule took, as loops of host-wide vectors
(CPU).

After the row, matmul and convolution schedules, what is left of a function is elementwise
work (a bias and activation after a matmul, relu's gradient, the optimizer's updates) and
reductions over leading dims (a bias gradient sums the rows). Lowered as they are, they are
scalar loops that LLVM's loop vectorizer revisits at half the width of an AVX-512 register,
and that vectorizer is a fifth of `opt`'s time and doubles the code `llc` compiles.

This pass takes each static generic whose innermost loop is parallel: all other loops are
tiled by 1, the innermost by one vector register (`target_vector_bytes`), and the tile is
vectorized; a remainder shorter than a vector is vectorized at its own length. Reductions
over the outer loops stay in program order (each step adds one row to a vector of partial
results). An operand read across the innermost loop (a transpose: `linalg_ops.transpose`
builds them as generics) makes the tiles square, lanes x lanes along the innermost loop and
the one that operand is contiguous along, and its read a vector.transpose in registers
(128 x 512 f32, one thread: 78 -> 21-26 us). Generics whose body reads loop indices, or
with operands contiguous along two other loops, are left to LLVM, and so are the matmuls
and convolutions their schedules leave (integer ones): one vector per step along their
innermost loop is slower than their own schedules (`ember-tile-matmul` gives a single row
times a matrix 16 accumulators; this pass's form of it made the single-example MLP forward
143-176 us, against 112-118 us with LLVM's unrolled loop).
"""
from __future__ import annotations

from ..dialects.locations import walk
from .registry import register_pass
from .tile_matmul import _apply, _Script, _sequence, target_vector_bytes
from .tile_rows import _BODY_DIALECTS, _SKIP, _generic_maps, _iterators, _plain, _static_type
from .vectorize_copies import _element_bytes

_MARK = "ember.vectorize_elementwise.op"      # i64: the op's position in the script
NEST = "ember.vectorize_elementwise.nest"     # the outermost loop of each vectorized op


def _target(op) -> tuple[list[int], int, int | None] | None:
    """(loop sizes, widest element's bytes, the loop along which a transposed operand is
    contiguous or None) of a generic this pass vectorizes, or None."""
    from mlir import ir

    if op.name != "linalg.generic" or len(op.results) != 1 \
            or any(name in op.attributes for name in _SKIP):
        return None   # NOTE: matmuls and convolutions their schedules left (one row) stay
    maps = _generic_maps(op)
    iterators = _iterators(op)
    if not iterators or iterators[-1] != "parallel" or not all(_plain(m) for m in maps):
        return None
    inner = len(iterators) - 1
    sizes, widest, across = [None] * len(iterators), 0, set()
    for value, map_ in zip(op.operands, maps):
        if not isinstance(value.type, ir.ShapedType):
            continue   # a scalar operand
        type_ = _static_type(value)
        element_bytes = _element_bytes(type_.element_type) if type_ is not None else None
        if element_bytes is None:
            return None
        widest = max(widest, element_bytes)
        positions = [e.position if isinstance(e, ir.AffineDimExpr) else None for e in map_.results]
        if inner in positions[:-1]:
            across.add(positions[-1])   # read across the innermost loop: a transpose
        for dim, position in zip(type_.shape, positions):
            if position is not None:
                sizes[position] = dim
    if None in sizes or len(across) > 1 or None in across \
            or maps[-1].results[-1] != ir.AffineDimExpr.get(inner):
        return None
    (other,) = across or {None}
    if other is not None and iterators[other] != "parallel":
        return None
    body = list(op.regions[0].blocks[0].operations)[:-1]
    if any(not o.name.startswith(_BODY_DIALECTS) or o.name.startswith("arith.index") for o in body):
        return None
    return sizes, widest, other


def _parts(length: int, lanes: int) -> list[tuple[int, int]]:
    """(extent, tile) parts of a loop: whole vectors, then the rest (tile 0: all of it)."""
    whole = length // lanes * lanes
    return [p for p in [(whole, lanes), (length - whole, 0)] if p[0] > 0]


class _ElementwiseScript(_Script):
    def op(self, mark: int, sizes: list[int], lanes: int, across: int | None) -> None:
        """Tiles: every loop by 1 but the innermost, by a vector; with a transposed operand,
        also the loop it is contiguous along (`across`), so that a tile reads and writes
        square blocks of lanes x lanes."""
        handle = self.fresh()
        self.emit(f"{handle} = transform.structured.match attributes {{{_MARK} = {mark}}} "
                  f"in %root : (!transform.any_op) -> !transform.any_op")
        inner = len(sizes) - 1
        pieces = [(handle, [0 if d in (inner, across) else 1 for d in range(len(sizes))])]
        for dim in ([across] if across is not None else []) + [inner]:
            split = []
            for part, tiles in pieces:
                for piece, (_, step) in self.split(part, dim, _parts(sizes[dim], lanes)):
                    split.append((piece, tiles[:dim] + [step] + tiles[dim + 1:]))
            pieces = split
        for piece, tiles in pieces:
            tile, loops = self.tile(piece, tiles)
            self.emit(f"transform.structured.vectorize {tile} : !transform.any_op")
            if loops:
                self.emit(f"transform.annotate {loops[0]} \"{NEST}\" : !transform.any_op")
                # NOTE: named as llvm.br's own attribute: `convert-scf-to-cf` copies it to the
                # loop's back edge and `convert-cf-to-llvm` to the llvm.br, which the LLVM IR
                # translation reads (prefixed `llvm.`, it stayed a discardable attribute there).
                self.emit(f"transform.annotate {loops[-1]} \"loop_annotation\" = %no_unroll "
                          f": !transform.any_op, !transform.any_param")


# NOTE: a second sequence, scoped to the new loops: unit dims cast away (the tiles are
# 1 x ... x 1 x lanes), broadcasts and reductions over unit dims folded.
_LOWER_VECTORS = _sequence([
    f"    %nests = transform.structured.match attributes {{{NEST}}} in %root "
    ": (!transform.any_op) -> !transform.any_op",
    "    transform.apply_patterns to %nests {",
    "      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = \"innerparallel\"",
    "      transform.apply_patterns.vector.transfer_permutation_patterns",
    "      transform.apply_patterns.vector.cast_away_vector_leading_one_dim",
    # NOTE: a transposed tile's read becomes a read and a vector.transpose: in AVX-512
    # registers as 16 x 16 shuffles (others, element by element).
    "      transform.apply_patterns.vector.lower_transpose lowering_strategy = \"shuffle_16x16\"",
    "      transform.apply_patterns.canonicalization",
    "    } : !transform.any_op",
])


@register_pass("ember-vectorize-elementwise",
               "Vectorize the remaining elementwise generics along their innermost loop (CPU)")
def vectorize_elementwise(module_op) -> None:
    from mlir import ir

    vector_bytes = target_vector_bytes()
    for func in [op for op in walk(module_op) if op.name == "func.func"]:
        script, mark = _ElementwiseScript(0), 0
        for op in walk(func):
            target = _target(op)
            if target is None or not target[0]:
                continue
            sizes, element_bytes, across = target
            op.attributes[_MARK] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), mark)
            script.op(mark, sizes, max(1, vector_bytes // element_bytes), across)
            mark += 1
        if not mark:
            continue
        _apply(func, _sequence([
            "    %no_unroll = transform.param.constant #llvm.loop_annotation<unroll = <disable = true>>"
            " -> !transform.any_param"] + script.lines))
        _apply(func, _LOWER_VECTORS)
        for op in walk(func):
            if _MARK in op.attributes:
                del op.attributes[_MARK]
            if NEST in op.attributes:
                del op.attributes[NEST]
