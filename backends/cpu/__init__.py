"""The CPU backend: linalg -> LLVM, compiled into a shared library (opt, llc, cc) and loaded with ctypes."""
from .backend import CPUBackend

__all__ = ["CPUBackend"]
