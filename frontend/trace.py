"""Recording a Python function as a `func.func` of the ember dialect.

A Trace owns an MLIR context and module. Arguments become block arguments; eager
tensors the function reads from outside (closures, globals) become extra arguments
("captures", as in TensorFlow) so their values are passed at call time, not baked in;
NumPy arrays and Python numbers become `arith.constant`s. Every op carries the location
of the user's line that created it.
"""
from __future__ import annotations

import re

import numpy as np

from ..dialects.context import make_context
from ..dialects.locations import user_location
from ..dialects.primitive import AVal, create
from ..dialects.values import make_constant
from . import dtypes
from .dispatch import infer, trace_stack
from .errors import ShapeError, TracingError, at_user_line
from .tensor import EagerTensor, Tensor, TracedTensor
from .variable import Variable


def symbol_name(name: str) -> str:
    """A valid MLIR symbol from a Python function name, prefixed with `ember_`.

    NOTE: the JIT links against the C library: a function named `exp` or `free` would
    otherwise take the place of libm's `exp` or of the runtime's `free`.
    """
    return "ember_" + (re.sub(r"[^A-Za-z0-9_]", "_", name) or "fn")


class Trace:
    """An open `func.func` being recorded; use as a context manager."""

    def __init__(self, name: str, arg_avals: list[AVal]):
        from mlir import ir
        from mlir.dialects import func

        self.name = name
        self.context = make_context()
        with self.context, user_location():
            self.module = ir.Module.create()
            with ir.InsertionPoint(self.module.body):
                self.func = func.FuncOp(symbol_name(name), ([a.mlir_type() for a in arg_avals], []))
            self.block = self.func.add_entry_block()
        self.args = [TracedTensor(self, v, a) for v, a in zip(self.block.arguments, arg_avals)]
        self.captures: list = []            # EagerTensors and Variables read from outside
        self._capture_index: dict[int, int] = {}
        self.assigned: dict = {}            # Variable -> its new (symbolic) value

    def __enter__(self):
        self.context.__enter__()
        trace_stack().append(self)
        return self

    def __exit__(self, *exc):
        trace_stack().pop()
        self.context.__exit__(*exc)
        return False

    # -- recording ops -------------------------------------------------------------------------
    def apply(self, prim, operands, attrs):
        from mlir import ir

        values = [self.value_of(o) for o in operands]
        out = infer(prim, [AVal.of_type(v.type) for v in values], attrs)
        result = create(prim, values, attrs, out, loc=user_location(), ip=ir.InsertionPoint(self.block))
        return TracedTensor(self, result, out)

    def constant(self, array: np.ndarray) -> TracedTensor:
        from mlir import ir

        value = make_constant(array, loc=user_location(), ip=ir.InsertionPoint(self.block))
        return TracedTensor(self, value, AVal(array.shape, dtypes.as_dtype(array.dtype)))

    def value_of(self, operand):
        """The SSA value for an operand: traced, captured, or a new constant."""
        if isinstance(operand, TracedTensor):
            if operand.trace is not self:
                raise TracingError(at_user_line(
                    f"a symbolic tensor of the trace of '{operand.trace.name}' was used while "
                    f"tracing '{self.name}'; pass it as an argument instead"))
            return operand.value
        if isinstance(operand, Variable):
            return self.read(operand).value
        if isinstance(operand, EagerTensor):
            return self.capture(operand)
        return self.constant(dtypes.to_numpy(operand)).value

    # -- variables -------------------------------------------------------------------------------
    def read(self, variable) -> TracedTensor:
        """The variable's value at this point of the trace: its last assignment, or an input."""
        if variable in self.assigned:
            return self.assigned[variable]
        return TracedTensor(self, self.capture(variable), variable.aval)

    def assign(self, variable, value) -> None:
        """Records `variable = value`; the compiled function returns the new value."""
        value = _as_traced(self, value, variable.dtype)
        if value.aval != variable.aval:
            raise ShapeError(at_user_line(
                f"Variable '{variable.name}': cannot assign a value of shape {value.shape} and "
                f"dtype {value.dtype.name} to a variable of shape {variable.shape} and dtype "
                f"{variable.dtype.name}"))
        self.assigned[variable] = value

    def capture(self, tensor):
        """The block argument standing for an eager tensor read from outside the function."""
        index = self._capture_index.get(id(tensor))
        if index is None:
            index = len(self.captures)
            self._capture_index[id(tensor)] = index
            self.captures.append(tensor)
            self.block.add_argument(tensor.aval.mlir_type(), user_location())
        return self.block.arguments[len(self.args) + index]

    def finish(self, outputs: list) -> None:
        """Returns `outputs` (tensors or arrays), then the new value of each assigned
        variable, from the function, and fixes its type."""
        from mlir import ir
        from mlir.dialects import func

        values = [self.value_of(o) for o in outputs] + [v.value for v in self.assigned.values()]
        func.ReturnOp(values, loc=user_location(), ip=ir.InsertionPoint(self.block))
        inputs = [a.type for a in self.block.arguments]
        self.func.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get(inputs, [v.type for v in values]))
        self.out_avals = [AVal.of_type(v.type) for v in values]


def _as_traced(trace: Trace, value, dtype) -> TracedTensor:
    """A tensor of `trace` for `value` (a Python value takes `dtype`)."""
    if isinstance(value, TracedTensor):
        return value
    if not isinstance(value, Tensor):
        value = dtypes.to_numpy(value, dtype)
    ssa = trace.value_of(value)
    return TracedTensor(trace, ssa, AVal.of_type(ssa.type))
