"""`ember-unroll-windows`: a reduction over small windows (pooling, its gradient) becomes an
elementwise generic over the output, its window taps written out one after another.

Pooling and the max-pool gradient lower to generics that loop (n, oh, ow, c, kh, kw) and
accumulate each window into an init filled beforehand (`dialects/ops/pooling.py`, marked
`ember.window`). The fill is a pass over the whole output before the reduction reads it back:
for the CNN of bench row 7 the gradient of its first max pool zero-fills 5.5 MB (a memset
of 3% of the train step's samples on two threads). With the (kh, kw) loops unrolled (a 2x2
window is 4 taps) the accumulator starts at the fill's value in a register: the generic has
only parallel loops, reads no init, and the fill is gone. Taps are combined in the order of
the loops they replace (kh, then kw), so results are bit for bit the same.

Matched: generics marked `ember.window` with static windows of at most `MAX_TAPS` taps whose
init is a `linalg.fill` that only they read (`ember-own-fills` runs first), except windows
whose first tap would read the input at the output's own indices (stride 1: see
`_bounds_hold`).

Measured (AVX-512 host, medians of alternating processes): a 64x26x26x32 2x2 max pool with
its gradient, 2 threads 0.86 -> 0.33 ms, 1 thread 2.04 -> 0.84 ms (the unrolled generics
have no reduction, so `ember-vectorize-elementwise` vectorizes them and `ember-parallelize`
cuts them into many chunks); the Keras CNN train step of bench row 7, 2 threads 8.81 ->
7.96 ms, 1 thread 15.82 -> 14.30 ms.
"""
from __future__ import annotations

import itertools
import math

from ..dialects.locations import walk
from ..dialects.ops.pooling import WINDOW
from .ember_to_linalg import generic_op
from .parallelize import _own_fill, iterator_types, loop_ranges
from .registry import register_pass

MAX_TAPS = 16   # a 4x4 window; larger ones keep their reduction loops


def _unrollable(op):
    """(loop ranges, reduction dims, the init's fill) of a marked generic worth unrolling,
    or None."""
    if WINDOW not in op.attributes or len(op.results) != 1:
        return None
    ranges, fill = loop_ranges(op), _own_fill(op)
    if ranges is None or fill is None:
        return None
    reductions = [d for d, it in enumerate(iterator_types(op)) if "reduction" in it]
    if not reductions or math.prod(ranges[d] for d in reductions) > MAX_TAPS:
        return None
    if any(len(o.regions) for o in op.regions[0].blocks[0].operations):
        return None
    return ranges, reductions, fill


def _plan(op, ranges, reductions):
    """The unrolled generic's inputs, their maps, the output map, which input each (tap,
    operand) reads, the taps, and the kept loops with their new positions."""
    from mlir import ir

    maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    n_in = len(op.operands) - 1
    kept = [d for d in range(len(ranges)) if d not in reductions]
    new_dim = {d: i for i, d in enumerate(kept)}
    body = op.regions[0].blocks[0]
    args = list(body.arguments)
    used = [i for i in range(n_in) if list(args[i].uses)]
    taps = list(itertools.product(*(range(ranges[d]) for d in reductions)))

    def at(tap):
        """Old dims as expressions of the new ones, the window dims fixed at `tap`."""
        fixed = dict(zip(reductions, tap))
        return ir.AffineMap.get(len(kept), 0, [
            ir.AffineConstantExpr.get(fixed[d]) if d in fixed else ir.AffineDimExpr.get(new_dim[d])
            for d in range(len(ranges))])

    inputs, input_maps, slot = [], [], {}
    for t, tap in enumerate(taps):
        sub = at(tap)
        for i in used:
            new_map = ir.AffineMap.get(len(kept), 0, [e.compose(sub) for e in maps[i].results])
            key = (i, str(new_map))
            if key not in slot:
                slot[key] = len(inputs)
                inputs.append(op.operands[i])
                input_maps.append(new_map)
            slot[(t, i)] = slot[key]
    out_map = ir.AffineMap.get(len(kept), 0, [e.compose(at(taps[0])) for e in maps[-1].results])
    return inputs, input_maps, out_map, slot, taps, kept, new_dim, used


def _bounds_hold(inputs, input_maps, ranges, kept) -> bool:
    """Whether linalg infers the new loops' extents right: it takes each from the first
    operand that a map indexes by that loop alone. A stride-1 window's first tap reads the
    padded input at the output's own indices, a longer extent: such windows keep their
    loops."""
    from mlir import ir

    for value, amap in zip(inputs, input_maps):
        for size, expr in zip(value.type.shape, amap.results):
            if isinstance(expr, ir.AffineDimExpr) and size != ranges[kept[expr.position]]:
                return False
    return True


def _rewrite(op, fill, plan, reductions) -> None:
    from mlir import ir
    from mlir.dialects import arith, linalg

    inputs, input_maps, out_map, slot, taps, kept, new_dim, used = plan
    body = op.regions[0].blocks[0]
    args = list(body.arguments)

    def build(*block_args):
        acc = fill.operands[0]
        index = ir.IndexType.get()
        for t, tap in enumerate(taps):
            values = {args[i]: block_args[slot[(t, i)]] for i in used}
            values[args[-1]] = acc
            fixed = dict(zip(reductions, tap))
            for old in body.operations:
                if old.name == "linalg.yield":
                    acc = values.get(old.operands[0], old.operands[0])
                    break
                if old.name == "linalg.index":
                    dim = ir.IntegerAttr(old.attributes["dim"]).value
                    new = (arith.constant(index, fixed[dim]) if dim in fixed
                           else linalg.IndexOp(new_dim[dim]).result)
                    values[old.results[0]] = new
                    continue
                clone = old.clone()
                for k, value in enumerate(clone.operands):
                    if value in values:
                        clone.operands[k] = values[value]
                for r_old, r_new in zip(old.results, clone.results):
                    values[r_old] = r_new
        return acc

    with ir.InsertionPoint(op), op.location:
        new = generic_op(inputs, input_maps, fill.operands[1], out_map,
                         ["parallel"] * len(kept), build)
    op.results[0].replace_all_uses_with(new.results[0])
    op.erase()
    fill.erase()


def _unroll(op, ranges, reductions, fill) -> None:
    plan = _plan(op, ranges, reductions)
    if _bounds_hold(plan[0], plan[1], ranges, plan[5]):
        _rewrite(op, fill, plan, reductions)


@register_pass("ember-unroll-windows",
               "Unroll small pooling windows into elementwise generics; their init fills go (CPU)")
def unroll_windows(module_op) -> None:
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"]:
        how = _unrollable(op)
        if how is not None:
            _unroll(op, *how)
