"""The triton backend: fused ember programs as generated Triton kernels (GPU, or Triton's
interpreter on the CPU). Needs the `gpu` extra: `pip install ember[gpu]`."""
from .backend import TritonBackend

__all__ = ["TritonBackend"]
