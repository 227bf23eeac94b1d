"""The fused MLIR function read into plain Python: values, ember ops, fusion groups.

Code generation plans kernels over this graph instead of the MLIR objects, so the
planner and the emitters are ordinary Python over dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...dialects.locations import format_location
from ...dialects.primitive import AVal, OpView
from ...dialects.values import constant_array
from ...frontend.errors import CompileError


@dataclass(eq=False)
class Value:
    """One tensor of the program: a function argument, a constant or an op's result."""

    name: str
    aval: AVal
    const: np.ndarray | None = None      # the value of an `arith.constant`
    producer: "Node | None" = None
    users: list = field(default_factory=list)

    @property
    def splat(self):
        """The single repeated number of a constant, or None."""
        if self.const is None or self.const.size == 0:
            return None
        first = self.const.flat[0]
        return first.item() if np.all(self.const == first) else None

    def __repr__(self) -> str:
        return f"%{self.name}: {self.aval}"


@dataclass(eq=False)
class Node:
    """One `ember.*` op: its primitive, operands, decoded attributes and result."""

    prim: object
    inputs: list
    attrs: dict
    out: Value
    group: int | None      # the `ember.fused` region it sits in, if any
    loc: str
    index: int = 0         # position in program order

    @property
    def name(self) -> str:
        return self.prim.name


@dataclass
class Graph:
    symbol: str
    inputs: list
    nodes: list
    outputs: list
    constants: list


def read_function(module, symbol: str) -> Graph:
    """The graph of `func.func @symbol` of a module at the `fused` stage."""
    from mlir import ir

    func = None
    for op in module.body.operations:
        if op.operation.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == symbol:
            func = op.operation
    if func is None:
        raise CompileError(f"function '{symbol}' not found in the module")
    reader = _Reader()
    block = func.regions[0].blocks[0]
    inputs = [reader.define(arg, f"arg{i}") for i, arg in enumerate(block.arguments)]
    outputs = reader.block(block, None)
    return Graph(symbol, inputs, reader.nodes, outputs, reader.constants)


class _Reader:
    def __init__(self):
        self.values: dict = {}
        self.nodes: list[Node] = []
        self.constants: list[Value] = []
        self.groups = 0

    def define(self, ir_value, name: str, const=None) -> Value:
        value = Value(name, AVal.of_type(ir_value.type), const)
        self.values[ir_value] = value
        return value

    def use(self, ir_value) -> Value:
        try:
            return self.values[ir_value]
        except KeyError:
            raise CompileError(f"value {ir_value.get_name()} is used before it is defined") from None

    def block(self, block, group):
        """Reads the ops of `block`; returns the values its terminator passes on."""
        for op in block.operations:
            op = op.operation
            name = op.name
            if name in ("func.return", "scf.yield"):
                return [self.use(v) for v in op.operands]
            if name == "arith.constant":
                array = constant_array(op.results[0])
                if array is None:
                    raise CompileError(f"unsupported constant {op}")
                value = self.define(op.results[0], f"cst{len(self.constants)}", array)
                self.constants.append(value)
            elif name == "scf.execute_region":
                self.groups += 1
                (result,) = self.block(op.regions[0].blocks[0], self.groups)
                self.values[op.results[0]] = result
            elif name.startswith("ember."):
                self.op(op, group)
            else:
                raise CompileError(f"the triton backend cannot read '{name}' at "
                                   f"{format_location(op.location)}")
        return []

    def op(self, op, group) -> None:
        view = OpView(op)
        out = self.define(op.results[0], f"v{len(self.nodes)}")
        node = Node(view.prim, [self.use(v) for v in op.operands], view.attrs, out, group,
                    format_location(op.location), len(self.nodes))
        out.producer = node
        for value in node.inputs:
            value.users.append(node)
        self.nodes.append(node)
