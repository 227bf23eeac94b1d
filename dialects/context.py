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


def _prefer_light_dialect_modules() -> None:
    """Puts `ember.dialects.bindings` first among the packages where the MLIR bindings look
    for a dialect's Python module (once per dialect and process): its `linalg` skips the
    opdsl definitions of upstream's. NOTE: other dialects are not there; their search moves
    on to `mlir.dialects` at once."""
    from mlir._mlir_libs import _mlir

    package = __name__.rsplit(".", 1)[0] + ".bindings"
    modules = list(_mlir.globals.dialect_search_modules)
    if package not in modules:
        _mlir.globals.dialect_search_modules = [package] + modules


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

    _prefer_light_dialect_modules()
    ctx = ir.Context()
    irdl.load(ctx)
    return ctx
