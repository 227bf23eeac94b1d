"""Shared pieces of kernel source: the writer, index decomposition, offsets, loads.

A kernel's tensors have static shapes and layouts, so every index and stride is a
constant in the generated source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...dialects.primitive import REDUCTION
from .scalar import Expr, TritonBuilder, apply_scalar, literal, tl_type


@dataclass
class KernelSource:
    """A generated kernel and how the host launches it."""

    name: str
    text: str
    args: list                 # Values, in the kernel's pointer order (inputs then outputs)
    outputs: list
    grid: str                  # Python source of the launch grid
    meta: dict                 # constexpr block sizes and num_warps (empty when autotuned)
    configs: list = field(default_factory=list)   # autotune configs (dicts), if any
    helpers: list = field(default_factory=list)   # names of @triton.jit helpers it calls


class Writer:
    """Lines of a kernel body: an indent level, and memo tables for emitted values."""

    def __init__(self):
        self.lines: list[str] = []
        self.indent = 1
        self.counter = [0]

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)

    def builder(self) -> TritonBuilder:
        """A scalar builder whose lines go to this writer at the current indent."""
        writer = self

        class _Lines(list):
            def append(self, text):
                writer.line(text)
        return TritonBuilder(_Lines(), counter=self.counter)

    def let(self, text: str, prefix: str = "t") -> str:
        name = f"{prefix}{self.counter[0]}"
        self.counter[0] += 1
        self.line(f"{name} = {text}")
        return name


def dim_indices(w: Writer, base: str, dims: tuple, prefix: str) -> list:
    """Names of the per-dim indices of the row-major linear index `base` over `dims`
    (None for size-1 dims)."""
    out = []
    for k, d in enumerate(dims):
        if d == 1:
            out.append(None)
            continue
        inner = 1
        for e in dims[k + 1:]:
            inner *= e
        text = base if inner == 1 else f"{base} // {inner}"
        if k > 0 and any(e != 1 for e in dims[:k]):
            text = f"({text}) % {d}" if inner != 1 else f"{text} % {d}"
        out.append(w.let(text, prefix) if text != base else base)
    return out


def offset_expr(indices, strides, offset: int = 0) -> str:
    terms = [str(offset)] if offset else []
    for idx, s in zip(indices, strides):
        if idx is None or s == 0:
            continue
        terms.append(idx if s == 1 else f"{idx} * {s}")
    return " + ".join(terms) if terms else "0"


def const_expr(value) -> Expr:
    """A splat constant as a 1-element tensor of its dtype."""
    dtype = value.aval.dtype
    return Expr(f"tl.full([1], {literal(value.splat, dtype)}, {tl_type(dtype)})", dtype)


def combine_helper(prim, dtype) -> tuple[str, str]:
    """(name, source) of the @triton.jit combiner of reduction `prim` for `dtype`, written
    from the primitive's own combine rule."""
    name = f"combine_{prim.name}_{dtype.name}"
    lines: list[str] = []
    result = prim.combine(TritonBuilder(lines), Expr("acc", dtype), Expr("x", dtype))
    body = "\n".join(f"    {line}" for line in lines)
    text = f"@triton.jit\ndef {name}(acc, x):\n{body}\n    return {result.text}\n"
    return name, text


def is_row(node) -> bool:
    return node.prim.kind == REDUCTION


def elementwise(w: Writer, node, args: list[Expr]) -> Expr:
    w.line(f"# {node.prim.op_name}  ({node.loc})")
    return apply_scalar(w.builder(), node.prim, args, node.attrs)


def next_pow2(n: int) -> int:
    p = 1
    while p < n:
        p *= 2
    return p


def numel(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
