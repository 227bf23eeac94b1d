"""`ember-tile-matmul`: a tiled, vectorized CPU schedule for the matmul generics.

Matches the `linalg.generic`s that `ember.matmul` lowers to (marked `ember.contraction`,
loops (batch..., m, k, n), body `acc + x * y`) on f32/f64 tensors and applies a
transform-dialect schedule to each:

  1. split m and n (and k) at static points, so that every part is a whole number of
     tiles: a cache-tiled part, a register-tiled part and a remainder smaller than a
     register tile (shapes are static, so no masks and no dynamic sizes);
  2. tile for cache: batch dims by 1, m by MC, k by KC, n by NC;
  3. tile for registers: m by MR, n by NR, then k by 1, innermost;
  4. vectorize each MR x 1 x NR tile into a `vector.contract`, hoist the MR x NR
     accumulator out of the k loop, and lower the contraction to MR outer products
     (fma of a broadcast x element and a row of y).

NR is two vector registers of the host (AVX-512: 32 f32 lanes) and MR the rows that keep
MR * 2 accumulators in registers. The cache blocks of big matmuls (`ember-pack-matmul`,
marked `ember.contraction_packed`, loops (m, n0, k, n1)) get step 3 and 4 only, and the
copies into their packed blocks are vectorized row by row. Single-row products (m == 1,
e.g. one example through a Dense layer) get wider register tiles instead (NR of half the
register file, no cache tiles: their x row is tiny). Other generics and integer matmuls are
left alone; `ember-lower-cpu` lowers them to loops as before.
"""
from __future__ import annotations

import functools

from ..dialects.locations import walk
from .registry import register_pass

CONTRACTION = "ember.contraction"   # set by the matmul lowering (dialects/ops/structured.py)
_TARGET = "ember.tile_matmul.target"
NEST = "ember.tile_matmul.nest"         # the outermost loop of each scheduled part
MC, KC, NC = 64, 256, 256           # cache tile: x block MC x KC in L2, y block KC x NC
_FLOATS = {"f32": 4, "f64": 8}


@functools.lru_cache(maxsize=1)
def host_cpu_flags() -> frozenset[str]:
    """The host's x86 feature flags (from /proc/cpuinfo; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            return frozenset(next((line for line in f if line.startswith("flags")), "").split())
    except OSError:
        return frozenset()


def target_vector_bytes() -> int:
    """The bytes of the vectors the schedules are sized for: `em.config`'s vector width, else
    the host's widest SIMD register (16 bytes where its flags say nothing wider)."""
    from ..runtime.config import get_vector_width

    bits = get_vector_width()
    if bits is not None:
        return bits // 8
    flags = host_cpu_flags()
    if "avx512f" in flags:
        return 64
    return 32 if "avx" in flags else 16


def register_tile(element_bytes: int, vector_bytes: int | None = None) -> tuple[int, int]:
    """(MR, NR): NR is two vector registers; MR * 2 accumulators fit the register file."""
    vector_bytes = vector_bytes or target_vector_bytes()
    rows = {64: 8, 32: 6}.get(vector_bytes, 4)   # 32, 16 and 16 (NEON: 32) registers
    return rows, 2 * vector_bytes // element_bytes


def _parts(size: int, outer: int, inner: int, no_single: bool = False) -> list[tuple[int, int, int]]:
    """Splits a dim into (extent, cache tile, register tile) parts; 0 means 'not tiled'
    (`outer` 0: no cache tiles).

    With `no_single`, a remainder of one is merged with the last register tile before it.
    """
    whole = size // inner * inner
    if no_single and size - whole == 1 and whole > 0:
        whole -= inner
    main = whole // outer * outer if outer else 0
    parts = [(main, outer, inner), (whole - main, 0, inner), (size - whole, 0, 0)]
    return [p for p in parts if p[0] > 0]


class _Script:
    """Writes the transform-dialect sequence for one matmul generic."""

    def __init__(self, nb: int):
        self.nb, self.lines, self.n = nb, [], 0
        self.k_loops: list[str] = []      # the innermost (k) loop of each part
        self.nests: list[str] = []        # the outermost loop of each part

    def fresh(self) -> str:
        self.n += 1
        return f"%h{self.n}"

    def emit(self, line: str) -> None:
        self.lines.append("    " + line)

    def split(self, handle: str, dim: int, parts: list) -> list[tuple[str, tuple]]:
        """The handles of `handle` split along `dim` into `parts` (lowest indices first)."""
        out = []
        for part in parts[:-1]:
            both, low, high = self.fresh(), self.fresh(), self.fresh()
            self.emit(f"{both} = transform.structured.split {handle} after {part[0]} "
                      f"{{dimension = {dim}}} : !transform.any_op")
            self.emit(f"{low}, {high} = transform.split_handle {both} : "
                      f"(!transform.any_op) -> (!transform.any_op, !transform.any_op)")
            out.append((low, part))
            handle = high
        out.append((handle, parts[-1]))
        return out

    def tile(self, handle: str, sizes: list[int], interchange: list[int] | None = None):
        """Tiles `handle`; returns the tiled op and the loops (outermost first)."""
        loops = sum(1 for s in sizes if s)
        if loops == 0:
            return handle, []
        op, names = self.fresh(), [self.fresh() for _ in range(loops)]
        extra = f" interchange = {interchange}" if interchange else ""
        types = ", ".join(["!transform.any_op"] * (loops + 1))
        self.emit(f"{op}, {', '.join(names)} = transform.structured.tile_using_for {handle} "
                  f"tile_sizes {sizes}{extra} : (!transform.any_op) -> ({types})")
        return op, names

    def schedule(self, handle: str, m: tuple, k: tuple, n: tuple) -> None:
        """Cache tiles, register tiles (k innermost), vectorize; marks the loop nest."""
        nb = self.nb
        op, outer = self.tile(handle, [1] * nb + [m[1], k[1], n[1]])
        interchange = list(range(nb)) + [nb, nb + 2, nb + 1]
        op, loops = self.tile(op, [0] * nb + [m[2], 1, n[2]], interchange)
        self.emit(f"transform.structured.vectorize {op} : !transform.any_op")
        self.emit(f"transform.annotate {(outer or loops)[0]} \"{NEST}\" : !transform.any_op")
        self.nests.append((outer or loops)[0])
        self.k_loops.append(loops[-1])

    def text(self, sizes: tuple[int, int, int], mr: int, nr: int) -> str:
        m_size, k_size, n_size = sizes
        nb = self.nb
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        # NOTE: cache tiles are whole register tiles (MC 64 is 60 rows for MR 6, AVX2):
        # a cache tile's last register tile cut short would have a dynamic size.
        for hm, m in self.split("%op", nb, _parts(m_size, MC // mr * mr, mr, no_single=True)):
            for hn, n in self.split(hm, nb + 2, _parts(n_size, max(NC // nr, 1) * nr, nr)):
                for hk, k in self.split(hn, nb + 1, _parts(k_size, KC, 1)):
                    self.schedule(hk, m, k, n)
        return self.finish()

    def row_text(self, k_size: int, n_size: int, nr: int) -> str:
        """The schedule of a single-row product (vector x matrix): n in register tiles of
        NR accumulators, k innermost, so that each step is one broadcast x element times one
        contiguous stretch of a y row, and the accumulators stay in registers for all of k."""
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        for hn, n in self.split("%op", self.nb + 2, _parts(n_size, 0, nr)):
            self.schedule(hn, (1, 0, 1), (k_size, 0, 1), n)
        # NOTE: lowered to FMAs here, in its own nests: casting away the unit m and k dims
        # first (as `finish` does, function-wide) leaves a vector x matrix contraction
        # that the outer-product lowering unrolls into one scalar product per lane. The
        # broadcast of the x element folds into the contraction first, then it is lowered.
        for patterns in (("transfer_permutation_patterns", "reduction_to_contract"),
                         ("lower_contraction lowering_strategy = \"outerproduct\"",
                          "lower_outerproduct")):
            for nest in self.nests:
                self.emit(f"transform.apply_patterns to {nest} {{")
                for pattern in patterns:
                    self.emit(f"  transform.apply_patterns.vector.{pattern}")
                self.emit("} : !transform.any_op")
        return self.finish()

    def packed_text(self, m_size: int, mr: int) -> str:
        """The schedule of one cache block's packed product (`ember-pack-matmul`): loops
        (m, n0, k, n1), n1 one register tile wide. Register tiles MR x 1 x 1 x NR, k
        innermost, in the order n0, m: they walk down the block's rows while one KC x NR
        panel of y stays in L1."""
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        for hm, m in self.split("%op", 0, _parts(m_size, 0, mr, no_single=True)):
            op, loops = self.tile(hm, [m[2], 1, 1, 0], [1, 0, 2, 3])
            self.emit(f"transform.structured.vectorize {op} : !transform.any_op")
            self.emit(f"transform.annotate {loops[0]} \"{NEST}\" : !transform.any_op")
            self.k_loops.append(loops[-1])
        return self.finish()

    def finish(self) -> str:
        """Folds broadcasts into the contractions, hoists each accumulator out of its
        innermost (reduction) loop, and returns the whole sequence."""
        # NOTE: function-wide, so that broadcasts fold into the contractions' maps; the
        # function's only vector ops are this pass's (it runs before anything vectorizes).
        self.emit("transform.apply_patterns to %root {")
        self.emit("  transform.apply_patterns.vector.cast_away_vector_leading_one_dim")
        self.emit("  transform.apply_patterns.vector.reduction_to_contract")
        self.emit("  transform.apply_patterns.vector.transfer_permutation_patterns")
        self.emit("} : !transform.any_op")
        for loop in self.k_loops:
            self.emit(f"transform.apply_licm to {loop} : !transform.any_op")
            self.emit(f"transform.loop.hoist_loop_invariant_subsets {loop} : !transform.any_op")
        return _sequence(self.lines)


def _sequence(lines: list[str]) -> str:
    body = "\n".join(lines + ["    transform.yield"])
    return ("module attributes {transform.with_named_sequence} {\n"
            "  transform.named_sequence @__transform_main("
            "%root: !transform.any_op {transform.readonly}) {\n"
            f"{body}\n  }}\n}}\n")


def lower_contractions(nest: str) -> str:
    """The sequence that lowers the vector contractions of the loop nests marked `nest`
    to outer products (FMAs) and canonicalizes them. NOTE: a second sequence, so that
    canonicalization folds one-trip loops (and loop-carried values a hoisting left
    unchanged) while no handle points at them; scoped to the marked nests, so that it
    leaves the rest of the function alone (e.g. the identity copies of
    `ember-distinct-results`)."""
    return _sequence([
        f"    %nests = transform.structured.match attributes {{{nest}}} in %root "
        ": (!transform.any_op) -> !transform.any_op",
        "    transform.apply_patterns to %nests {",
        "      transform.apply_patterns.vector.lower_contraction lowering_strategy = \"outerproduct\"",
        "      transform.apply_patterns.vector.lower_outerproduct",
        "      transform.apply_patterns.canonicalization",
        "    } : !transform.any_op",
    ])


LOWER_CONTRACTIONS = lower_contractions(NEST)


def row_register_tile(element_bytes: int, vector_bytes: int | None = None) -> int:
    """NR of a single-row product: half the register file as accumulators (AVX-512: 16 of
    32 registers, 256 f32 lanes); the other half holds the broadcast and the loads."""
    vector_bytes = vector_bytes or target_vector_bytes()
    registers = 32 if vector_bytes == 64 else 16
    return registers // 2 * vector_bytes // element_bytes


def schedule_text(nb: int, m: int, k: int, n: int, element_bytes: int,
                  vector_bytes: int | None = None) -> str:
    """The transform script for one (batch..., m, k, n) matmul generic of these sizes."""
    if m == 1:
        return _Script(nb).row_text(k, n, row_register_tile(element_bytes, vector_bytes))
    mr, nr = register_tile(element_bytes, vector_bytes)
    return _Script(nb).text((m, k, n), mr, nr)


def _sizes(op):
    """(batch rank, m, k, n, element bytes) of a marked generic, or None to leave it alone."""
    from mlir import ir

    out = op.results[0].type if len(op.results) == 1 else None
    if not isinstance(out, ir.RankedTensorType):
        return None
    element_bytes = _FLOATS.get(str(out.element_type))
    if element_bytes is None or not out.has_static_shape or 0 in out.shape:
        return None
    k = op.operands[0].type.shape[-1]
    return out.rank - 2, out.shape[-2], k, out.shape[-1], element_bytes


def _schedule_packed(op) -> None:
    """Register tiles for one cache block's packed product (loops (m, n0, k, n1))."""
    from mlir import ir

    out = op.results[0].type
    op.attributes[_TARGET] = ir.UnitAttr.get()
    mr = register_tile(_FLOATS[str(out.element_type)])[0]
    _apply(_func_of(op), _Script(0).packed_text(out.shape[0], mr))


def _vectorize_copies(func, ranks) -> None:
    """The copies into packed blocks (`ember-pack-matmul`) as whole-row vector copies: left
    to the loop path, they are copied one element at a time."""
    from .pack_matmul import PANELS

    script = _Script(0)
    for rank in sorted(ranks):
        op = script.fresh()
        script.emit(f"{op} = transform.structured.match ops{{[\"linalg.generic\"]}} "
                    f"attributes {{{PANELS} = {rank} : i64}} in %root "
                    f": (!transform.any_op) -> !transform.any_op")
        tiled, _ = script.tile(op, [1] * (rank - 1) + [0])
        script.emit(f"transform.structured.vectorize {tiled} : !transform.any_op")
    _apply(func, _sequence(script.lines))


def _func_of(op):
    func = op.parent
    while func.name != "func.func":
        func = func.parent
    return func


@register_pass("ember-tile-matmul", "Tile and vectorize the matmul generics (CPU)")
def tile_matmul(module_op) -> None:
    from mlir import ir

    from .pack_matmul import PACKED, PANELS

    copies = {}
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"
               and PANELS in op.attributes]:
        func = _func_of(op)
        copies.setdefault(func.attributes["sym_name"].value, (func, set()))[1].add(
            ir.IntegerAttr(op.attributes[PANELS]).value)
    for func, ranks in copies.values():
        _vectorize_copies(func, ranks)
    funcs = {}
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"
               and PACKED in op.attributes]:
        func = _func_of(op)   # NOTE: before scheduling, which replaces `op`
        _schedule_packed(op)
        funcs[func.attributes["sym_name"].value] = func
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"
               and CONTRACTION in op.attributes]:
        sizes = _sizes(op)
        if sizes is None or sizes[2] == 0:
            continue
        func = _func_of(op)
        op.attributes[_TARGET] = ir.UnitAttr.get()
        _apply(func, schedule_text(*sizes))
        funcs[func.attributes["sym_name"].value] = func
    for func in funcs.values():
        _apply(func, LOWER_CONTRACTIONS)


def _apply(payload, text: str) -> None:
    from mlir import ir
    from mlir.dialects.transform import interpreter

    script = ir.Module.parse(text)
    interpreter.apply_named_sequence(payload, script.body.operations[0], script)
