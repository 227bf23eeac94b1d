"""The one switch between eager and traced execution of a primitive.

`bind` runs the primitive's NumPy kernel now, unless a trace (`@em.function`) is being
recorded on this thread, in which case the op is appended to the traced function.
"""
from __future__ import annotations

import threading

import numpy as np

from . import dtypes
from .errors import CompileError, EmberError, TracingError, at_user_line


class _ThreadState(threading.local):
    """Per thread: the traces being recorded and the gradient tapes (innermost last). NOTE:
    set up in __init__, which runs once in each thread that reads it: every compiled call
    reads both, so they are plain attribute reads."""

    def __init__(self):
        self.traces: list = []
        self.tapes: list = []


THREAD_STATE = _ThreadState()


def trace_stack() -> list:
    return THREAD_STATE.traces


def tape_stack() -> list:
    """The gradient tapes recording on this thread (innermost last)."""
    return THREAD_STATE.tapes


def current_trace():
    """The innermost trace being recorded on this thread, or None when eager."""
    stack = trace_stack()
    return stack[-1] if stack else None


def infer(prim, avals, attrs):
    """The primitive's shape rule; errors name the user's line."""
    try:
        return prim.infer(tuple(avals), attrs)
    except EmberError as err:
        raise type(err)(at_user_line(str(err))) from None


def bind(prim, operands, attrs):
    trace = current_trace()
    result = trace.apply(prim, operands, attrs) if trace is not None else eager_apply(prim, operands, attrs)
    for tape in tape_stack():
        tape.record(prim, operands, attrs, result)
    return result


def eager_apply(prim, operands, attrs):
    from ..dialects.primitive import AVal
    from .tensor import EagerTensor, TracedTensor
    from .variable import Variable

    arrays = []
    for operand in operands:
        if isinstance(operand, TracedTensor):
            raise TracingError(at_user_line(
                f"{prim.name}: a symbolic tensor of the finished trace of '{operand.trace.name}' "
                f"was used outside it; return it from the @em.function instead"))
        if isinstance(operand, (EagerTensor, Variable)):
            arrays.append(operand.numpy())
        else:
            arrays.append(dtypes.to_numpy(operand))
    out = infer(prim, [AVal(a.shape, dtypes.as_dtype(a.dtype)) for a in arrays], attrs)
    with np.errstate(all="ignore"):  # NOTE: inf and NaN results are values, not warnings (as TF, JAX)
        result = np.asarray(prim.eager_rule(*arrays, **attrs), dtype=out.dtype.numpy)
    if result.shape != out.shape:
        raise CompileError(f"eager kernel of {prim.op_name} gave shape {result.shape}, "
                           f"its shape rule says {out.shape}")
    return EagerTensor(result)
