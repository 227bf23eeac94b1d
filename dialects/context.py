"""MLIR contexts with the ember dialect registered."""
from __future__ import annotations

import sys
import types

from . import irdl

# NOTE: the MLIR bindings look for Python op classes in `mlir.dialects.<namespace>` each
# time an op is wrapped, and do not remember a failed import: without this module every
# access to an ember op searched the import path again (3,786 searches in one CNN compile).
_DIALECT_MODULE = "mlir.dialects.ember"
if _DIALECT_MODULE not in sys.modules:
    sys.modules[_DIALECT_MODULE] = types.ModuleType(
        _DIALECT_MODULE, "The ember dialect's ops have no Python classes; see ember.dialects.")


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
