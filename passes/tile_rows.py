"""`ember-tile-rows`: row reductions as one pass over memory, vectorized, in row tiles.

Softmax, log_softmax, layernorm, cross-entropy, mean/variance and plain reductions over the
trailing axes lower to a chain of `linalg.generic`s (and `linalg.fill`s) that share their
leading parallel dims (the rows): max-reduce, exp(x - max), sum-reduce, divide. Each reads
and writes whole tensors, and the reductions are scalar loops (LLVM keeps the order of FP
sums). This pass finds those chains (DAGs) and applies a transform-dialect schedule to each:

  1. tile the chain's last op (its sink) over the rows with `scf.forall`, R rows a tile (R
     divides the rows, and R rows of the chain's widest tensor fit `ROW_TILE_BYTES`), then
     fuse every other op of the chain into the forall: intermediates become R x row tiles
     that stay in cache, and each row is read from memory once per op, from cache;
  2. per op in the tile, along the row (the last dim), split off a remainder smaller than a
     vector step, then:
       - reductions: `tile_reduction_using_for` in steps of C lanes, so the accumulator is
         an R x C vector of partial results (C: `ACCUMULATORS` vector registers for the R
         rows together) carried by the loop, reduced across lanes once at the end;
       - elementwise ops: tiled in steps of one vector register;
     then vectorize (static shapes: no masks); the remainder is vectorized at its size.

Before that, per chain: keepdims `expand_shape`s fold into the readers' maps, each op gets
an init of its own (a shared empty tensor or fill would be copied or could not be fused),
and `x / s` with s per row becomes `x * (1 / s)` (see `_reciprocals`).

The forall is what `ember-lower-cpu` turns into parallel tasks (or a sequential loop);
`ember-parallelize` (after this pass) leaves it alone, as it splits top-level generics.
NOTE: splitting a sum into C partial sums reassociates it, as every framework's SIMD
reduction does: each partial sum runs over every C-th element, so the rounding error is
that of a sum of N / C terms plus a final sum of C terms (smaller than the sequential
sum's, in the usual error bound). max and min are exact.

Chains whose rows are reduced (column sums) are not matched; they stay on the loop path.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dialects.locations import walk
from .registry import register_pass
from .tile_matmul import _apply, _FLOATS, _Script, _sequence, target_vector_bytes

_MARK = "ember.tile_rows.op"          # i64: the op's position in its chain (while scheduling)
NEST = "ember.tile_rows.nest"         # the forall of each scheduled chain
ROW_TILE_BYTES = 16 * 1024            # an R-row tile of the chain's widest tensor (L1: 32-48 KiB)
MAX_ROWS = 8                          # rows per tile (R x vector registers stay few)
ACCUMULATORS = 4                      # independent vector accumulators of a reduction
# NOTE: rows narrower than one vector register (a loss over 10 classes) in tiles of R rows
# are R x width vectors of an odd width (arrays of vectors in LLVM, costly to legalize):
# the Keras MLP train step's two cross-entropy chains (128 x 10) were a fifth of its LLVM
# IR (969 -> 769 KB with one row a tile), and opt + llc took about 60 ms less. Up to this
# many rows, such chains take one row a tile; with more, the per-tile overhead shows:
# log_softmax of 4096 x 10, 2 threads: 169-184 us with 8 rows a tile, 97-124 us with one;
# 16384 x 10: 194 us, 396-478 us.
SHORT_ROWS_ONE_BY_ONE = 4096
_SKIP = ("ember.contraction", "ember.convolution")
_ELEMENT_BYTES = dict(_FLOATS, i1=1, i8=1, i16=2, i32=4, i64=8)


@dataclass
class RowOp:
    """A linalg.generic or linalg.fill over `rows` (its leading dims) and a `tail`."""

    op: object
    rows: tuple[int, ...]
    tail: tuple[int, ...]          # the remaining dims of its loop nest (fill: of its result)
    reduce: bool                   # the tail dims are reduction dims
    element_bytes: int


def _generic_maps(op):
    from mlir import ir

    return [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]


def _iterators(op) -> list[str]:
    return [str(a).split("<")[-1].rstrip(">") for a in op.attributes["iterator_types"]]


def _leads_with_rows(map_, k: int) -> bool:
    """Whether the map's first k results are d0 ... d(k-1)."""
    from mlir import ir

    results = list(map_.results)
    return len(results) >= k and all(isinstance(e, ir.AffineDimExpr) and e.position == i
                                     for i, e in enumerate(results[:k]))


def _static_type(value):
    from mlir import ir

    if not isinstance(value.type, ir.RankedTensorType):
        return None
    type_ = ir.RankedTensorType(value.type)
    if not type_.has_static_shape or 0 in type_.shape:
        return None
    return type_


def _reduction_rows(op) -> int | None:
    """k when `op` is a generic reducing its trailing dims (after k >= 1 parallel ones)."""
    if op.name != "linalg.generic" or any(name in op.attributes for name in _SKIP):
        return None
    iterators = _iterators(op)
    if "reduction" not in iterators:
        return None
    k = iterators.index("reduction")
    if k == 0 or any(it != "reduction" for it in iterators[k:]):
        return None
    maps = _generic_maps(op)
    if len(op.results) != 1 or len(maps[-1].results) != k or not _leads_with_rows(maps[-1], k):
        return None
    return k


def _row_op(op, k: int, rows: tuple[int, ...]) -> RowOp | None:
    """`op` as a RowOp over these rows, or None when it does not loop over them."""
    if len(op.results) != 1:
        return None
    type_ = _static_type(op.results[0])
    if type_ is None or str(type_.element_type) not in _ELEMENT_BYTES:
        return None
    element_bytes = _ELEMENT_BYTES[str(type_.element_type)]
    if op.name == "linalg.fill":
        shape = tuple(type_.shape)
        if shape[:k] != rows:
            return None
        return RowOp(op, rows, shape[k:], False, element_bytes)
    if op.name != "linalg.generic" or any(name in op.attributes for name in _SKIP):
        return None
    maps = _generic_maps(op)
    if any(_static_type(v) is None for v in op.operands if not _is_scalar(v)):
        return None
    if not all(_plain(map_) for map_ in maps):
        return None     # windows (d1 * 2 + d4): convolutions, pooling
    domain = _domain(op, maps)
    iterators = _iterators(op)
    if domain is None or tuple(domain[:k]) != rows or any(it != "parallel" for it in iterators[:k]):
        return None
    tail = iterators[k:]
    if len(set(tail)) > 1:
        return None
    reduce = tail[:1] == ["reduction"]
    out = maps[-1]
    if not _leads_with_rows(out, k):
        return None
    if reduce and len(out.results) != k:
        return None
    if not reduce and not (out.is_permutation and _leads_with_rows(out, len(domain))):
        return None
    return RowOp(op, rows, tuple(domain[k:]), reduce, element_bytes)


def _plain(map_) -> bool:
    """Whether each result of the map is a loop dim or the constant 0 (a broadcast)."""
    from mlir import ir

    return all(isinstance(e, ir.AffineDimExpr)
               or (isinstance(e, ir.AffineConstantExpr) and e.value == 0) for e in map_.results)


def _is_scalar(value) -> bool:
    from mlir import ir

    return not isinstance(value.type, ir.ShapedType)


def _domain(op, maps) -> list[int] | None:
    """The loop sizes of a generic (each loop indexes some operand dim directly)."""
    from mlir import ir

    sizes = [None] * maps[0].n_dims
    for value, map_ in zip(op.operands, maps):
        if _is_scalar(value):
            continue
        shape = ir.RankedTensorType(value.type).shape
        for dim, expr in zip(shape, map_.results):
            if isinstance(expr, ir.AffineDimExpr):
                sizes[expr.position] = dim
    return None if None in sizes else sizes


_BODY_DIALECTS = ("arith.", "math.")
_COMBINERS = {"arith.addf", "arith.mulf", "arith.maximumf", "arith.minimumf", "arith.maxnumf",
              "arith.minnumf", "arith.addi", "arith.muli", "arith.maxsi", "arith.minsi",
              "arith.maxui", "arith.minui", "arith.andi", "arith.ori", "arith.xori"}


def _vectorizable_body(op) -> bool:
    """Whether the body is arith/math on the operands only (no indices); for a reduction, whether it
    ends in one combiner of the accumulator that `tile_reduction_using_for` recognises."""
    if op.name == "linalg.fill":
        return True
    block = op.regions[0].blocks[0]
    ops = list(block.operations)
    if any(not o.name.startswith(_BODY_DIALECTS) or o.name.startswith("arith.index")
           for o in ops[:-1]):
        return False
    if "reduction" not in _iterators(op):
        return True
    acc = block.arguments[len(block.arguments) - 1]
    combine = ops[-1].operands[0].owner
    if not hasattr(combine, "name") or combine.name not in _COMBINERS:
        return False
    return acc in list(combine.operands) and len(list(acc.uses)) == 1


def _fold_unit_expands(func) -> None:
    """Lets generics read `tensor.expand_shape`s that only add unit dims (keepdims) from
    their source directly: the map drops the unit dims' results. Chains stay chains of
    linalg ops, which tiling can fuse."""
    from mlir import ir

    for op in [op for op in walk(func) if op.name == "tensor.expand_shape"]:
        source = op.operands[0]
        out = ir.RankedTensorType(op.results[0].type)
        if not out.has_static_shape:
            continue
        keep = []          # for each result dim, whether it carries a source dim
        groups = [[ir.IntegerAttr(d).value for d in ir.ArrayAttr(g)]
                  for g in ir.ArrayAttr(op.attributes["reassociation"])]
        if any(sum(out.shape[d] != 1 for d in dims) > 1 for dims in groups):
            continue   # a real reshape, not only unit dims
        for dims in groups:
            carrier = next((d for d in dims if out.shape[d] != 1), dims[0])
            keep += [d == carrier for d in dims]
        users = [use.owner for use in op.results[0].uses]
        if not users or any(u.name != "linalg.generic" or any(n in u.attributes for n in _SKIP)
                            for u in users):
            continue
        for user in set(users):
            _read_source(user, op.results[0], source, keep)


def _read_source(user, expanded, source, keep) -> None:
    from mlir import ir

    maps = _generic_maps(user)
    inputs = len(user.operands) - len(user.results)
    for i, value in enumerate(list(user.operands)[:inputs]):
        if value != expanded:
            continue
        map_ = maps[i]
        results = [e for e, k in zip(map_.results, keep) if k]
        maps[i] = ir.AffineMap.get(map_.n_dims, map_.n_symbols, results)
    indexed = {e.position for m in maps for e in m.results if isinstance(e, ir.AffineDimExpr)}
    if len(indexed) < maps[0].n_dims:
        return  # NOTE: a unit loop only the expanded operand indexed: keep it
    for i, value in enumerate(list(user.operands)[:inputs]):
        if value == expanded:
            user.operands[i] = source
    user.attributes["indexing_maps"] = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps])



def _defined_by(value, op) -> bool:
    from mlir import ir

    return isinstance(value, ir.OpResult) and value.owner.operation == op


def _aligned(consumer, producer, k: int) -> bool:
    """Whether `consumer` reads what it uses of `producer` row by row (those operands' maps
    lead with the k row dims), so that a row tile of it needs a row tile of `producer`."""
    if consumer.name == "linalg.fill":
        return True
    maps = _generic_maps(consumer)
    return all(_leads_with_rows(map_, k) for value, map_ in zip(consumer.operands, maps)
               if _defined_by(value, producer))


def _neighbours(op):
    """The ops in op's block that produce its operands or use its result."""
    from mlir import ir

    found = [v.owner.operation for v in op.operands if isinstance(v, ir.OpResult)]
    found += [use.owner.operation for result in op.results for use in result.uses]
    return [n for n in found if n.block == op.block]


def _chains(func) -> list[list[RowOp]]:
    """The row chains of a function, each in program order: a reduction over trailing dims
    and the ops (generics, fills) over the same rows connected to it row by row."""
    taken, chains = set(), []
    for seed in walk(func):
        k = _reduction_rows(seed)
        if k is None or seed in taken:
            continue
        rows = tuple(_domain(seed, _generic_maps(seed)) or ())[:k]
        first = _row_op(seed, k, rows) if len(rows) == k else None
        if first is None or not _vectorizable_body(seed):
            continue
        members, work = {seed: first}, [seed]
        while work:
            for op in _neighbours(work.pop()):
                if op in members or op in taken:
                    continue
                row = _row_op(op, k, rows)
                if row is None or not _vectorizable_body(op):
                    continue
                # NOTE: only neighbours can be misaligned (_aligned holds for ops that do not
                # read each other); checking every member made this quadratic in the chain
                adjacent = [m for m in _neighbours(op) if m in members]
                if all(_aligned(op, m, k) and _aligned(m, op, k) for m in adjacent):
                    members[op] = row
                    work.append(op)
        taken.update(members)
        order = {op: i for i, op in enumerate(seed.block.operations)}
        chains.append(sorted(members.values(), key=lambda r: order[r.op]))
    return chains


def row_tile(rows: int, row_bytes: int, most: int = MAX_ROWS, budget: int = ROW_TILE_BYTES) -> int:
    """R: the largest divisor of `rows` with R rows of `row_bytes` within `budget` (>= 1)."""
    limit = max(1, min(most, budget // max(row_bytes, 1)))
    return max(d for d in range(1, min(rows, limit) + 1) if rows % d == 0)


def row_parts(size: int, lanes: int, step: int) -> list[tuple[int, int]]:
    """Splits a row of `size` into (extent, step) parts: whole steps of `step` elements, then
    whole vectors of `lanes`, then a remainder smaller than a vector (step 0: not tiled)."""
    big = size // step * step
    whole = (size - big) // lanes * lanes
    parts = [(big, step), (whole, lanes), (size - big - whole, 0)]
    return [p for p in parts if p[0] > 0]


class _RowScript(_Script):
    """Writes the transform-dialect sequence for one chain."""

    def __init__(self, vector_bytes: int):
        super().__init__(0)
        self.vector_bytes = vector_bytes
        self.loops: list[str] = []        # reduction loops, whose accumulators are hoisted

    def chain(self, chain: list[RowOp], first: int) -> str:
        """`first`: the `_MARK` of chain[0] (the others follow in order)."""
        k, handles = len(chain[0].rows), {}
        for i, row in enumerate(chain):
            handles[row.op] = self.fresh()
            self.emit(f"{handles[row.op]} = transform.structured.match attributes "
                      f"{{{_MARK} = {first + i}}} in %root : (!transform.any_op) -> !transform.any_op")
        width = max(_size(row.tail) * row.element_bytes for row in chain)
        r = row_tile(chain[0].rows[-1], width)
        if width < self.vector_bytes and chain[0].rows[-1] <= SHORT_ROWS_ONE_BY_ONE:
            r = 1   # NOTE: see SHORT_ROWS_ONE_BY_ONE
        sizes = [1] * (k - 1) + [r]
        tiled = {}
        for sink, owned in _owners(chain):
            op, forall = self.fresh(), self.fresh()
            self.emit(f"{op}, {forall} = transform.structured.tile_using_forall {handles[sink.op]} "
                      f"tile_sizes {sizes + [0] * len(sink.tail)} : (!transform.any_op) -> "
                      f"(!transform.any_op, !transform.any_op)")
            tiled[sink.op] = op
            for row in reversed(owned):
                fused, forall_next = self.fresh(), self.fresh()
                self.emit(f"{fused}, {forall_next} = transform.structured.fuse_into_containing_op "
                          f"{handles[row.op]} into {forall} : (!transform.any_op, !transform.any_op) "
                          f"-> (!transform.any_op, !transform.any_op)")
                # NOTE: merges the row slices of a value read by several fused ops, so that
                # the next producer is fused once for all of them.
                self.emit(f"transform.apply_cse to {forall_next} : !transform.any_op")
                tiled[row.op], forall = fused, forall_next
            self.emit(f"transform.annotate {forall} \"{NEST}\" : !transform.any_op")
        for row in chain:
            self.along_row(tiled[row.op], row, r)
        for loop in self.loops:
            self.emit(f"transform.apply_licm to {loop} : !transform.any_op")
            self.emit(f"transform.loop.hoist_loop_invariant_subsets {loop} : !transform.any_op")
        return _sequence(self.lines)

    def along_row(self, handle: str, row: RowOp, r: int) -> None:
        """Tiles and vectorizes one op of a row tile along its last dim."""
        k, t = len(row.rows), len(row.tail)
        if t == 0:
            self.emit(f"transform.structured.vectorize {handle} : !transform.any_op")
            return
        lanes = max(1, self.vector_bytes // row.element_bytes)
        if t > 1:   # outer tail dims one at a time
            handle, _ = self.tile(handle, [0] * k + [1] * (t - 1) + [0])
        step = lanes * max(1, ACCUMULATORS // r) if row.reduce else lanes
        for part_handle, (_, size) in self.split(handle, k + t - 1,
                                                      row_parts(row.tail[-1], lanes, step)):
            if size and row.reduce:
                part_handle = self.tile_reduction(part_handle, [0] * (k + t - 1) + [size])
            elif size:
                part_handle, _ = self.tile(part_handle, [1] * k + [0] * (t - 1) + [size])
            self.emit(f"transform.structured.vectorize {part_handle} : !transform.any_op")

    def tile_reduction(self, handle: str, sizes: list[int]) -> str:
        """Partial results of `sizes` lanes carried by a loop, combined after it; vectorizes
        the init and the combination, returns the partial op."""
        fill, partial, combine, loop = (self.fresh() for _ in range(4))
        self.emit(f"{fill}, {partial}, {combine}, {loop} = transform.structured."
                  f"tile_reduction_using_for {handle} by tile_sizes = {sizes} : "
                  f"(!transform.any_op) -> (!transform.any_op, !transform.any_op, "
                  f"!transform.any_op, !transform.any_op)")
        self.emit(f"transform.structured.vectorize {fill} : !transform.any_op")
        self.emit(f"transform.structured.vectorize {combine} : !transform.any_op")
        self.loops.append(loop)
        return partial


def _size(shape) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


def _owners(chain: list[RowOp]) -> list[tuple[RowOp, list[RowOp]]]:
    """(sink, the ops fused into its forall) per sink, in program order: an op goes with the
    first sink (in program order) that uses it, directly or not."""
    index = {row.op: i for i, row in enumerate(chain)}
    users = {row.op: [] for row in chain}
    for row in chain:
        for op in _neighbours(row.op):
            if op in index and index[op] < index[row.op]:
                users[op].append(row.op)
    sinks = [row for row in chain if not users[row.op]]
    owner = {}
    for sink in sinks:
        stack = [sink.op]
        while stack:
            op = stack.pop()
            for producer in [p for p in index if op in users[p]]:
                if producer not in owner:
                    owner[producer] = sink.op
                    stack.append(producer)
    return [(sink, [row for row in chain if row.op in owner and owner[row.op] == sink.op])
            for sink in sinks]


# NOTE: a second sequence, scoped to the row foralls: reductions across lanes to
# `vector.reduction`s, broadcast reads to a read and a broadcast, then canonicalization.
# (Not with `lower_broadcast`: with the permutation patterns, it rewrites forever.)
LOWER_VECTORS = _sequence([
    f"    %nests = transform.structured.match attributes {{{NEST}}} in %root "
    ": (!transform.any_op) -> !transform.any_op",
    "    transform.apply_patterns to %nests {",
    "      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = \"innerreduction\"",
    "      transform.apply_patterns.vector.transfer_permutation_patterns",
    "      transform.apply_patterns.vector.cast_away_vector_leading_one_dim",
    "      transform.apply_patterns.canonicalization",
    "    } : !transform.any_op",
    # NOTE: CSE first, so that a read of a just-written accumulator init (same indices)
    # folds to the written vector and the init's buffer goes away.
    "    transform.apply_cse to %nests : !transform.any_op",
    # NOTE: a tile of an intermediate sliced from a whole-tensor `tensor.empty` becomes an
    # empty tile of its own: bufferized, a tile-sized buffer, not a whole-tensor one.
    "    transform.apply_patterns to %nests {",
    "      transform.apply_patterns.tensor.fold_tensor_empty",
    "      transform.apply_patterns.canonicalization",
    "    } : !transform.any_op",
    "    transform.apply_dce to %root : !transform.any_op",
])


def _own_inits(chain: list[RowOp]) -> None:
    """Gives each generic of the chain its own `tensor.empty` init. NOTE: `ember-to-linalg`
    and CSE share one empty tensor among same-shaped results; fused into one forall, an
    intermediate then shares the sink's output tile, and bufferization copies that tile
    (memory traffic) before writing the intermediate over it."""
    from mlir import ir
    from mlir.dialects import tensor

    fills = []
    for row in chain:
        if row.op.name != "linalg.generic":
            continue
        last = len(row.op.operands) - 1
        init = row.op.operands[last]
        if _defined_by_empty(init):
            type_ = ir.RankedTensorType(init.type)
            with ir.InsertionPoint(row.op), row.op.location:
                row.op.operands[last] = tensor.EmptyOp(list(type_.shape), type_.element_type).result
        elif isinstance(init, ir.OpResult) and init.owner.name == "linalg.fill" \
                and len(list(init.uses)) > 1:
            # NOTE: CSE shares one fill among reductions; fused into several foralls (or
            # also yielded by one), a shared fill cannot be fused. Each gets its own.
            fill = init.owner.operation.clone(ir.InsertionPoint(row.op)).operation
            _own_inits_of_fill(fill)
            row.op.operands[last] = fill.results[0]
            fills.append(RowOp(fill, row.rows, (), False, row.element_bytes))
    for row in [r for r in chain if r.op.name == "linalg.fill" and not list(r.op.results[0].uses)]:
        chain.remove(row)
        row.op.erase()
    chain.extend(fills)
    order = {op: i for i, op in enumerate(chain[0].op.block.operations)}
    chain.sort(key=lambda r: order[r.op])


def _own_inits_of_fill(fill) -> None:
    from mlir import ir
    from mlir.dialects import tensor

    init = fill.operands[1]
    if _defined_by_empty(init):
        type_ = ir.RankedTensorType(init.type)
        with ir.InsertionPoint(fill), fill.location:
            fill.operands[1] = tensor.EmptyOp(list(type_.shape), type_.element_type).result


def _reciprocals(chain: list[RowOp]) -> bool:
    """Rewrites `x / s` in the chain's elementwise generics, where s is read per row (a
    row sum, a norm), as `x * r` with r = 1 / s computed once per row by a new generic.
    Returns whether it rewrote any. NOTE: a division per element costs ~10x a
    multiplication (AVX-512); x * (1 / s) rounds twice (<= 1.5 ulp from x / s), as the
    softmax kernels of PyTorch and oneDNN do."""
    from mlir import ir
    from mlir.dialects import arith, tensor

    from .ember_to_linalg import Lowerer

    changed = False
    for row in chain:
        if row.op.name != "linalg.generic" or row.reduce:
            continue
        op, k = row.op, len(row.rows)
        block = op.regions[0].blocks[0]
        maps = _generic_maps(op)
        inputs = len(op.operands) - len(op.results)
        for i in range(inputs):
            value, arg = op.operands[i], block.arguments[i]
            if _is_scalar(value) or not _per_row(maps[i], k):
                continue
            if not isinstance(arg.type, ir.FloatType):
                continue
            uses = [use.owner for use in arg.uses]
            if not uses or any(u.name != "arith.divf" or u.operands[1] != arg or u.operands[0] == arg
                               for u in uses):
                continue
            type_ = ir.RankedTensorType(value.type)
            identity = Lowerer.dims_map(type_.rank, range(type_.rank))
            with ir.InsertionPoint(op), op.location:
                init = tensor.EmptyOp(list(type_.shape), type_.element_type).result
                op.operands[i] = Lowerer().generic(
                    [value], [identity], init, identity, ["parallel"] * type_.rank,
                    lambda b, x, _: b.div(b.one(x), x))
            for div in uses:
                with ir.InsertionPoint(div), div.location:
                    product = arith.MulFOp(div.operands[0], arg).result
                div.results[0].replace_all_uses_with(product)
                div.erase()
            changed = True
    return changed


def _per_row(map_, k: int) -> bool:
    """Whether the map reads only row dims (and constants): one value per row."""
    from mlir import ir

    return all(isinstance(e, ir.AffineConstantExpr)
               or (isinstance(e, ir.AffineDimExpr) and e.position < k) for e in map_.results)


def _defined_by_empty(value) -> bool:
    from mlir import ir

    return isinstance(value, ir.OpResult) and value.owner.name == "tensor.empty"


def _sequential(forall) -> None:
    """Rewrites a scf.forall over tensors (lower bounds 0, steps 1) as nested scf.for loops
    carrying its shared outputs; each parallel_insert_slice becomes an insert_slice.
    NOTE: `ember-lower-cpu` makes every forall an OpenMP loop; with one thread (em.config)
    compiled code makes no OpenMP calls (as with `ember-parallelize`), so the row tiles run
    as a plain loop. (Upstream forall-to-for does not take shared outputs on tensors.)"""
    from mlir import ir
    from mlir.dialects import arith, scf

    body = forall.regions[0].blocks[0]
    carried = list(forall.operands)[-len(forall.results):]
    point, loops = ir.InsertionPoint(forall), []
    with forall.location:
        index = ir.IndexType.get()
        for bound in ir.DenseI64ArrayAttr(forall.attributes["staticUpperBound"]):
            with point:
                loop = scf.ForOp(arith.constant(index, 0), arith.constant(index, bound),
                                 arith.constant(index, 1), carried)
                if loops:
                    scf.YieldOp(list(loop.results))
            loops.append(loop)
            point, carried = ir.InsertionPoint(loop.body), list(loop.inner_iter_args)
    for arg, value in zip(body.arguments, [loop.induction_variable for loop in loops] + carried):
        arg.replace_all_uses_with(value)
    ops = list(body.operations)
    for op in ops[:-1]:
        point.insert(op.operation.detach_from_parent())
    inserted = {}      # NOTE: the in_parallel's inserts need not follow the outputs' order
    with point, forall.location:
        for insert in ops[-1].regions[0].blocks[0].operations:
            inserted[carried.index(insert.operands[1])] = ir.Operation.create(
                "tensor.insert_slice", results=[insert.operands[1].type],
                operands=list(insert.operands), loc=insert.location,
                attributes={name: insert.attributes[name] for name in insert.attributes}).result
        scf.YieldOp([inserted[i] for i in range(len(carried))])
    for old, new in zip(forall.results, loops[0].results):
        old.replace_all_uses_with(new)
    forall.erase()


def _tree_lane_sums(func) -> None:
    """Lets LLVM sum the lanes of each row's accumulator as a tree (`reassoc` on its
    float `vector.reduction`s of add and mul): without it, the lanes are added in order,
    one dependent scalar add after another (16 on AVX-512, about 64 cycles a row). The lane
    partial sums already reassociate the row's sum (module docstring); a tree of them is
    as accurate. Layernorm of bench row 4 (two sums a row), AVX-512, alternating processes:
    one thread 1.51, 1.51 -> 1.44, 1.48 ms; two threads 0.736, 0.726 -> 0.714, 0.721 ms."""
    from mlir import ir

    for nest in [op for op in walk(func) if NEST in op.attributes]:
        for op in walk(nest):
            if op.name == "vector.reduction" and isinstance(op.results[0].type, ir.FloatType) \
                    and str(op.attributes["kind"]) in ("#vector.kind<add>", "#vector.kind<mul>"):
                op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<reassoc>")


@register_pass("ember-tile-rows", "Fuse row reductions into row tiles and vectorize them (CPU)")
def tile_rows(module_op) -> None:
    from mlir import ir

    from ..runtime.config import get_threads

    for func in [op for op in walk(module_op) if op.name == "func.func"]:
        _fold_unit_expands(func)
        chains = _chains(func)
        if any([_reciprocals(chain) for chain in chains]):
            chains = _chains(func)   # with the reciprocals' generics
        if not chains:
            continue
        mark = 0
        for chain in chains:
            _own_inits(chain)
            for i, row in enumerate(chain):
                row.op.attributes[_MARK] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), mark + i)
            _apply(func, _RowScript(target_vector_bytes()).chain(chain, mark))
            mark += len(chain)
        _apply(func, LOWER_VECTORS)
        _tree_lane_sums(func)
        if get_threads() == 1:
            for forall in [op for op in walk(func) if NEST in op.attributes]:
                _sequential(forall)
        for op in walk(func):
            if _MARK in op.attributes:
                del op.attributes[_MARK]
