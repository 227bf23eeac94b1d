"""`DeviceBuffer`: a tensor in device memory, handed over without copies through DLPack.

The memory is a PyTorch tensor's (CUDA where a GPU is present, CPU under Triton's
interpreter): any DLPack producer (a torch or CuPy CUDA tensor, a JAX array) becomes a
DeviceBuffer without a copy, and a DeviceBuffer goes to any DLPack consumer the same way.
`numpy()` copies back to the host.

Example:
    >>> buf = DeviceBuffer.from_numpy(np.ones((2, 3), np.float32))
    >>> out = program.run_device([buf])           # device in, device out
    >>> torch.from_dlpack(out[0])                 # zero-copy hand-off
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import EmberError


def as_torch(obj):
    """A torch tensor viewing `obj` (a DeviceBuffer, a torch tensor or a DLPack producer)."""
    import torch

    if isinstance(obj, DeviceBuffer):
        return obj.tensor
    if isinstance(obj, torch.Tensor):
        return obj
    if hasattr(obj, "__dlpack__"):
        return torch.from_dlpack(obj)
    raise EmberError(f"expected a NumPy array, a DeviceBuffer or a DLPack producer, received "
                     f"{type(obj).__name__}")


class DeviceBuffer:
    """One tensor in device memory (shape, dtype, and the torch tensor that owns it)."""

    def __init__(self, tensor):
        import torch

        if not isinstance(tensor, torch.Tensor):
            raise EmberError(f"DeviceBuffer wraps a torch tensor, received {type(tensor).__name__}")
        self.tensor = tensor

    @classmethod
    def from_numpy(cls, array) -> "DeviceBuffer":
        from .runtime import to_device

        return cls(to_device(np.asarray(array)).clone())

    @classmethod
    def from_dlpack(cls, obj) -> "DeviceBuffer":
        """Wraps any DLPack producer without copying."""
        return cls(as_torch(obj))

    @property
    def shape(self) -> tuple:
        return tuple(self.tensor.shape)

    @property
    def dtype(self):
        return self.tensor.dtype

    def numpy(self) -> np.ndarray:
        """A host copy."""
        return self.tensor.detach().cpu().numpy().copy()

    def __dlpack__(self, *args, **kwargs):
        return self.tensor.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.tensor.__dlpack_device__()

    def __repr__(self) -> str:
        return f"DeviceBuffer(shape={self.shape}, dtype={self.dtype}, device={self.tensor.device})"
