"""`ember-drop-empty-tensors`: zero-size arguments and results leave the function signature.

A tensor with no elements carries no data, and the bare-pointer calling convention
cannot pass an empty memref (LLVM 22 leaves such a function unconverted). Arguments
become `tensor.empty` inside the function; results are dropped from `return`. The CPU
executable passes pointers only for non-empty arrays (`nonempty_positions`).
"""
from __future__ import annotations

from .registry import register_pass


def is_empty(type_) -> bool:
    from mlir import ir

    return isinstance(type_, ir.RankedTensorType) and 0 in type_.shape


@register_pass("ember-drop-empty-tensors", "Remove zero-size arguments and results from functions")
def drop_empty_tensors(module_op) -> None:
    from mlir import ir
    from mlir.dialects import func as func_dialect
    from mlir.dialects import tensor

    for func in [op.operation for op in module_op.regions[0].blocks[0].operations]:
        if func.name != "func.func":
            continue
        block = func.regions[0].blocks[0]
        for i in reversed(range(len(block.arguments))):
            arg = block.arguments[i]
            if not is_empty(arg.type):
                continue
            with func.location, ir.InsertionPoint.at_block_begin(block):
                empty = tensor.EmptyOp(list(arg.type.shape), arg.type.element_type).result
            arg.replace_all_uses_with(empty)
            block.erase_argument(i)
        for op in block.operations:
            if op.operation.name == "func.return":
                kept = [v for v in op.operands if not is_empty(v.type)]
                with op.location, ir.InsertionPoint(op):
                    func_dialect.ReturnOp(kept)
                op.operation.erase()
                break
        returns = [o for o in block.operations if o.operation.name == "func.return"]
        results = [v.type for v in returns[0].operands] if returns else []
        func.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get([a.type for a in block.arguments], results))


def nonempty_positions(avals) -> list[int]:
    """Positions of the arrays the compiled function still takes (or writes)."""
    return [i for i, a in enumerate(avals) if a.size != 0]
