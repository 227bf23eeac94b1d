"""`ember-parallelize`: split big linalg ops across threads as `scf.forall` loops (CPU).

For each top-level `linalg.generic` or `linalg.copy` (a padded input's interior, copied in
whole; on one thread it took 6-10% of a padded convolution on two) with enough work (at
least `MIN_WORK` loop iterations) it picks one parallel loop, the longest, and tiles it
into one `scf.forall` iteration per thread (ops with no reduction: up to `SPLIT` per
thread, see `pieces`). An extent that the chunk count does not divide is first split at a
static point: the whole chunks run in the forall and the remainder (fewer rows than chunks)
runs after it. Chunks therefore have static sizes, so the schedules that run later
(`ember-tile-matmul`, `ember-tile-conv`) still see static shapes; they schedule the op
inside each chunk.

A convolution whose result only an elementwise epilogue reads (`fuse_epilogues.epilogue_of`)
is not split on its own: the epilogue is, one chunk per thread (into whole chunks, counting
the convolution's work), and the convolution and its fill are fused into its chunks, so that
`ember-fuse-epilogues` finds the pair together in each.

The innermost loop of a generic is its contiguous, vectorized one: it is only split when
every chunk keeps at least `MIN_INNER` iterations.

A padded input that `ember-pack-conv` pads one image at a time (`pad_images`: its readers
are convolutions it packs, which are split here by images or output channels, or not at
all) is not copied whole: its interior copy is marked `pad_images.IMAGE_PAD` and left
unsplit, for that pass.

`ember-to-openmp` turns each forall into an `scf.parallel` and that into an OpenMP
parallel loop (`runtime/openmp.py` loads the runtime). With one thread (`em.config`)
the pass only marks those copies, and the compiled code makes no OpenMP calls.
"""
from __future__ import annotations

import math

from ..dialects.locations import walk
from .fuse_epilogues import epilogue_of
from .pad_images import IMAGE_PAD, mark_image_pads
from .registry import register_pass
from .tile_conv import few_channel_filter_grad
from .tile_matmul import _apply, _sequence

_TARGET = "ember.parallelize.target"
_FILL = "ember.parallelize.fill"     # the fill of a target's init, computed in its chunks
_PRODUCER = "ember.parallelize.producer"   # a convolution computed in its epilogue's chunks
MIN_WORK = 1 << 15      # loop iterations: below this, a fork/join costs more than it saves
MIN_INNER = 16          # iterations each thread keeps of a split innermost (vectorized) loop
# NOTE: a filter gradient with few input channels (`ember-tile-conv`'s few-channel
# schedule, e.g. a CNN's first layer) is left whole, on one thread: the CNN's 64x28x28x1 ->
# 32 one took 0.33 ms whole and 0.82 ms split by output channels (0.51 ms split by filter
# rows, 2 + 1) on 2 threads, interleaved in one process (AVX-512).
# NOTE: an op with no reduction (elementwise, broadcasts, transposes) is cut into up to
# SPLIT chunks per thread of at least MIN_PIECE iterations each, which
# `ember-balance-threads` hands out as the threads come free: a core slowed by other work
# then does less of it. Ops with reductions (matmuls, convolutions: each chunk packs its
# own blocks) keep one chunk per thread.
SPLIT = 8
MIN_PIECE = 1 << 12


def loop_ranges(op) -> list[int] | None:
    """The static extent of each loop of a linalg.generic or linalg.copy, or None (a dynamic
    or unknown one)."""
    from mlir import ir

    if op.name == "linalg.copy":   # loops: the copied shape's dims
        shape = getattr(op.results[0].type, "shape", None) if len(op.results) else None
        return None if shape is None or any(s < 0 for s in shape) else list(shape)
    maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    n = maps[0].n_dims
    ranges: list[int | None] = [None] * n
    for value, amap in zip(op.operands, maps):
        shape = getattr(value.type, "shape", None)
        if shape is None:
            continue
        for size, expr in zip(shape, amap.results):
            if isinstance(expr, ir.AffineDimExpr) and size >= 0:
                ranges[expr.position] = size
    return None if None in ranges else ranges


def iterator_types(op) -> list[str]:
    if op.name == "linalg.copy":
        return ["parallel"] * op.results[0].type.rank
    return [str(it) for it in op.attributes["iterator_types"]]


def parallel_dims(op) -> list[int]:
    return [i for i, it in enumerate(iterator_types(op)) if "parallel" in it]


def choose_dim(parallel: list[int], ranges: list[int], threads: int,
               whole: bool = False) -> int | None:
    """The longest parallel loop (the outermost of equals) worth splitting into `threads`
    chunks, or None. The longest splits most evenly: a filter gradient (kh, kw, ..., c, o)
    splits its output channels, not its 3 filter rows into 2 + 1. `whole`: only loops that
    split into whole chunks (no remainder)."""
    innermost = len(ranges) - 1
    best = None
    for d in parallel:
        if ranges[d] < threads or (whole and ranges[d] % threads):
            continue
        if d == innermost and ranges[d] // threads < MIN_INNER:
            continue
        if best is None or ranges[d] > ranges[best]:
            best = d
    return best


def pieces(iterators: list[str], ranges: list[int], dim: int, threads: int) -> int:
    """How many chunks to cut loop `dim` into: one per thread, or for an op with no
    reduction up to SPLIT per thread, as long as each keeps MIN_PIECE iterations (and
    MIN_INNER of a split innermost loop), and what is left over (run on one thread after
    the chunks) is at most a quarter of a chunk."""
    if any("reduction" in it for it in iterators):
        return threads
    work, extent = math.prod(ranges), ranges[dim]

    def fits(count: int) -> bool:
        chunk = extent // count
        return (chunk > 0 and work // count >= MIN_PIECE and extent % count <= chunk // 4
                and (dim != len(ranges) - 1 or chunk >= MIN_INNER))

    count = threads * SPLIT
    while count > threads and not fits(count):
        count //= 2
    return max(count, threads)


def script(targets: list[tuple[int, int, int, int, bool, int, bool]]) -> str:
    """One transform sequence for the marked ops: (mark, loops, dim, extent, has a marked
    fill, chunks, has a marked producer) each. A producer is fused into the chunks first,
    then the fill (of the producer's init, if there is one)."""
    lines, n = [], 0
    for mark, loops, dim, extent, fill, count, producer in targets:
        chunk = extent // count
        main = chunk * count
        n += 1
        op = f"%op{n}"
        lines.append(f"    {op} = transform.structured.match "
                     f"ops{{[\"linalg.generic\", \"linalg.copy\"]}} "
                     f"attributes {{{_TARGET} = {mark} : i64}} in %root "
                     ": (!transform.any_op) -> !transform.any_op")
        if main < extent:
            lines.append(f"    %both{n} = transform.structured.split {op} after {main} "
                         f"{{dimension = {dim}}} : !transform.any_op")
            lines.append(f"    %main{n}, %rest{n} = transform.split_handle %both{n} : "
                         "(!transform.any_op) -> (!transform.any_op, !transform.any_op)")
            op = f"%main{n}"
        sizes = [chunk if i == dim else 0 for i in range(loops)]
        lines.append(f"    %tiled{n}, %forall{n} = transform.structured.tile_using_forall {op} "
                     f"tile_sizes {sizes} : (!transform.any_op) -> "
                     "(!transform.any_op, !transform.any_op)")
        if producer:
            lines.append(f"    %producer{n} = transform.structured.match "
                         f"attributes {{{_PRODUCER} = {mark} : i64}} in %root "
                         ": (!transform.any_op) -> !transform.any_op")
            lines.append(f"    transform.structured.fuse_into_containing_op %producer{n} into "
                         f"%forall{n} : (!transform.any_op, !transform.any_op) -> "
                         "(!transform.any_op, !transform.any_op)")
        if not fill:
            continue
        lines.append(f"    %fill{n} = transform.structured.match ops{{[\"linalg.fill\"]}} "
                     f"attributes {{{_FILL} = {mark} : i64}} in %root "
                     ": (!transform.any_op) -> !transform.any_op")
        lines.append(f"    transform.structured.fuse_into_containing_op %fill{n} into %forall{n} "
                     ": (!transform.any_op, !transform.any_op) -> "
                     "(!transform.any_op, !transform.any_op)")
    return _sequence(lines)


def _split(op, threads: int, producer=None):
    """(loop ranges, the loop to split, chunks) of an op worth splitting, or None. An
    epilogue computed with its `producer` in each chunk is cut as the producer would be
    (one chunk per thread, counting the producer's work), into whole chunks."""
    ranges = loop_ranges(op)
    if ranges is None or few_channel_filter_grad(op):
        return None
    if math.prod(loop_ranges(producer) if producer is not None else ranges) < MIN_WORK:
        return None
    dim = choose_dim(parallel_dims(op), ranges, threads, whole=producer is not None)
    if dim is None:
        return None
    iterators = iterator_types(op if producer is None else producer)
    return ranges, dim, pieces(iterators, ranges, dim, threads)


def _own_fill(op):
    """The linalg.fill that only `op`'s (single) init reads, or None: each chunk then fills
    its own part (in parallel, and in cache just before it accumulates into it)."""
    if len(op.results) != 1:
        return None
    init = op.operands[len(op.operands) - 1]
    fill = init.owner
    if getattr(fill, "name", None) != "linalg.fill" or len(list(init.uses)) != 1:
        return None
    return fill


def _top_level_ops(func) -> list:
    """The generics and copies (a padded input's interior, `Lowerer.copy_into`) outside loops."""
    return [op for op in func.regions[0].blocks[0].operations
            if op.name in ("linalg.generic", "linalg.copy")]


@register_pass("ember-parallelize",
               "Split big linalg ops into scf.forall chunks, one or more per thread (em.config threads)")
def parallelize(module_op) -> None:
    from mlir import ir

    from ..runtime.config import get_threads

    threads = get_threads()
    for func in [op for op in walk(module_op) if op.name == "func.func"]:
        if not func.regions[0].blocks:
            continue
        if threads == 1:
            mark_image_pads(func, lambda conv: None)
            continue
        targets, producers, paired = [], [], []
        for op in _top_level_ops(func):
            epilogue = epilogue_of(op.operation) if op.name == "linalg.generic" else None
            if epilogue is not None and _split(epilogue, threads, op.operation) is not None:
                producers.append((epilogue, op.operation))
                paired.append(op.operation)

        def split_of(conv):
            """(the dim of `conv`'s result its chunks split, the chunks' extent), or None."""
            epilogue = next((e for e, p in producers if p == conv.operation), None)
            if epilogue is not None:   # NOTE: an elementwise epilogue's loops are its dims
                split = _split(epilogue, threads, conv.operation)
                return None if split is None else (split[1], split[0][split[1]] // split[2])
            split = _split(conv.operation, threads)
            if split is None:
                return None
            ranges, dim, count = split
            out_map = ir.AffineMapAttr(conv.attributes["indexing_maps"][2]).value
            return next((i for i, e in enumerate(out_map.results)
                         if isinstance(e, ir.AffineDimExpr) and e.position == dim), -1), \
                ranges[dim] // count

        mark_image_pads(func, split_of)
        for op in _top_level_ops(func):
            op = op.operation
            if op in paired or IMAGE_PAD in op.attributes:
                continue   # NOTE: computed in its epilogue's chunks, or copied per image
            producer = next((p for e, p in producers if e == op), None)
            split = _split(op, threads, producer)
            if split is None:
                continue
            ranges, dim, count = split
            mark = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), len(targets))
            op.attributes[_TARGET] = mark
            if producer is not None:
                producer.attributes[_PRODUCER] = mark
            # NOTE: a split (below) reads the fill through slices, which cannot be fused.
            fill = _own_fill(producer or op) if ranges[dim] % count == 0 else None
            if fill is not None:
                fill.attributes[_FILL] = mark
            targets.append((len(targets), len(ranges), dim, ranges[dim], fill is not None, count,
                            producer is not None))
        if targets:
            _apply(func, script(targets))
            for op in reversed(list(walk(func))):   # NOTE: a dead producer before its fill
                if (_FILL in op.attributes or _PRODUCER in op.attributes) \
                        and not list(op.results[0].uses):
                    op.erase()   # NOTE: fused into the chunks, now dead
                    continue
                for name in (_TARGET, _FILL, _PRODUCER):
                    if name in op.attributes:
                        del op.attributes[name]
