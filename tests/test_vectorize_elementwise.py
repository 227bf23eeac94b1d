"""`ember-vectorize-elementwise`: compiled elementwise work and sums over leading axes against
NumPy on shapes that are not multiples of the vector width (primes, 1, 3-D, broadcasts in
any dim), for floats, ints and bools; that the pass took them (no linalg.generic is left
for LLVM); and what it leaves alone."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import TOLERANCES, rng_for
from ember.backends.cpu.backend import STAGES
from ember.passes import run_passes
from ember.runtime.lowered import parse

LLVM_STAGE = next(stage for stage in STAGES if stage.name == "llvm").passes
BEFORE_LOWERING = LLVM_STAGE[:LLVM_STAGE.index("ember-bufferize")]


def _leaky(x):
    return em.where(x > 0, x, x * 0.125)


# name: (ember function, NumPy reference, (shape of x) -> shapes of the other inputs, dtype)
CASES = {
    "bias_relu": (lambda x, b: em.nn.relu(x + b), lambda x, b: np.maximum(x + b, 0),
                  lambda s: [s[-1:]], "float32"),
    "column_sums": (lambda x: em.reduce_sum(x, 0), lambda x: x.sum(0), lambda s: [], "float32"),
    "column_max": (lambda x: em.reduce_max(x, 0), lambda x: x.max(0), lambda s: [], "float64"),
    "row_broadcast": (lambda x, r: x * r - 1.5, lambda x, r: x * r - 1.5,
                      lambda s: [s[:-1] + (1,)], "float32"),
    "leaky": (_leaky, lambda x: np.where(x > 0, x, x * 0.125), lambda s: [], "float64"),
    "int_affine": (lambda x, y: x * 3 + y, lambda x, y: x * 3 + y, lambda s: [s], "int32"),
    "compare": (lambda x, y: x > y, lambda x, y: x > y, lambda s: [s], "float32"),
    "cast": (lambda x: em.cast(x, "float64") * 2.0, lambda x: x.astype(np.float64) * 2.0,
             lambda s: [], "float32"),
}

SHAPES = [(1, 1), (7, 1), (5, 3), (3, 17), (37, 19), (13, 64), (2, 3, 33), (1, 129)]


def _inputs(name, shape):
    _, _, others, dtype = CASES[name]
    rng = rng_for("vectorize_elementwise", name, shape)
    shapes = [shape] + others(shape)
    if dtype == "int32":
        return [rng.integers(-50, 50, s).astype(np.int32) for s in shapes]
    return [rng.uniform(-3, 3, s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", list(CASES))
def test_compiled_elementwise_matches_numpy(name, shape):
    _check(name, shape)


@pytest.mark.parametrize("name", list(CASES))
def test_schedules_hold_for_every_vector_width(name, vector_width):
    _check(name, (37, 19))


def _check(name, shape):
    fn, reference, _, _ = CASES[name]
    args = _inputs(name, shape)
    got = em.function(fn)(*args).numpy()
    want = np.asarray(reference(*args))
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind in "fc":
        # NOTE: sums over rows add in row order, as NumPy's do over axis 0.
        tol = TOLERANCES[want.dtype.name]
        np.testing.assert_allclose(got, want, rtol=tol["rtol"] * shape[0], atol=tol["atol"] * shape[0])
    else:
        np.testing.assert_array_equal(got, want)


def _before_lowering(fn, *args) -> str:
    module = parse(em.function(fn).lower(*args).as_text("linalg"))
    with module.context:
        run_passes(module, BEFORE_LOWERING)
    return str(module)


@pytest.mark.parametrize("name", list(CASES))
def test_no_generic_is_left_to_llvm(name):
    fn = CASES[name][0]
    text = _before_lowering(fn, *_inputs(name, (37, 19)))
    assert "linalg.generic" not in text, text
    assert "llvm.loop_annotation" in text


@pytest.mark.parametrize("shape,perm", [((9, 21), (1, 0)), ((128, 512), (1, 0)), ((1, 17), (1, 0)),
                                        ((3, 20, 33), (0, 2, 1)), ((5, 7, 40), (2, 0, 1)),
                                        ((4, 6, 5, 3), (3, 1, 2, 0))],
                         ids=lambda v: "x".join(map(str, v)))
def test_transposes_match_numpy(shape, perm):
    """Transposes (and an elementwise op reading one) in square vector tiles."""
    x = rng_for("vectorize_elementwise", "transpose", shape).standard_normal(shape).astype(np.float32)
    y = np.ascontiguousarray(np.transpose(x, perm)) * 0.5
    got = em.function(lambda x, y: em.transpose(x, perm) + y)(x, y)
    np.testing.assert_array_equal(got.numpy(), np.transpose(x, perm) + y)
    assert "linalg.generic" not in _before_lowering(lambda x: em.transpose(x, perm), x)


def test_llvm_is_told_not_to_unroll_the_vector_loops():
    """The hint reaches LLVM IR as loop metadata: `convert-scf-to-cf` carries the loop's
    `loop_annotation` to its back edge, where it is the `llvm.br`'s own attribute."""
    from mlir.dialects import llvm

    x, b = _inputs("bias_relu", (37, 19))
    module = parse(em.function(CASES["bias_relu"][0]).lower(x, b).as_text("llvm"))
    with module.context:
        text = llvm.translate_module_to_llvmir(module.operation)
    assert "llvm.loop.unroll.disable" in text
