"""`ember-pack-matmul`: block big matmuls for the caches and pack each block (CPU).

The GotoBLAS/BLIS scheme, on tensors. The product is tiled for the caches in the loop order
(n, k, m): an NC-column, KC-deep block of y is packed once per (n, k) block into NR-column
panels,

    yp[n0, k, n1] = y[k0 + k, j0 + n0 * NR + n1]        (NC/NR x KC x NR, about 1 MB: L2)

and an MC x KC block of x is copied into a contiguous buffer once per (n, k, m) block (MC x
KC, 64 KB: rows KC apart, so that the register tile's MR rows do not share an L1 set as rows
of a 4 KB-multiple row length do). The block's product then runs over loops (m, n0, k, n1)
into the (MC, NC/NR, NR) view of its block of the result; `ember-tile-matmul` gives it
register tiles that walk down the MC rows while one KC x NR panel of y stays in L1.

Packing inside the blocks, rather than whole matrices up front, keeps what was packed in
cache when it is read: measured on AVX-512, one thread, 1024^3 f32, the same kernel took 24.8
ms with whole-matrix packing and 18.2 ms with per-block packing (OpenBLAS: 18.4 ms).

Matched: 2-D `ember.contraction` generics (loops (m, k, n), maps x(m, k), y(k, n), out(m, n)),
top-level or inside the per-thread chunks of `ember-parallelize`, on static f32/f64 tensors
with n a multiple of NR and enough rows and depth to pay for the copies. Others are left to
`ember-tile-matmul` as they are. Dims that are not multiples of the cache tiles are split at
static points (`tile_matmul._parts`), so every block has a static shape.
"""
from __future__ import annotations

from ..dialects.locations import walk
from .ember_to_linalg import generic_op
from .registry import register_pass
from .tile_matmul import (_FLOATS, CONTRACTION, _apply, _func_of, _parts, _Script, _sequence,
                          register_tile)

PACKED = "ember.contraction_packed"   # loops (m, n0, k, n1): the form `ember-tile-matmul` schedules
PANELS = "ember.pack_panels"           # the copies into packed blocks (value: their rank), vectorized there
_TARGET = "ember.pack_matmul.target"
_BLOCK = "ember.pack_matmul.block"     # a cache block of the product, packed by `_pack_block`
_LOOP = "ember.pack_matmul.loop"       # a cache-tile loop, for hoisting the packing out of it
MC, KC, NC = 64, 256, 1024             # x block MC x KC (L1/L2), y block KC x NC (L2)
# NOTE: every k block reads and writes the whole result once more. A result beyond the
# caches (2048^2 f32: 16 MB) makes that a pass over memory per block, so big results take
# blocks twice as deep. Measured on a 2-core AVX-512 host (1 MB L2, 32 MB L3), medians:
# 2048^3 one thread 178-204 -> 170-184 ms (NumPy 168-170), two threads 94.5 -> 86.2 ms;
# at 1024 (4 MB result) no change, and 512 on two threads 1.30-1.41 -> 1.61-1.68 ms with the
# deep blocks (each thread packs its own copy of y), so they are kept to big results.
KC_DEEP = 512
DEEP_RESULT = 1 << 21                  # elements of a (thread's) result: 8 MB of f32
# NOTE: y's blocks are packed once for every m rows, so short products pay more per row, and
# shallow ones have short panels. With per-block packing, on AVX-512 with 2 threads (each
# thread's chunk of rows is a product of its own), packing from one MC block of rows and a
# depth of 128 took the Keras MLP train step of bench row 6 (128x784x512, 128x512x512,
# 784x128x512, ...) from 4.33-4.63 ms to 3.71-3.83 ms in interleaved runs; at the earlier
# 256 and 256, set with whole-matrix packing, none of them was packed.
MIN_ROWS = MC                         # m
MIN_DEPTH = 128                       # k


def _is_plain_2d(op) -> bool:
    from mlir import ir

    maps = [str(ir.AffineMapAttr(a).value) for a in op.attributes["indexing_maps"]]
    return maps == ["(d0, d1, d2) -> (d0, d1)", "(d0, d1, d2) -> (d1, d2)",
                    "(d0, d1, d2) -> (d0, d2)"]


def packable(op) -> tuple[int, int, int, int] | None:
    """(m, k, n, NR) of a contraction worth blocking and packing, or None."""
    from mlir import ir

    if CONTRACTION not in op.attributes or len(op.results) != 1:
        return None
    out = op.results[0].type
    if not isinstance(out, ir.RankedTensorType) or out.rank != 2 or not out.has_static_shape:
        return None
    element_bytes = _FLOATS.get(str(out.element_type))
    if element_bytes is None or not _is_plain_2d(op):
        return None
    m, n = out.shape
    k = op.operands[0].type.shape[1]
    nr = register_tile(element_bytes)[1]
    if n % nr or n < 2 * nr or m < MIN_ROWS or k < MIN_DEPTH:
        return None
    return m, k, n, nr


def depth_block(m: int, n: int) -> int:
    """KC for a product with an m x n result (see KC_DEEP)."""
    return KC_DEEP if m * n >= DEEP_RESULT else KC


def block_text(m: int, k: int, n: int, nr: int) -> str:
    """The transform script that tiles the marked (m, k, n) contraction into cache blocks,
    loops (n, k, m), marking each block's product and each loop. The rows are split inside
    the (n, k) loops, so that the parts of m share one packed block of y."""
    script = _Script(0)
    script.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
    loops = []
    for hn, np_ in script.split("%op", 2, _parts(n, max(NC // nr, 1) * nr, nr)):
        for hk, kp in script.split(hn, 1, _parts(k, depth_block(m, n), 1)):
            op, outer = script.tile(hk, [0, kp[1], np_[1]], [2, 1, 0])
            loops += outer
            for hm, mp in script.split(op, 0, _parts(m, MC, 1)):
                block, inner = script.tile(hm, [mp[1], 0, 0])
                loops += inner
                script.emit(f"transform.annotate {block} \"{_BLOCK}\" : !transform.any_op")
    for loop in loops:
        script.emit(f"transform.annotate {loop} \"{_LOOP}\" : !transform.any_op")
    return _sequence(script.lines)


# NOTE: a second sequence: the packing ops exist only once the blocks are rewritten.
# NOTE: hoisted out of the loops over m, the copies of y's block made for each part of m
# are the same ops on the same value: cse makes them one.
HOIST = _sequence([
    f"    %loops = transform.structured.match attributes {{{_LOOP}}} in %root "
    ": (!transform.any_op) -> !transform.any_op",
    "    transform.apply_licm to %loops : !transform.any_op",
    "    transform.apply_cse to %root : !transform.any_op",
])


def _whole(value):
    """`value` seen through the extract_slices that take all of their source (tiling makes
    them for untiled dims), so that equal blocks are the same value."""
    while getattr(value.owner, "name", None) == "tensor.extract_slice" and \
            value.owner.operands[0].type == value.type:
        value = value.owner.operands[0]
    return value


def _copy(source, source_map, shape, element):
    """A copy of `source` (read through `source_map`) into a new tensor of `shape`, marked
    for vectorization (`ember-tile-matmul`)."""
    from mlir import ir
    from mlir.dialects import tensor

    rank = len(shape)
    copy = generic_op([source], [source_map], tensor.EmptyOp(shape, element).result,
                      ir.AffineMap.get_identity(rank), ["parallel"] * rank, lambda v, _: v)
    copy.attributes[PANELS] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), rank)
    return copy.results[0]


def _pack_block(op, nr: int) -> None:
    """Rewrites one cache block's product (x: MC x KC, y: KC x NC, out: MC x NC) into the
    packed form: copies of its x and y blocks, and a product over (m, n0, k, n1)."""
    from mlir import ir
    from mlir.dialects import arith, tensor

    x, y, init = op.operands[0], _whole(op.operands[1]), op.operands[2]
    element = op.results[0].type.element_type
    (m, k), n = x.type.shape, y.type.shape[1]
    d = [ir.AffineDimExpr.get(i) for i in range(4)]
    with ir.InsertionPoint(op), op.location:
        # NOTE: y's copy reads through its (k, n/NR, NR) view, so that the copy's map is a
        # permutation (which vectorizes), not n0 * NR + n1 (which does not).
        y3 = tensor.expand_shape(ir.RankedTensorType.get([k, n // nr, nr], element), y,
                                 [[0], [1, 2]], [], [k, n // nr, nr])
        yp = _copy(y3, ir.AffineMap.get(3, 0, [d[1], d[0], d[2]]), [n // nr, k, nr], element)
        xp = _copy(x, ir.AffineMap.get_identity(2), [m, k], element)
        wide = tensor.expand_shape(ir.RankedTensorType.get([m, n // nr, nr], element), init,
                                   [[0], [1, 2]], [], [m, n // nr, nr])
        # out[m, n0, n1] += x[m, k] * yp[n0, k, n1], loops (m, n0, k, n1)
        mm, n0, kk, n1 = d
        product = generic_op(
            [xp, yp], [ir.AffineMap.get(4, 0, [mm, kk]), ir.AffineMap.get(4, 0, [n0, kk, n1])],
            wide, ir.AffineMap.get(4, 0, [mm, n0, n1]),
            ["parallel", "parallel", "reduction", "parallel"],
            lambda xv, yv, acc: (arith.addf(acc, arith.mulf(xv, yv))))
        product.attributes[PACKED] = ir.UnitAttr.get()
        result = tensor.collapse_shape(op.results[0].type, product.results[0], [[0], [1, 2]])
    op.results[0].replace_all_uses_with(result)
    op.erase()


def _block(op, m: int, k: int, n: int, nr: int) -> None:
    from mlir import ir

    func = _func_of(op)
    op.attributes[_TARGET] = ir.UnitAttr.get()
    _apply(func, block_text(m, k, n, nr))
    for block in [b for b in walk(func) if b.name == "linalg.generic" and _BLOCK in b.attributes]:
        _pack_block(block, nr)
    _apply(func, HOIST)
    for loop in [o for o in walk(func) if _LOOP in o.attributes]:
        del loop.attributes[_LOOP]


@register_pass("ember-pack-matmul",
               "Tile big matmuls into cache blocks and pack each block of x and y (CPU)")
def pack_matmul(module_op) -> None:
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"]:
        sizes = packable(op)
        if sizes is not None:
            _block(op, *sizes)
