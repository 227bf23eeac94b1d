"""CPU backend: stages `linalg` and `llvm` after the common front stages, then a shared
library (LLVM `opt` and `llc`, `cc -shared`, see toolchain.py) loaded with ctypes and called
through a C extension (`_call.c`: about 0.6 us a call, against 3 us through ctypes).

The library is also what the disk compile cache keeps (`load` opens a cached one), so code
compiled in this process and code found in the cache are the same kind of thing.
"""
from __future__ import annotations

import atexit
import ctypes
import functools
import itertools
import shutil
import sys
import tempfile
import threading

import numpy as np

from ...frontend.errors import EmberError
from ...passes.drop_empty_tensors import nonempty_positions
from ...passes.pipeline import FRONT_STAGES, Stage
from ...passes.tile_matmul import target_vector_bytes
from . import _call, toolchain

OPT_LEVEL = 3

STAGES = FRONT_STAGES + (
    Stage("linalg", ("ember-to-linalg", "canonicalize", "cse"),
          "linalg, tensor, arith and math on tensors; one linalg.generic per fused group"),
    Stage("llvm", ("ember-drop-empty-tensors", "ember-distinct-results",
                   "ember-widen-bools", "ember-own-fills", "ember-unroll-windows", "ember-tile-rows", "ember-parallelize",
                   "ember-fuse-epilogues", "ember-vectorize-copies", "ember-pack-matmul", "ember-pack-conv",
                   "ember-tile-conv", "ember-tile-matmul", "ember-vectorize-elementwise",
                   "ember-bufferize", "ember-strided-copies", "ember-expand-math",
                   "ember-to-openmp", "ember-balance-threads", "ember-lower-cpu"),
          "bools as bytes, matmuls and convolutions packed, tiled and vectorized, bufferized, "
          "f32 transcendentals as polynomials, in the LLVM dialect"),
)


_build_lock = threading.Lock()
_build_dir: str | None = None
_build_ids = itertools.count()


def _new_library_path(symbol: str) -> str:
    """A fresh path in this process's build folder (removed at exit). NOTE: never reused in
    the process: the dynamic loader would hand back the library first loaded under a name."""
    global _build_dir
    with _build_lock:
        if _build_dir is None:
            _build_dir = tempfile.mkdtemp(prefix="ember-build-")
            atexit.register(shutil.rmtree, _build_dir, True)
        return f"{_build_dir}/{symbol}-{next(_build_ids)}.so"


@functools.cache
def array_data_offset() -> int:
    """Where a NumPy array object keeps its data pointer (16 on 64-bit CPython: after the
    object header), found by looking, so that another Python build cannot be misread."""
    probes = [np.empty(n, np.uint8) for n in (1, 5, 3)]
    for offset in range(0, np.ndarray.__basicsize__ - ctypes.sizeof(ctypes.c_void_p) + 1, 8):
        if all(ctypes.c_void_p.from_address(id(p) + offset).value == p.ctypes.data for p in probes):
            return offset
    raise EmberError("the data pointer of NumPy arrays was not found in their objects with this "
                     f"Python ({sys.version.split()[0]}) and NumPy ({np.__version__}); the CPU "
                     "backend cannot pass arrays to compiled code")


class CPUBackend:
    name = "cpu"
    artifact_suffix = ".so"

    def __init__(self):
        from ...runtime.allocator import keep_heap

        keep_heap()   # NOTE: per-step page faults otherwise cost more than the kernels

    def is_available(self) -> bool:
        return True

    def stages(self):
        return STAGES

    def options_key(self) -> tuple:
        from ...runtime.config import get_threads

        # NOTE: the schedules' register tiles and vector lengths follow the target vector
        # width (em.config.set_vector_width, else the host's)
        return ("opt_level", OPT_LEVEL, "opt", toolchain.OPT_FLAGS, "llc", toolchain.LLC_FLAGS,
                "threads", get_threads(), "vector_bytes", target_vector_bytes())

    def compile(self, module, symbol: str, in_avals, out_avals) -> "CPUExecutable":
        """`module` is at the `llvm` stage; `symbol` names the function to call. The
        executable's `artifact` is the shared library it runs (what the disk cache keeps)."""
        path = _new_library_path(symbol)
        toolchain.build_shared_library(module, symbol, path, OPT_LEVEL)
        return self.load(path, symbol, in_avals, out_avals)

    def load(self, path: str, symbol: str, in_avals, out_avals) -> "CPUExecutable":
        """The executable of a shared library built by `compile` (e.g. from the disk cache)."""
        from ...runtime import openmp
        from ...runtime.config import get_threads

        if get_threads() > 1:
            openmp.load()   # NOTE: RTLD_GLOBAL, so the library's __kmpc_* calls resolve to it
        return CPUExecutable(path, symbol, in_avals, out_avals)


class CPUExecutable:
    """Calls the compiled function: inputs are passed by pointer (no copy), outputs are
    NumPy arrays allocated here and written by the compiled code."""

    def __init__(self, path: str, symbol: str, in_avals, out_avals):
        self.artifact = path
        self.symbol = symbol
        self.in_avals, self.out_avals = in_avals, out_avals
        try:
            self._library = ctypes.CDLL(path)   # NOTE: RTLD_NOW: a missing symbol fails here
            entry = self._library[toolchain.packed_name(symbol)]
        except (OSError, AttributeError) as err:
            raise EmberError(f"loading the compiled '{symbol}' from {path} failed: {err}") from None
        self._entry = ctypes.cast(entry, ctypes.c_void_p).value
        self._offset = array_data_offset()
        # NOTE: C-contiguous strides in the spec: one comparison checks shape, dtype and
        # layout; an array that differs in any (or is not exactly an ndarray) is converted
        # by `_conform` first.
        self._in_specs = tuple((a.shape, a.dtype.numpy, np.empty(a.shape, a.dtype.numpy).strides)
                               for a in in_avals)
        self._out_specs = tuple((a.shape, a.dtype.numpy) for a in out_avals)
        # NOTE: empty arrays are not passed (ember-drop-empty-tensors removed them).
        self._inputs = tuple(nonempty_positions(in_avals))
        self._outputs = tuple(nonempty_positions(out_avals))

    def __call__(self, arrays) -> list:
        """Runs on `arrays` (NumPy arrays of the signature's shapes and dtypes); returns the
        outputs, new arrays. NOTE: the compiled code reads each array's data pointer from its
        object (`_call.c` passes the objects and holds them through the call)."""
        outs = _call.call(self._entry, self._offset, self._in_specs, self._out_specs,
                          self._inputs, self._outputs, arrays)
        if outs is None:
            outs = _call.call(self._entry, self._offset, self._in_specs, self._out_specs,
                              self._inputs, self._outputs, self._conform(arrays))
            if outs is None:   # NOTE: _conform's arrays always match; never run blind
                raise EmberError(f"'{self.symbol}': converted arguments still do not match "
                                 f"the signature {[str(a) for a in self.in_avals]}")
        return outs

    def _conform(self, arrays) -> list:
        """`arrays` as exactly C-contiguous NumPy arrays (subclasses, other array types and
        other layouts converted), or an error naming the first that does not match the
        signature."""
        if len(arrays) != len(self.in_avals):
            raise EmberError(f"'{self.symbol}' takes {len(self.in_avals)} arrays, received {len(arrays)}")
        arrays = [a if type(a) is np.ndarray else np.asarray(a) for a in arrays]
        for i, (array, aval) in enumerate(zip(arrays, self.in_avals)):
            if array.shape != aval.shape or array.dtype != aval.dtype.numpy:
                raise EmberError(f"'{self.symbol}' argument {i}: expected {aval}, received "
                                 f"{array.dtype}{list(array.shape)}")
        # NOTE: a copy has the standard strides of its shape (a contiguous array may not)
        return [a if a.strides == spec[2] else a.copy(order="C")
                for a, spec in zip(arrays, self._in_specs)]
