"""The CPU backend: linalg -> LLVM, JIT-compiled with MLIR's ExecutionEngine."""
from .backend import CPUBackend

__all__ = ["CPUBackend"]
