"""Helpers of the triton tests: the skip marker, running under the triton backend, and
the generated program of a function."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from ember.backends.triton.backend import importable

requires_triton = pytest.mark.skipif(
    not importable(), reason="triton and torch are not installed (pip install 'ember[gpu]')")
pytestmark = [pytest.mark.triton, requires_triton]

TOLERANCES = {"float16": dict(rtol=2e-3, atol=2e-3), "float32": dict(rtol=2e-5, atol=2e-6),
              "float64": dict(rtol=1e-12, atol=1e-13)}


def program_text(fn, *args) -> str:
    """The `triton` stage of `fn` (an em.function on the triton backend) for `args`."""
    return fn.lower(*args).as_text("triton")


def assert_close(actual, expected, what: str = "") -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        np.testing.assert_allclose(actual, expected, err_msg=what, **TOLERANCES[expected.dtype.name])


def both(fn, *args):
    """(triton result, cpu result) of `fn` compiled on each backend."""
    gpu = em.function(fn, backend="triton")(*args)
    cpu = em.function(fn, backend="cpu")(*args)
    return gpu, cpu


def kernel_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("def ") and not line.startswith(("def call", "def combine_")))
