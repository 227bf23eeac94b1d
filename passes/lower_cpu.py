"""`ember-bufferize`, `ember-to-openmp` and `ember-lower-cpu`: linalg on tensors to the LLVM
dialect, for the CPU backend.

`ember-bufferize` bufferizes whole functions (identity layouts at the boundary), turns
results into caller-allocated out-parameters (so NumPy arrays are written in place) and
frees intermediate buffers. `ember-lower-cpu` then turns the `scf.forall` loops of
`ember-parallelize` into OpenMP parallel loops, and lowers loops, vectors (from the
schedules), math and memrefs to LLVM, with the bare-pointer calling convention for memrefs.
`ember-to-openmp` is that first step on its own, so that `ember-balance-threads` can choose
each OpenMP loop's schedule before the rest.
Between the two, passes may emit LLVM intrinsics, which bufferization's deallocation
rejects (unknown memory effects): `ember-expand-math` does.

NOTE: `convert-openmp-to-llvm` converts functions too (without the bare-pointer option),
so it runs after `convert-func-to-llvm`; memrefs reach LLVM before `convert-scf-to-cf`,
so the OpenMP regions are converted whole.
"""
from __future__ import annotations

from .registry import register_pass

CPU_BUFFERIZATION = ",".join([
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}",
    # NOTE: a tiled loop's insert_slice bufferizes to a copy between two equal subviews; cse
    # makes them one value and canonicalize drops the self-copy. It also folds
    # collapse_shape(expand_shape(alloc)) (a packed matmul's result) to the alloc, so that the
    # next pass writes it straight into the caller's array.
    "cse",
    "canonicalize",
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions}",
    "func.func(buffer-hoisting)",
    "buffer-deallocation-pipeline",
])

CPU_OPENMP = "scf-forall-to-parallel,convert-scf-to-openmp"

CPU_LOWERING = ",".join([
    "convert-linalg-to-loops",
    "convert-vector-to-scf{full-unroll}",
    # NOTE: the CPU backend's llvm stage runs these two first (`ember-to-openmp`, then
    # `ember-balance-threads` chooses each OpenMP loop's schedule); here they convert what
    # is left (for `ember-opt --ember-lower-cpu` on its own, say).
    CPU_OPENMP,
    "convert-math-to-llvm",
    "convert-math-to-libm",
    "expand-strided-metadata",
    "lower-affine",
    "convert-vector-to-llvm",
    "finalize-memref-to-llvm",
    "convert-scf-to-cf",
    "convert-arith-to-llvm",
    "convert-cf-to-llvm",
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv}",
    "convert-openmp-to-llvm",
    "convert-ub-to-llvm",
    "reconcile-unrealized-casts",
])

register_pass("ember-bufferize", "Bufferize functions; results become caller-allocated out-parameters (CPU)",
              pipeline=CPU_BUFFERIZATION)
register_pass("ember-to-openmp", "Turn the scf.forall loops into OpenMP parallel loops (CPU)",
              pipeline=CPU_OPENMP)
register_pass("ember-lower-cpu", "Lower bufferized loops, vectors, math and memrefs to the LLVM dialect (CPU)",
              pipeline=CPU_LOWERING)
