"""`ember-strided-copies`: copies between strided (non-contiguous) memrefs become loops (CPU).

Bufferization leaves `memref.copy` ops between subviews, e.g. a tile inserted into a row of
10 columns (the logits of a Dense(10)). `finalize-memref-to-llvm` lowers a copy between
contiguous memrefs to `llvm.intr.memcpy`, but any other to a call of `memrefCopy` from MLIR's
C runner utilities, and that library loads libMLIR (186 MB) and libLLVM with it: measured
50 ms of every process that loads such a compiled function (the warm start of bench row 9).
Rewritten here as `linalg.copy`, which `ember-lower-cpu` turns into loops (vectorized by
LLVM where the inner stride is 1), they need no library; contiguous copies stay memcpys.
"""
from __future__ import annotations

from ..dialects.locations import walk
from . import linalg_ops
from .registry import register_pass


def contiguous(type_) -> bool:
    """Whether a memref type's elements are one row-major block (static sizes and strides,
    any offset; dims of size 1 may have any stride)."""
    if not type_.has_static_shape:
        return False
    strides, _ = type_.get_strides_and_offset()     # NOTE: a dynamic stride never matches
    expected = 1
    for size, stride in reversed(list(zip(type_.shape, strides))):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


@register_pass("ember-strided-copies", "Copies between strided memrefs as loops, not calls of MLIR's runtime library (CPU)")
def strided_copies(module_op) -> None:
    from mlir import ir

    for op in [op for op in walk(module_op) if op.name == "memref.copy"]:
        source, target = op.operands
        if contiguous(source.type) and contiguous(target.type):
            continue
        with op.location, ir.InsertionPoint(op):
            linalg_ops.copy(source, target)
        op.erase()
