"""Reduction kernels: rows (the kept dims) by columns (the reduced dims) as 2-D tiles.

One program handles RBLOCK rows. Values of the kernel are full tiles [RBLOCK, NBLOCK]
(the iteration shape) or row vectors [RBLOCK, 1] (the reductions' results and what is
computed from them). When a row fits one block (NBLOCK >= columns, "persistent") every
value is computed once; otherwise each reduction runs its own loop over column blocks and
full values are recomputed in each loop that needs them (the inputs are read again, the
intermediates are never stored). Softmax is max, exp-sum and the scaled store in one kernel.
"""
from __future__ import annotations

from .emit import (KernelSource, Writer, combine_helper, const_expr, dim_indices, elementwise,
                   next_pow2, numel, offset_expr)
from .pointwise import _header
from .scalar import Expr, literal, tl_type

MAX_PERSISTENT = 8192      # widest row kept in registers whole
LOOP_BLOCK = 1024
TILE = 4096                # elements per program (RBLOCK x NBLOCK)


def emit_reduction(kernel, layouts) -> KernelSource:
    return _Emitter(kernel, layouts).emit()


class _Emitter:
    def __init__(self, kernel, layouts):
        self.k, self.layouts = kernel, layouts
        shape, axes = kernel.shape, kernel.axes
        self.kept = [i for i in range(len(shape)) if i not in axes]
        self.red = list(axes)
        self.rows = numel([shape[i] for i in self.kept])
        self.cols = numel([shape[i] for i in self.red])
        self.persistent = next_pow2(max(self.cols, 1)) <= MAX_PERSISTENT
        self.nblock = next_pow2(max(self.cols, 1)) if self.persistent else LOOP_BLOCK
        self.rblock = min(next_pow2(max(self.rows, 1)), max(1, TILE // self.nblock))
        self.ptrs = {v: f"in{i}" for i, v in enumerate(kernel.inputs)}
        self.ptrs.update({v: f"out{i}" for i, v in enumerate(kernel.outputs)})
        self.nodes = {n.out: n for n in kernel.nodes}
        self.w = Writer()
        self.row_values: dict = {}        # computed once per program
        self.tile_values: dict = {}       # per column block
        self.helpers: dict = {}
        self.col_idx = None

    # -- indices -----------------------------------------------------------------------------
    def row_offset(self, strides) -> str:
        return offset_expr(self.row_idx, strides)

    def col_offset(self, strides) -> str:
        if self.col_idx is None:
            self.col_idx = dim_indices(self.w, "cols", tuple(self.k.shape[i] for i in self.red), "c")
        return offset_expr(self.col_idx, strides)

    # -- values ------------------------------------------------------------------------------
    def is_row_value(self, v) -> bool:
        if isinstance(v, _RowView):
            return True
        node = self.nodes.get(v)
        return node is not None and (node.prim.kind == "reduction" or v.aval.shape != self.k.shape)

    def row(self, v, shape=None) -> Expr:
        """A row value [RBLOCK, 1], emitted at the program's outer level; an input read by a
        row op is broadcast to that op's `shape` first."""
        key = v if shape is None or v in self.nodes else (v, shape)
        if key in self.row_values:
            return self.row_values[key]
        node = self.nodes.get(v) if not isinstance(v, _RowView) else None
        if isinstance(v, _RowView):
            value = self._load_row(v.value, [v.layout.strides[i] for i in self.kept], v.layout.offset)
        elif v.splat is not None:
            value = const_expr(v)
        elif node is None:
            layout = self.layouts[v].broadcast_to(shape)
            strides = (list(layout.strides) if len(shape) != len(self.k.shape)
                       else [layout.strides[i] for i in self.kept])
            value = self._load_row(v, strides, layout.offset)
        elif node.prim.kind == "reduction":
            value = self.reduce(node)
        else:
            value = elementwise(self.w, node, [self.row(u, v.aval.shape) for u in node.inputs])
        self.row_values[key] = value
        return value

    def _load_row(self, v, strides, offset) -> Expr:
        where = offset_expr([self.row_offset(strides)], [1], offset)
        if where.isdigit():                  # one element for all rows: still a block
            where = f"{where} + rows * 0"
        return Expr(self.w.let(f"tl.load({self.ptrs[v]} + {where}, mask=rmask)", "a"), v.aval.dtype)

    def tile(self, v) -> Expr:
        """A full value [RBLOCK, NBLOCK] (or a row value broadcast into it)."""
        if self.is_row_value(v):
            return self.row(v)
        if v.splat is not None:
            return const_expr(v)
        if v in self.tile_values:
            return self.tile_values[v]
        node = self.nodes.get(v)
        if node is None:
            layout = self.layouts[v].broadcast_to(self.k.shape)
            kept = [layout.strides[i] for i in self.kept]
            red = [layout.strides[i] for i in self.red]
            if not any(red):                     # constant along a row: loaded once per row
                return self.row(_RowView(v, layout))
            terms = [str(layout.offset)] if layout.offset else []
            terms += [t for t in (self.row_offset(kept), self.col_offset(red)) if t != "0"]
            where = " + ".join(terms) or "0"
            value = Expr(self.w.let(f"tl.load({self.ptrs[v]} + {where}, mask=mask)", "a"), v.aval.dtype)
        else:
            value = elementwise(self.w, node, [self.tile(u) for u in node.inputs])
        self.tile_values[v] = value
        return value

    def reduce(self, node) -> Expr:
        x = node.inputs[0]
        dtype = x.aval.dtype
        name, text = combine_helper(node.prim, dtype)
        self.helpers[name] = text
        ident = literal(node.prim.identity(dtype), dtype)
        if self.persistent:
            v = self.tile(x)
            red = self.w.let(f"tl.reduce(tl.where(mask, {v.text}, {ident}), 1, {name}, keep_dims=True)", "red")
        else:
            # the row values this reduction's input needs are computed before its loop
            for u in self._row_deps(x):
                self.row(u)
            acc = self.w.let(f"tl.full([RBLOCK, NBLOCK], {ident}, {tl_type(dtype)})", "acc")
            self.open_loop()
            v = self.tile(x)
            self.w.line(f"{acc} = {name}({acc}, tl.where(mask, {v.text}, {ident}))")
            self.close_loop()
            red = self.w.let(f"tl.reduce({acc}, 1, {name}, keep_dims=True)", "red")
        result = Expr(red, dtype)
        if node.prim.mean:
            result = self.w.builder().div(result, Expr(literal(self.cols, dtype), dtype, literal=True))
        return result

    def _row_deps(self, v) -> list:
        """The row values (outside a column loop) that the full value `v` reads."""
        out, stack, seen = [], [v], set()
        while stack:
            u = stack.pop()
            if u in seen:
                continue
            seen.add(u)
            if self.is_row_value(u):
                out.append(u)
            elif u in self.nodes:
                stack.extend(self.nodes[u].inputs)
            elif u.splat is None:
                layout = self.layouts[u].broadcast_to(self.k.shape)
                if not any(layout.strides[i] for i in self.red):
                    out.append(_RowView(u, layout))
        return out

    # -- loops -------------------------------------------------------------------------------
    def open_loop(self):
        self.w.line(f"for c0 in range(0, {self.cols}, NBLOCK):")
        self.w.indent += 1
        self.w.line("cols = c0 + tl.arange(0, NBLOCK)[None, :]")
        self.w.line(f"mask = rmask & (cols < {self.cols})")
        self.col_idx, self.tile_values = None, {}
        self.col_offset([])

    def close_loop(self):
        self.w.indent -= 1
        self.col_idx, self.tile_values = None, {}

    # -- the kernel --------------------------------------------------------------------------
    def emit(self) -> KernelSource:
        w, k = self.w, self.k
        w.line("rows = tl.program_id(0) * RBLOCK + tl.arange(0, RBLOCK)[:, None]")
        w.line(f"rmask = rows < {self.rows}")
        self.row_idx = dim_indices(w, "rows", tuple(k.shape[i] for i in self.kept), "r")
        if self.persistent:
            w.line("cols = tl.arange(0, NBLOCK)[None, :]")
            w.line(f"mask = rmask & (cols < {self.cols})")
            self.col_offset([])
        full_outputs = [v for v in k.outputs if not self.is_row_value(v)]
        for v in k.outputs:
            if self.is_row_value(v):
                w.line(f"tl.store({self.ptrs[v]} + rows, {self.row(v).text}, mask=rmask)")
        if full_outputs:
            if not self.persistent:
                for v in full_outputs:
                    for u in self._row_deps(v):
                        self.row(u)
                self.open_loop()
            strides = _contiguous(k.shape)
            where = " + ".join(t for t in (self.row_offset([strides[i] for i in self.kept]),
                                           self.col_offset([strides[i] for i in self.red])) if t != "0") or "0"
            if where.isdigit():
                where = "rows * 0 + cols * 0"
            for v in full_outputs:
                w.line(f"tl.store({self.ptrs[v]} + {where}, {self.tile(v).text}, mask=mask)")
            if not self.persistent:
                self.close_loop()
        signature = ", ".join([self.ptrs[v] for v in k.inputs + k.outputs]
                              + ["RBLOCK: tl.constexpr", "NBLOCK: tl.constexpr"])
        text = _header(k, signature) + "\n".join(w.lines) + "\n"
        tile = self.rblock * self.nblock
        warps = 1 if tile <= 256 else 4 if tile <= 4096 else 8 if tile <= 8192 else 16
        return KernelSource(k.name, text, k.inputs + k.outputs, k.outputs,
                            grid=f"({-(-self.rows // self.rblock)},)",
                            meta={"RBLOCK": self.rblock, "NBLOCK": self.nblock, "num_warps": warps},
                            helpers=list(self.helpers.items()))


class _RowView:
    """An input read as a row vector inside a full expression (its stride along every
    reduced dim is 0); hashed by the input so it is loaded once."""

    def __init__(self, value, layout):
        self.value, self.layout = value, layout
        self.aval = value.aval
        self.splat = None

    def __hash__(self):
        return hash((id(self.value), "row"))

    def __eq__(self, other):
        return isinstance(other, _RowView) and other.value is self.value


def _contiguous(shape):
    from .layout import contiguous_strides

    return contiguous_strides(shape)
