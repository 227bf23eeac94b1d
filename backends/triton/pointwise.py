"""Pointwise kernels: one pass over the iteration shape computes a whole elementwise group
(several groups of one shape merged), broadcasting inputs through their strides."""
from __future__ import annotations

from .emit import KernelSource, Writer, const_expr, dim_indices, elementwise, next_pow2, numel, offset_expr
from .scalar import Expr

MAX_BLOCK = 1024


def emit_pointwise(kernel, layouts) -> KernelSource:
    shape = kernel.shape
    n = numel(shape)
    block = min(MAX_BLOCK, next_pow2(max(n, 1)))
    ptrs = {v: f"in{i}" for i, v in enumerate(kernel.inputs)}
    ptrs.update({v: f"out{i}" for i, v in enumerate(kernel.outputs)})
    w = Writer()
    pid = "tl.program_id(0).to(tl.int64)" if n >= 2 ** 31 else "tl.program_id(0)"
    w.line(f"x = {pid} * XBLOCK + tl.arange(0, XBLOCK)")
    w.line(f"xmask = x < {n}")
    indices = None
    values = {}

    def load(v) -> Expr:
        nonlocal indices
        if v.splat is not None:
            return const_expr(v)
        layout = layouts[v].broadcast_to(shape)
        if layout.is_contiguous:
            where = "x"
        else:
            if indices is None:
                indices = dim_indices(w, "x", shape, "i")
            where = offset_expr(indices, layout.strides, layout.offset)
            if where.isdigit():              # one element for all: still a block of pointers
                where = f"{where} + x * 0"
        return Expr(w.let(f"tl.load({ptrs[v]} + {where}, mask=xmask)", "a"), v.aval.dtype)

    for node in kernel.nodes:
        args = [values[v] if v in values else load(v) for v in node.inputs]
        values[node.out] = elementwise(w, node, args)
    for v in kernel.outputs:
        w.line(f"tl.store({ptrs[v]} + x, {_full(values[v])}, mask=xmask)")
    signature = ", ".join([ptrs[v] for v in kernel.inputs + kernel.outputs] + ["XBLOCK: tl.constexpr"])
    text = _header(kernel, signature) + "\n".join(w.lines) + "\n"
    return KernelSource(kernel.name, text, kernel.inputs + kernel.outputs, kernel.outputs,
                        grid=f"({-(-n // block)},)", meta={"XBLOCK": block, "num_warps": 4 if block >= 512 else 1})


def _full(value: Expr) -> str:
    return value.text


def _header(kernel, signature: str) -> str:
    ops = ", ".join(dict.fromkeys(n.prim.op_name for n in kernel.all_nodes))
    sites = ", ".join(dict.fromkeys(n.loc for n in kernel.all_nodes))
    return (f"@triton.jit\ndef {kernel.name}({signature}):\n"
            f'    """{ops} over {list(kernel.shape)}; from {sites}"""\n')
