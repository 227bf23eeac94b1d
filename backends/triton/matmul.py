"""Matmul kernels: tiled `tl.dot` over (batch, M, N) programs with the elementwise
epilogue (bias, activation, ...) applied to the accumulator tile before the one store.

Operands are read through their static strides, so a transposed or broadcast operand
(the backward pass's `x.T @ g`) is a view, not a copy. Block sizes: `triton.autotune` over
a small config set for large products on a GPU, a heuristic otherwise.
"""
from __future__ import annotations

from .emit import KernelSource, Writer, const_expr, dim_indices, elementwise, next_pow2, numel, offset_expr
from .pointwise import _header
from .scalar import Expr, tl_type

# (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages): the usual Hopper/Ampere set
CONFIGS = [(128, 128, 64, 8, 3), (128, 256, 64, 8, 3), (256, 128, 64, 8, 3), (128, 128, 32, 4, 4),
           (64, 128, 32, 4, 4), (128, 64, 32, 4, 4), (64, 64, 32, 4, 4)]
AUTOTUNE_FLOPS = 2 ** 24   # products smaller than this take the heuristic block sizes


def emit_matmul(kernel, layouts, autotune: bool) -> KernelSource:
    mm = kernel.matmul
    x, y = mm.inputs
    shape = mm.out.aval.shape
    batch, (m, n), kdim = shape[:-2], shape[-2:], x.aval.shape[-1]
    dtype = mm.out.aval.dtype
    ptrs = {v: f"in{i}" for i, v in enumerate(kernel.inputs)}
    ptrs.update({v: f"out{i}" for i, v in enumerate(kernel.outputs)})
    xl = layouts[x].broadcast_to(batch + x.aval.shape[-2:])
    yl = layouts[y].broadcast_to(batch + y.aval.shape[-2:])
    w = Writer()
    w.line("pid = tl.program_id(0)")
    w.line(f"grid_m = ({m} + BLOCK_M - 1) // BLOCK_M")
    w.line(f"grid_n = ({n} + BLOCK_N - 1) // BLOCK_N")
    w.line("# grouped order: GROUP_M row blocks share the columns of y in L2")
    w.line("group = pid // (GROUP_M * grid_n)")
    w.line("first_m = group * GROUP_M")
    w.line("group_m = tl.minimum(grid_m - first_m, GROUP_M)")
    w.line("pid_m = first_m + (pid % (GROUP_M * grid_n)) % group_m")
    w.line("pid_n = (pid % (GROUP_M * grid_n)) // group_m")
    bidx = dim_indices(w, "tl.program_id(1)", batch, "b") if batch else []
    w.line("rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)")
    w.line("rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)")
    w.line("rk = tl.arange(0, BLOCK_K)")
    xb = offset_expr(bidx, xl.strides[:-2], xl.offset)
    yb = offset_expr(bidx, yl.strides[:-2], yl.offset)
    sxm, sxk = xl.strides[-2:]
    syk, syn = yl.strides[-2:]
    w.line(f"x_ptrs = {ptrs[x]} + {_terms(xb, ('rm[:, None]', sxm), ('rk[None, :]', sxk))}")
    w.line(f"y_ptrs = {ptrs[y]} + {_terms(yb, ('rk[:, None]', syk), ('rn[None, :]', syn))}")
    acc_type = "tl.float64" if dtype.name == "float64" else "tl.float32" if dtype.is_float else tl_type(dtype)
    w.line(f"acc = tl.zeros((BLOCK_M, BLOCK_N), dtype={acc_type})")
    w.line(f"for k in range(0, {kdim}, BLOCK_K):")
    w.indent += 1
    w.line(f"xt = tl.load(x_ptrs, mask=(rm[:, None] < {m}) & (rk[None, :] + k < {kdim}), other=0)")
    w.line(f"yt = tl.load(y_ptrs, mask=(rk[:, None] + k < {kdim}) & (rn[None, :] < {n}), other=0)")
    if dtype.is_float:
        precision = ', input_precision="ieee"' if dtype.name == "float32" else ""
        w.line(f"acc = tl.dot(xt, yt, acc{precision})")
    else:
        # NOTE: tl.dot has no int32/int64 form: integer products are summed exactly here.
        w.line("acc += tl.sum(xt[:, :, None] * yt[None, :, :], axis=1)")
    w.line(f"x_ptrs += BLOCK_K * {sxk}")
    w.line(f"y_ptrs += BLOCK_K * {syk}")
    w.indent -= 1
    w.line(f"mask = (rm[:, None] < {m}) & (rn[None, :] < {n})")
    values = {mm.out: Expr(w.let(f"acc.to({tl_type(dtype)})", "t"), dtype)}
    out_base = offset_expr(bidx, _contiguous(batch + (m, n))[:-2])

    def load(v) -> Expr:
        if v.splat is not None:
            return const_expr(v)
        layout = layouts[v].broadcast_to(shape)
        base = offset_expr(bidx, layout.strides[:-2], layout.offset)
        sm, sn = layout.strides[-2:]
        where = _terms(base, ("rm[:, None]", sm), ("rn[None, :]", sn))
        if where.isdigit():                  # one element for the whole tile
            where = f"{where} + rm[:, None] * 0 + rn[None, :] * 0"
        return Expr(w.let(f"tl.load({ptrs[v]} + {where}, mask=mask)", "a"), v.aval.dtype)

    if kernel.nodes:
        w.line("# epilogue")
    for node in kernel.nodes:
        args = [values[v] if v in values else load(v) for v in node.inputs]
        values[node.out] = elementwise(w, node, args)
    for v in kernel.outputs:
        w.line(f"tl.store({ptrs[v]} + {_terms(out_base, ('rm[:, None]', n), ('rn[None, :]', 1))}, "
               f"{values[v].text}, mask=mask)")
    signature = ", ".join([ptrs[v] for v in kernel.inputs + kernel.outputs]
                          + [f"{p}: tl.constexpr" for p in ("BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M")])
    text = _header(kernel, signature) + "\n".join(w.lines) + "\n"
    nb = numel(batch)
    grid = f"lambda META: (triton.cdiv({m}, META['BLOCK_M']) * triton.cdiv({n}, META['BLOCK_N']), {nb})"
    configs = _configs(dtype)
    if autotune and dtype.is_float and 2 * m * n * kdim >= AUTOTUNE_FLOPS:
        return KernelSource(kernel.name, text, kernel.inputs + kernel.outputs, kernel.outputs, grid,
                            meta={}, configs=configs)
    meta = _heuristic(m, n, kdim, dtype)
    return KernelSource(kernel.name, text, kernel.inputs + kernel.outputs, kernel.outputs, grid, meta)


def _configs(dtype) -> list[dict]:
    out = []
    for bm, bn, bk, warps, stages in CONFIGS:
        if dtype.name == "float64":
            bm, bn, bk = min(bm, 64), min(bn, 64), min(bk, 32)
        elif dtype.name == "float32":
            bk = min(bk, 32)
        config = {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk, "GROUP_M": 8,
                  "num_warps": warps, "num_stages": stages}
        if config not in out:
            out.append(config)
    return out


def _heuristic(m: int, n: int, k: int, dtype) -> dict:
    cap = 64 if dtype.is_float else 16       # integer tiles are summed as 3-D products
    bm, bn, bk = (min(cap, max(16, next_pow2(d))) for d in (m, n, k))
    if not dtype.is_float:
        bk = min(bk, 8)
    return {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk, "GROUP_M": 8,
            "num_warps": 4 if bm * bn >= 64 * 64 else 2}


def _terms(base: str, *index_strides) -> str:
    terms = [base] if base != "0" else []
    terms += [idx if s == 1 else f"{idx} * {s}" for idx, s in index_strides if s != 0]
    return " + ".join(terms) or "0"


def _contiguous(shape):
    from .layout import contiguous_strides

    return contiguous_strides(shape)
