"""`ember-widen-bools`: bool tensors are stored as i8 (0 or 1), as NumPy stores them.

LLVM 22's memref lowering cannot store sub-byte elements, and NumPy's bool arrays are one
byte per element, so every `tensor<...xi1>` (arguments, results, constants, buffers)
becomes `tensor<...xi8>`; inside linalg bodies the bytes are truncated to i1 on reading
and extended on writing, so the scalar code keeps computing on i1.
"""
from __future__ import annotations

import numpy as np

from ..dialects.locations import walk
from ..dialects.values import constant_array
from .registry import register_pass


def _is_bool_tensor(type_) -> bool:
    from mlir import ir

    return isinstance(type_, ir.RankedTensorType) and str(type_.element_type) == "i1"


def _is_byte_tensor(type_) -> bool:
    from mlir import ir

    return isinstance(type_, ir.RankedTensorType) and str(type_.element_type) == "i8"


def _widened(type_):
    from mlir import ir

    return ir.RankedTensorType.get(type_.shape, ir.IntegerType.get_signless(8))


@register_pass("ember-widen-bools", "Store bool tensors as i8 (NumPy's layout; LLVM cannot store i1)")
def widen_bools(module_op) -> None:
    from mlir import ir

    for op in list(walk(module_op)):
        with op.location:
            if op.name == "arith.constant" and _is_bool_tensor(op.results[0].type):
                _widen_constant(op)
                continue
            if op.name == "linalg.fill":
                _widen_fill_value(op)
            for region in op.regions:
                for block in region.blocks:
                    _widen_block_arguments(op, block)
            for result in op.results:
                if _is_bool_tensor(result.type):
                    result.set_type(_widened(result.type))
    for op in list(walk(module_op)):
        if op.name == "func.return":
            _retype_function(op.parent)
        elif op.name == "linalg.yield":
            with op.location, ir.InsertionPoint(op):
                _extend_yielded(op)


def _widen_constant(op) -> None:
    from mlir import ir
    from mlir.dialects import arith

    array = np.asarray(constant_array(op.results[0]), dtype=np.int8, order="C")
    type_ = _widened(op.results[0].type)
    with ir.InsertionPoint(op):
        value = arith.ConstantOp(type_, ir.DenseElementsAttr.get(array, type=type_)).result
    op.results[0].replace_all_uses_with(value)
    op.erase()


def _widen_fill_value(op) -> None:
    """linalg.fill of a bool value into a (now) byte tensor fills the byte 0 or 1."""
    from mlir import ir
    from mlir.dialects import arith

    value, dest = op.operands[0], op.operands[1]
    if str(value.type) == "i1" and _is_byte_tensor(dest.type):
        with ir.InsertionPoint(op):
            op.operands[0] = arith.extui(ir.IntegerType.get_signless(8), value)


def _widen_block_arguments(op, block) -> None:
    """Function arguments become i8 tensors; linalg body scalars whose tensor is now i8
    become i8 and are truncated back to i1 for the body."""
    from mlir import ir
    from mlir.dialects import arith

    if op.name == "func.func":
        for arg in block.arguments:
            if _is_bool_tensor(arg.type):
                arg.set_type(_widened(arg.type))
        return
    if not op.name.startswith("linalg."):
        return
    operands = list(op.operands)
    for arg, operand in zip(block.arguments, operands):
        if str(arg.type) == "i1" and (_is_byte_tensor(operand.type) or str(operand.type) == "i8"):
            arg.set_type(ir.IntegerType.get_signless(8))
            first = block.operations[0] if len(block.operations) else None
            with ir.InsertionPoint(first) if first is not None else ir.InsertionPoint(block):
                narrow = arith.trunci(ir.IntegerType.get_signless(1), arg)
            arg.replace_all_uses_except(narrow, narrow.owner.operation)


def _extend_yielded(yield_op) -> None:
    from mlir import ir
    from mlir.dialects import arith

    parent = yield_op.parent
    outputs = list(parent.results)
    for i, value in enumerate(list(yield_op.operands)):
        if i < len(outputs) and str(value.type) == "i1" and _is_byte_tensor(outputs[i].type):
            yield_op.operands[i] = arith.extui(ir.IntegerType.get_signless(8), value)


def _retype_function(func_op) -> None:
    from mlir import ir

    block = func_op.regions[0].blocks[0]
    inputs = [a.type for a in block.arguments]
    returns = [op for op in block.operations if op.operation.name == "func.return"]
    results = [v.type for v in returns[0].operands] if returns else []
    func_op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, results))
