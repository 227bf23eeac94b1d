"""Running a generated program: the device, buffers, host fallbacks and the executable.

Device memory is PyTorch's: a CUDA tensor per buffer where a GPU is present (its caching
allocator, streams and DLPack support are what Triton launches against), CPU tensors
under Triton's interpreter (`TRITON_INTERPRET=1`), where "the device" is host memory.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import warnings
import weakref

import numpy as np

from ...dialects.primitive import REGISTRY
from ...frontend import dtypes
from ...frontend.errors import EmberError

_program_dir = None


def interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def device():
    """The torch device that holds ember's GPU tensors: cuda, or cpu under the interpreter."""
    import torch

    if torch.cuda.is_available() and not interpreting():
        return torch.device("cuda")
    return torch.device("cpu")


def empty(shape, dtype):
    import torch

    return torch.empty(shape, dtype=dtype, device=device())


def to_device(array: np.ndarray):
    """A host array on the device: copied to a GPU; shared (no copy) under the interpreter."""
    import torch

    array = np.asarray(array, order="C")
    with warnings.catch_warnings():
        # NOTE: kernels never write their inputs, so a read-only array is shared as it is.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.from_numpy(array)
    target = device()
    return tensor if target.type == "cpu" else tensor.to(target, non_blocking=False)


def to_host(tensor) -> np.ndarray:
    return tensor.detach().contiguous().cpu().numpy()


def host_fallback(name: str, inputs, **attrs):
    """Runs primitive `name`'s NumPy kernel on host copies of `inputs`; the result goes back
    to the device. The triton stage names every op that takes this path."""
    prim = REGISTRY[name]
    for key, spec in prim.attrs.items():
        if spec.kind == "dtype" and isinstance(attrs.get(key), str):
            attrs[key] = dtypes.as_dtype(attrs[key])
    out = prim.eager_rule(*[to_host(t) for t in inputs], **attrs)
    return to_device(np.ascontiguousarray(out))


def load_source(text: str, name: str):
    """Imports generated source as a module from a file (Triton reads kernels' source)."""
    global _program_dir
    if _program_dir is None:
        _program_dir = tempfile.TemporaryDirectory(prefix="ember-triton-")
    path = os.path.join(_program_dir.name, f"{name}.py")
    with open(path, "w") as f:
        f.write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module     # NOTE: Triton looks kernels' globals up through the module
    spec.loader.exec_module(module)
    return module


class TritonExecutable:
    """Calls a generated program. NumPy arrays in and out (the `Executable` protocol), or
    device tensors in and out with `run_device` (no host copies).

    Host inputs are copied to the device once per call, except read-only arrays (variables'
    values, constants, results of earlier calls), which stay resident: their device copy is
    kept, keyed by the array, for as long as the array lives."""

    def __init__(self, program, module, symbol, in_avals, out_avals):
        self.program, self.module, self.symbol = program, module, symbol
        self.in_avals, self.out_avals = in_avals, out_avals
        self.consts = [to_device(v.const) for v in program.plan.graph.constants]
        self._resident: dict = {}

    def _upload(self, array):
        if not isinstance(array, np.ndarray):         # a device tensor or DLPack producer
            from .buffer import as_torch

            return as_torch(array)
        if array.flags.writeable or device().type == "cpu":
            return to_device(array)
        hit = self._resident.get(id(array))
        if hit is not None and hit[0]() is array:
            return hit[1]
        tensor = to_device(array)
        self._remember(array, tensor)
        return tensor

    def _remember(self, array, tensor):
        key = id(array)
        self._resident[key] = (weakref.ref(array, lambda _: self._resident.pop(key, None)), tensor)

    def run_device(self, tensors) -> list:
        """Device tensors in, device tensors out: nothing is copied to or from the host.
        Results are fresh contiguous buffers (an input or constant returned as it is, or a
        view of one, is copied)."""
        from .buffer import as_torch

        tensors = [as_torch(t) for t in tensors]
        shared = {t.untyped_storage().data_ptr() for t in tensors + self.consts}
        outs = []
        for t in self.module.call(tensors, self.consts):
            if t.untyped_storage().data_ptr() in shared:
                t = t.clone(memory_format=torch_contiguous())
            outs.append(t if t.is_contiguous() else t.contiguous())
        return outs

    def __call__(self, arrays):
        if len(arrays) != len(self.in_avals):
            raise EmberError(f"'{self.symbol}' takes {len(self.in_avals)} arrays, received {len(arrays)}")
        for i, (array, aval) in enumerate(zip(arrays, self.in_avals)):
            if tuple(array.shape) != aval.shape or _dtype_name(array) != aval.dtype.name:
                raise EmberError(f"'{self.symbol}' argument {i}: expected {aval}, received "
                                 f"{_dtype_name(array)}{list(array.shape)}")
        outs = self.run_device([self._upload(a) for a in arrays])
        results = []
        for t in outs:
            host = to_host(t)
            if device().type != "cpu":
                host.flags.writeable = False
                self._remember(host, t)   # a variable's new value stays on the device
            results.append(host)
        return results


def torch_contiguous():
    import torch

    return torch.contiguous_format


def _dtype_name(array) -> str:
    if isinstance(array, np.ndarray):
        return dtypes.as_dtype(array.dtype).name
    return str(array.dtype).replace("torch.", "")
