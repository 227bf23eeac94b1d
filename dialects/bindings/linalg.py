"""The linalg dialect's generated op, enum and attribute classes: what the MLIR bindings
load when they first meet a linalg op or attribute.

NOTE: upstream's `mlir.dialects.linalg` also defines every named op in the opdsl (Python),
70-80 ms at its import, the first time a process compiles; ember builds linalg ops from the
generated classes and the ops' C++ region builders (`passes/linalg_ops.py`). Code that
imports `mlir.dialects.linalg` itself gets all of it, as always.
"""
from mlir._mlir_libs._mlirDialectsLinalg import *  # noqa: F401,F403
from mlir.dialects._linalg_enum_gen import *  # noqa: F401,F403
from mlir.dialects._linalg_ops_gen import *  # noqa: F401,F403
from mlir.dialects._linalg_ops_gen import _Dialect  # noqa: F401
