"""`ember-vectorize-copies`: `linalg.copy`s as vector loads and stores, a row at a time (CPU).

A copy into a strided window (a padded input's interior: `Lowerer.copy_into`) lowers to
scalar loops that LLVM does not vectorize (it cannot prove that the two buffers do not
overlap): 9% of a padded 3x3 convolution. This pass tiles each static copy on tensors to
rows (all dims but the last by 1) and vectorizes them; a row longer than `ROW_BYTES` is
copied in chunks of that size, plus one remainder chunk. A padded input's interior copy
that `ember-pack-conv` makes per image (marked `pad_images.IMAGE_PAD`) is left to it.
"""
from __future__ import annotations

from ..dialects.locations import walk
from .pad_images import IMAGE_PAD
from .registry import register_pass
from .tile_matmul import _apply, _func_of, _Script, _sequence

ROW_BYTES = 1024                       # the longest row copied as one vector (16 AVX-512 registers)
_TARGET = "ember.vectorize_copies.target"


def _element_bytes(element) -> int | None:
    from mlir import ir

    if isinstance(element, (ir.FloatType, ir.IntegerType)) and element.width % 8 == 0:
        return element.width // 8
    return None


def _row(op) -> tuple[int, int] | None:
    """(rank, row length) of a static copy on tensors worth scheduling, or None."""
    from mlir import ir

    types = [operand.type for operand in op.operands]
    if not all(isinstance(t, ir.RankedTensorType) and t.has_static_shape for t in types) \
            or types[0].rank == 0 or 0 in types[0].shape:
        return None
    if _element_bytes(types[0].element_type) is None:
        return None
    return types[0].rank, types[0].shape[-1]


class _CopyScript(_Script):
    def text(self, rank: int, length: int, element_bytes: int) -> str:
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.copy\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        chunk = max(ROW_BYTES // element_bytes, 1)
        rows = [1] * (rank - 1)
        if length <= chunk:
            parts = [(length, 0)]
        else:
            whole = length // chunk * chunk
            parts = [p for p in [(whole, chunk), (length - whole, 0)] if p[0] > 0]
        for handle, (_, step) in self.split("%op", rank - 1, parts):
            tile, _ = self.tile(handle, rows + [step])
            self.emit(f"transform.structured.vectorize {tile} : !transform.any_op")
        return _sequence(self.lines)   # NOTE: not finish(): its patterns are for contractions


def vectorize_copy(op) -> None:
    """Schedules one linalg.copy on tensors (if static) as this pass does."""
    from mlir import ir

    row = _row(op)
    if row is None:
        return
    func = _func_of(op)
    op.attributes[_TARGET] = ir.UnitAttr.get()
    element_bytes = _element_bytes(ir.RankedTensorType(op.operands[0].type).element_type)
    _apply(func, _CopyScript(0).text(*row, element_bytes))
    for marked in [o for o in walk(func) if _TARGET in o.attributes]:
        del marked.attributes[_TARGET]


@register_pass("ember-vectorize-copies",
               "linalg.copy ops as vector loads and stores, one row at a time (CPU)")
def vectorize_copies(module_op) -> None:
    for op in [op for op in walk(module_op) if op.name == "linalg.copy"]:
        if IMAGE_PAD not in op.attributes:   # NOTE: copied per image by ember-pack-conv
            vectorize_copy(op)
