"""Shared helpers of the pytest suite: inputs per dtype and domain, tolerances, compiling.

Helpers are plain functions (`from conftest import run_compiled`): pytest puts tests/ on
sys.path because tests/ has no __init__.py.
"""
from __future__ import annotations

import contextlib
import zlib

import numpy as np
import pytest

import ember as em

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
NUMERIC = FLOATS + INTS
BOOLS = ("bool",)
ALL = NUMERIC + BOOLS

# NOTE: the compiled code computes +, -, *, /, sqrt, floor, ... with the same IEEE operations
# as NumPy, so those ops are compared bit for bit ("exact" rows). Transcendentals are not
# correctly rounded anywhere: NumPy's SIMD kernels and libm differ by 1-3 ulp, ember's f32
# polynomial exp/tanh/erf (passes/expand_math.py) by up to 8 ulp (abs. error < 5e-7), and
# reductions/matmul sum in a different order. rtol 1e-5 (f32, ~80 ulp) and 1e-12 (f64) are
# well above those differences and far below what a wrong formula or a wrong element gives;
# atol covers results near 0 (sin near pi, erf near 0) where a relative bound is meaningless.
TOLERANCES = {
    "float16": dict(rtol=2e-3, atol=2e-3),
    "float32": dict(rtol=1e-5, atol=1e-6),
    "float64": dict(rtol=1e-12, atol=1e-13),
}


def rng_for(*key) -> np.random.Generator:
    """A generator seeded from `key` (e.g. the test's id), so every run sees the same inputs."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def random_input(rng, shape, dtype, domain: str = "any") -> np.ndarray:
    """An array of `shape` and `dtype` with values from `domain`:

    any: floats in [-3, 3], ints in [-10, 10], random bools;
    positive: floats in [0.1, 3], ints in [1, 10];
    nonzero: floats with |x| in [0.5, 3], ints in [-10, 10] without 0;
    coarse: integers in [-3, 3] (as floats for float dtypes), so that ties and equal
            elements occur (comparisons, maximum/minimum);
    small: floats in [-1, 1], ints in [-3, 3] (sums and products stay small).
    """
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if domain == "coarse":
        return rng.integers(-3, 4, shape).astype(dtype)
    if dtype.kind == "f":
        lo, hi = {"any": (-3, 3), "positive": (0.1, 3), "nonzero": (0.5, 3), "small": (-1, 1)}[domain]
        x = rng.uniform(lo, hi, shape)
        if domain == "nonzero":
            x = x * rng.choice([-1, 1], shape)
        return np.asarray(x, dtype=dtype)
    lo, hi = {"any": (-10, 10), "positive": (1, 10), "nonzero": (1, 10), "small": (-3, 3)}[domain]
    x = rng.integers(lo, hi + 1, shape)
    if domain == "nonzero":
        x = x * rng.choice([-1, 1], shape)
    return np.asarray(x, dtype=dtype)


def assert_same(actual, expected, *, exact: bool, what: str = "") -> None:
    """`actual` has the dtype and shape of `expected`, and equal values (bit for bit when
    `exact` or for integer/bool dtypes, else within the dtype's tolerance)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if exact or expected.dtype.kind not in "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        np.testing.assert_allclose(actual, expected, err_msg=what, **TOLERANCES[expected.dtype.name])


def run_compiled(fn, *args, **kwargs):
    """`fn` wrapped with em.function and called (traced, compiled, run)."""
    return em.function(fn)(*args, **kwargs)


def to_numpy(value):
    """NumPy arrays of a (nested tuple/list of) tensors."""
    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(v) for v in value)
    return value.numpy() if isinstance(value, em.Tensor) else np.asarray(value)


@pytest.fixture(scope="session", autouse=True)
def _compile_cache_in_a_temporary_folder(tmp_path_factory):
    """The suite's disk compile cache is a fresh folder (never the user's ~/.cache/ember),
    for this process and the child processes tests start."""
    import os

    from ember.runtime import config

    folder = str(tmp_path_factory.mktemp("ember-cache"))
    saved_setting, saved_env = config._cache_dir, os.environ.get(config.CACHE_DIR_ENV)
    config.set_cache_dir(folder)
    os.environ[config.CACHE_DIR_ENV] = folder
    yield folder
    config._cache_dir = saved_setting
    if saved_env is None:
        os.environ.pop(config.CACHE_DIR_ENV, None)
    else:
        os.environ[config.CACHE_DIR_ENV] = saved_env


@pytest.fixture
def rng(request) -> np.random.Generator:
    """A generator seeded by the test's node id."""
    return rng_for(request.node.nodeid)


@contextlib.contextmanager
def using_threads(n: int):
    """Compiles and runs on `n` threads inside the block (em.config), as before after it."""
    from ember.runtime import config, openmp

    saved = config._threads
    em.config.set_threads(n)
    try:
        yield n
    finally:
        config._threads = saved
        openmp.set_num_threads(em.config.get_threads())


@pytest.fixture(params=[128, 256, 512], ids=lambda bits: f"vector{bits}")
def vector_width(request) -> int:
    """Sizes the CPU schedules for vectors of this many bits (SSE2, AVX2, AVX-512) whatever
    this host has: a schedule must hold for every width, not only for the machine that runs
    the suite. LLVM still compiles for this machine (it splits vectors wider than its own)."""
    from ember.runtime import config

    saved = config._vector_width
    em.config.set_vector_width(request.param)
    try:
        yield request.param
    finally:
        config._vector_width = saved
