"""`ember-strided-copies`: which memref types are contiguous, and compiled functions whose
bufferized copies were strided call no function of MLIR's runtime library (and are right)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
from conftest import TOLERANCES, rng_for
from ember.backends.cpu.backend import STAGES
from ember.passes import run_passes
from ember.passes.strided_copies import contiguous
from ember.runtime.lowered import parse


@pytest.mark.parametrize("text, want", [
    ("memref<16x10xf32>", True),
    ("memref<1x10xf32, strided<[10, 1], offset: 20>>", True),      # one row of a matrix
    ("memref<1x10xf32, strided<[7, 1]>>", True),                   # a unit dim: any stride
    ("memref<8x8xf32, strided<[10, 1]>>", False),                  # a tile of a 10-column row
    ("memref<16x1xf32, strided<[10, 1]>>", False),                 # a column
    ("memref<4xf32, strided<[2]>>", False),
    ("memref<4x8xf32, strided<[?, 1]>>", False),                   # unknown strides
    ("memref<?x8xf32>", False),
])
def test_contiguous(text, want):
    from mlir import ir

    with ir.Context():
        assert contiguous(ir.MemRefType(ir.Type.parse(text))) is want


def _softmax(g):
    return em.nn.softmax(g, axis=-1)


@pytest.mark.parametrize("vector_width", [256], indirect=True)
def test_strided_copies_become_loops_not_runtime_calls(vector_width):
    # NOTE: with 256-bit vectors, softmax over rows of 10 bufferizes with a copy of an 8x8
    # tile into rows of 10
    g = rng_for("strided_copies").standard_normal((128, 10)).astype(np.float32)
    passes = list(STAGES[-1].passes)
    module = parse(em.function(_softmax).lower(g).as_text("linalg"))
    with module.context:
        run_passes(module, passes[:passes.index("ember-strided-copies")])
    assert re.search(r"memref.copy .* to memref<\w+, strided<\[10, 1\]", str(module))
    llvm = em.function(_softmax).lower(g).as_text("llvm")
    assert "memrefCopy" not in llvm
    e = np.exp(g - g.max(-1, keepdims=True))
    np.testing.assert_allclose(em.function(_softmax)(g).numpy(), e / e.sum(-1, keepdims=True),
                               **TOLERANCES["float32"])
