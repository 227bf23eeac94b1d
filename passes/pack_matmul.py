"""`ember-pack-matmul`: give big matmuls a packed right-hand side (CPU).

The tiled matmul (`ember-tile-matmul`) walks a KC x NR panel of y for every register tile:
KC rows of NR elements, one row of y apart. When a row of y is a multiple of 4 KB (n = 1024
f32) every row of the panel falls into the same L1 cache set, and the panel, which should
stay in L1, is evicted as it is read. Packing y into panels of NR columns,

    yp[n0, k, n1] = y[k, n0 * NR + n1]        (shape n/NR x k x NR)

makes each panel one contiguous block. The matmul then runs over loops (m, n0, k, n1) and
writes the result as (m, n/NR, NR), which is the row-major (m, n) result itself (a
`tensor.collapse_shape`, no copy). Packing copies k * n elements once per call, against
2 m k n flops.

Matched: 2-D `ember.contraction` generics (loops (m, k, n), maps x(m, k), y(k, n), out(m, n))
on static f32/f64 tensors with n a multiple of NR and enough rows and depth to pay for the
copy. Others are left to `ember-tile-matmul` as they are. When the init is a fill, the product
gets a fill of its own (cse merges equal fills; writing into a shared one would copy it).
"""
from __future__ import annotations

from ..dialects.locations import walk
from .ember_to_linalg import generic_op
from .registry import register_pass
from .tile_matmul import _FLOATS, CONTRACTION, register_tile

PACKED = "ember.contraction_packed"   # loops (m, n0, k, n1): the form `ember-tile-matmul` schedules
PANELS = "ember.pack_panels"           # the copy of y into panels (loops (n0, k, n1)), vectorized there
# NOTE: measured on AVX-512, 1 thread: packing pays from 512^3 (1.71 vs 2.08 ms) and 1024^3
# (15.5 vs 20.3 ms); at 128x784x512 it is even and at 128x512x512 slower (0.51 vs 0.43 ms).
MIN_ROWS = 256                        # m: the copy costs 1/(2m) of the flops
MIN_DEPTH = 256                       # k: shallow products have short panels


def _is_plain_2d(op) -> bool:
    from mlir import ir

    maps = [str(ir.AffineMapAttr(a).value) for a in op.attributes["indexing_maps"]]
    return maps == ["(d0, d1, d2) -> (d0, d1)", "(d0, d1, d2) -> (d1, d2)",
                    "(d0, d1, d2) -> (d0, d2)"]


def packable(op) -> tuple[int, int, int, int] | None:
    """(m, k, n, NR) of a contraction worth packing, or None."""
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


def _own_init(init, shape, element):
    """A fill of its own for the product to accumulate into, when `init` is a fill: cse
    merges equal fills, and a fill shared by two matmuls would be copied for each."""
    from mlir.dialects import linalg, tensor

    fill = init.owner
    if getattr(fill, "name", None) != "linalg.fill":
        return init
    return linalg.fill(fill.operands[0], outs=[tensor.EmptyOp(shape, element).result])


def _pack(op, m: int, k: int, n: int, nr: int):
    from mlir import ir
    from mlir.dialects import arith, tensor

    x, y, init = op.operands[0], op.operands[1], op.operands[2]
    element = op.results[0].type.element_type
    d = [ir.AffineDimExpr.get(i) for i in range(4)]
    with ir.InsertionPoint(op), op.location:
        # yp[n0, k, n1] = y[k, n0 * NR + n1], through y's (k, n/NR, NR) view: a permutation
        # (which vectorizes) instead of the map n0 * NR + n1 (which does not)
        n0, kk, n1 = d[0], d[1], d[2]
        y3 = tensor.expand_shape(ir.RankedTensorType.get([k, n // nr, nr], element), y,
                                 [[0], [1, 2]], [], [k, n // nr, nr])
        panel_map = ir.AffineMap.get(3, 0, [kk, n0, n1])
        packed = generic_op([y3], [panel_map], tensor.EmptyOp([n // nr, k, nr], element).result,
                          ir.AffineMap.get(3, 0, [n0, kk, n1]), ["parallel"] * 3,
                          lambda v, _: v)
        packed.attributes[PANELS] = ir.UnitAttr.get()
        packed = packed.results[0]
        wide = tensor.expand_shape(ir.RankedTensorType.get([m, n // nr, nr], element),
                                   _own_init(init, [m, n], element), [[0], [1, 2]], [],
                                   [m, n // nr, nr])
        # out[m, n0, n1] += x[m, k] * yp[n0, k, n1], loops (m, n0, k, n1)
        mm, n0, kk, n1 = d
        product = generic_op(
            [x, packed], [ir.AffineMap.get(4, 0, [mm, kk]), ir.AffineMap.get(4, 0, [n0, kk, n1])],
            wide, ir.AffineMap.get(4, 0, [mm, n0, n1]),
            ["parallel", "parallel", "reduction", "parallel"],
            lambda xv, yv, acc: (arith.addf(acc, arith.mulf(xv, yv))))
        product.attributes[PACKED] = ir.UnitAttr.get()
        result = tensor.collapse_shape(op.results[0].type, product.results[0], [[0], [1, 2]])
    op.results[0].replace_all_uses_with(result)
    op.erase()


@register_pass("ember-pack-matmul", "Pack the right-hand side of big matmuls into NR-column panels (CPU)")
def pack_matmul(module_op) -> None:
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"]:
        sizes = packable(op)
        if sizes is not None:
            _pack(op, *sizes)
