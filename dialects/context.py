"""MLIR contexts with the ember dialect registered."""
from __future__ import annotations

from . import irdl


def make_context():
    """A new `mlir.ir.Context` in which `ember.*` ops parse and verify.

    Example:
        >>> from mlir import ir
        >>> from ember.dialects import make_context
        >>> with make_context():
        ...     m = ir.Module.parse('func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {'
        ...                         ' %0 = "ember.exp"(%x) : (tensor<2xf32>) -> tensor<2xf32>'
        ...                         ' return %0 : tensor<2xf32> }')
    """
    from mlir import ir

    ctx = ir.Context()
    irdl.load(ctx)
    return ctx
