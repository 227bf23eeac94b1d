"""The one switch between eager and traced execution of a primitive.

`bind` runs the primitive's NumPy kernel now, unless a trace (`@em.function`) is being
recorded on this thread, in which case the op is appended to the traced function.
"""
from __future__ import annotations

import threading

import numpy as np

from . import dtypes
from .errors import CompileError, EmberError, TracingError, at_user_line

_state = threading.local()


def trace_stack() -> list:
    if not hasattr(_state, "traces"):
        _state.traces = []
    return _state.traces


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
    if trace is not None:
        return trace.apply(prim, operands, attrs)
    return eager_apply(prim, operands, attrs)


def eager_apply(prim, operands, attrs):
    from ..dialects.primitive import AVal
    from .tensor import EagerTensor, TracedTensor

    arrays = []
    for operand in operands:
        if isinstance(operand, TracedTensor):
            raise TracingError(at_user_line(
                f"{prim.name}: a symbolic tensor of the finished trace of '{operand.trace.name}' "
                f"was used outside it; return it from the @em.function instead"))
        arrays.append(operand._value if isinstance(operand, EagerTensor) else dtypes.to_numpy(operand))
    out = infer(prim, [AVal(a.shape, dtypes.as_dtype(a.dtype)) for a in arrays], attrs)
    with np.errstate(all="ignore"):  # NOTE: inf and NaN results are values, not warnings (as TF, JAX)
        result = np.asarray(prim.eager_rule(*arrays, **attrs), dtype=out.dtype.numpy)
    if result.shape != out.shape:
        raise CompileError(f"eager kernel of {prim.op_name} gave shape {result.shape}, "
                           f"its shape rule says {out.shape}")
    return EagerTensor(result)
