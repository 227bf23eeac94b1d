"""`ember-tile-rows`: compiled row reductions (softmax, log_softmax, layernorm, cross-entropy,
sum/max/min/mean over the last axis) against NumPy for shapes that are not multiples of
the row tile or the vector width (primes, 1, rows of 1..7, 3-D), both keepdims, f32 and
f64; chains with several results and reductions over other axes; that the schedule ran
(the IR holds the row forall and vector reductions); and the parts of the schedule that do
not need a compiler."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
from conftest import TOLERANCES, rng_for, using_threads
from ember.passes import run_passes
from ember.passes.tile_rows import SHORT_ROWS_ONE_BY_ONE, row_parts, row_tile
from ember.runtime.lowered import parse


def _layernorm(x, g, b):
    m = em.reduce_mean(x, -1, keepdims=True)
    v = em.reduce_mean((x - m) ** 2, -1, keepdims=True)
    return (x - m) / em.sqrt(v + 1e-5) * g + b


def _np_layernorm(x, g, b):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-5) * g + b


def _np_log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _xent(logits, labels):
    return em.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)


def _np_xent(logits, labels):
    logp = _np_log_softmax(logits)
    return -np.take_along_axis(logp, labels[..., None].astype(np.int64), -1)[..., 0]


# name: (ember function, NumPy reference in float64, extra inputs (shape, rng) -> arrays)
CASES = {
    "softmax": (lambda x: em.nn.softmax(x, axis=-1),
                lambda x: np.exp(_np_log_softmax(x)), None),
    "log_softmax": (lambda x: em.nn.log_softmax(x, axis=-1), _np_log_softmax, None),
    "layernorm": (_layernorm, _np_layernorm,
                  lambda shape, rng, dtype: [rng.standard_normal(shape[-1:]).astype(dtype),
                                             rng.standard_normal(shape[-1:]).astype(dtype)]),
    "sum": (lambda x: em.reduce_sum(x, -1), lambda x: x.sum(-1), None),
    "max_keepdims": (lambda x: em.reduce_max(x, -1, keepdims=True),
                     lambda x: x.max(-1, keepdims=True), None),
    "min": (lambda x: em.reduce_min(x, -1), lambda x: x.min(-1), None),
    "mean_keepdims": (lambda x: em.reduce_mean(x, -1, keepdims=True),
                      lambda x: x.mean(-1, keepdims=True), None),
    "sum_of_squares": (lambda x: em.reduce_sum(x * x + 1.0, -1), lambda x: (x * x + 1.0).sum(-1), None),
    "cross_entropy": (_xent, _np_xent,
                      lambda shape, rng, dtype: [rng.integers(0, shape[-1], shape[:-1]).astype(np.int32)]),
}

SHAPES = [(1, 1), (7, 1), (5, 3), (3, 7), (37, 19), (97, 1023), (2, 3, 33)]


def _check(name, shape, dtype):
    fn, reference, extra = CASES[name]
    rng = rng_for("tile_rows", name, shape, dtype)
    x = rng.uniform(-3, 3, shape).astype(dtype)
    args = [x] + (extra(shape, rng, dtype) if extra else [])
    got = em.function(fn)(*args).numpy()
    want = np.asarray(reference(*[a.astype(np.float64) if a.dtype.kind == "f" else a for a in args]))
    assert got.shape == want.shape and got.dtype == np.dtype(dtype)
    # NOTE: the row's sum runs as vector-width partial sums; scale by the row length.
    tol, n = TOLERANCES[dtype], shape[-1]
    np.testing.assert_allclose(got, want, rtol=tol["rtol"] * np.sqrt(n) * 4, atol=tol["atol"] * n * 4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", list(CASES))
def test_compiled_row_reduction_matches_numpy(name, shape, dtype):
    _check(name, shape, dtype)


@pytest.mark.parametrize("shape", [(3, 7), (37, 19), (2, 3, 33)], ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", ["softmax", "layernorm", "sum", "max_keepdims", "cross_entropy"])
def test_row_schedules_hold_for_every_vector_width(name, shape, vector_width):
    _check(name, shape, "float32")


@pytest.fixture(params=[1, 2], ids=lambda t: f"{t}threads")
def threads(request):
    with using_threads(request.param) as n:
        yield n


@pytest.mark.parametrize("name", ["softmax", "layernorm", "cross_entropy"])
def test_rows_not_a_multiple_of_the_tile(name, threads):
    """One thread: the row tiles run as a loop; more: as an OpenMP loop."""
    _check(name, (4097, 1023), "float32")
    fn, _, extra = CASES[name]
    x = np.ones((4097, 1023), np.float32)
    args = [x] + (extra(x.shape, rng_for("tile_rows"), "float32") if extra else [])
    text = em.function(fn).lower(*args).as_text("llvm")
    assert ("omp.parallel" in text) == (threads > 1)


def test_nan_propagates_through_vector_max():
    x = np.random.default_rng(0).standard_normal((9, 70)).astype(np.float32)
    x[3, 65] = np.nan      # in the remainder after the whole vector steps
    x[5, 2] = np.nan       # in the vector steps
    got = em.function(lambda x: em.reduce_max(x, -1))(x).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(x.max(-1)))
    np.testing.assert_array_equal(got[~np.isnan(got)], x.max(-1)[~np.isnan(got)])


def test_chain_with_several_results():
    """Mean, variance and the normalized rows of one chain, all returned."""
    def stats(x):
        m = em.reduce_mean(x, -1, keepdims=True)
        v = em.reduce_mean((x - m) ** 2, -1, keepdims=True)
        return (x - m) / em.sqrt(v + 1e-5), em.reduce_max(x - m, -1), v

    x = rng_for("tile_rows", "stats").standard_normal((45, 131))
    y, mx, v = (t.numpy() for t in em.function(stats)(x))
    m = x.mean(-1, keepdims=True)
    want_v = ((x - m) ** 2).mean(-1, keepdims=True)
    np.testing.assert_allclose(y, (x - m) / np.sqrt(want_v + 1e-5), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(mx, (x - m).max(-1), rtol=1e-12)
    np.testing.assert_allclose(v, want_v, rtol=1e-9)


def test_reductions_over_the_last_two_axes():
    """Rows of two dims: the outer one is looped one at a time, the inner one vectorized."""
    x = rng_for("tile_rows", "two axes").uniform(-3, 3, (5, 6, 37)).astype(np.float32)

    def fn(x):
        centred = x - em.reduce_mean(x, (1, 2), keepdims=True)
        return em.reduce_sum(x, (1, 2)), em.reduce_max(centred, (1, 2)), centred

    got = [t.numpy() for t in em.function(fn)(x)]
    centred = x - x.mean((1, 2), keepdims=True)
    for g, w in zip(got, [x.sum((1, 2)), centred.max((1, 2)), centred]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_reductions_over_other_axes_stay_correct(dtype):
    """Column sums (bias gradients), a middle axis, and softmax over axis 0."""
    x = rng_for("tile_rows", "axes", dtype).uniform(-3, 3, (33, 7, 19)).astype(dtype)

    def fn(x):
        return (em.reduce_sum(x, 0), em.reduce_max(x, 1), em.nn.softmax(x, axis=0),
                em.reduce_sum(em.reduce_sum(x, -1), 0))

    got = [t.numpy() for t in em.function(fn)(x)]
    e = np.exp(x - x.max(0, keepdims=True))
    want = [x.sum(0), x.max(1), e / e.sum(0, keepdims=True), x.sum(-1).sum(0)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=TOLERANCES[dtype]["rtol"] * 40,
                                   atol=TOLERANCES[dtype]["atol"] * 40)


def _after_tile_rows(fn, *args) -> str:
    module = parse(em.function(fn).lower(*args).as_text("linalg"))
    with module.context:
        run_passes(module, ["ember-drop-empty-tensors", "ember-distinct-results",
                            "ember-widen-bools", "ember-tile-rows"])
    return str(module)


def test_softmax_is_one_forall_with_vector_reductions():
    text = _after_tile_rows(lambda x: em.nn.softmax(x, axis=-1), np.ones((64, 1000), np.float32))
    assert text.count("scf.forall (") == 1
    assert "linalg.generic" not in text and "linalg.fill" not in text
    assert "vector.reduction <maximumf>" in text and "vector.reduction <add>" in text
    # the partial sums: a 2-D vector accumulator carried by the loop over the row
    assert "iter_args" in text and "-> (vector<" in text
    assert "arith.divf" not in text.split("scf.forall")[1].split("vector.reduction <add>")[1]


def test_llvm_stage_holds_vector_reductions():
    text = em.function(_layernorm).lower(
        np.ones((16, 300), np.float32), np.ones(300, np.float32), np.ones(300, np.float32)).as_text("llvm")
    assert "llvm.intr.vector.reduce.fadd" in text


def test_lane_sums_may_reassociate_and_max_keeps_its_flags():
    text = _after_tile_rows(lambda x: em.nn.softmax(x, axis=-1), np.ones((64, 1000), np.float32))
    sums = [line for line in text.splitlines() if "vector.reduction <add>" in line]
    assert sums and all("fastmath<reassoc>" in line for line in sums)
    assert all("fastmath" not in line for line in text.splitlines()
               if "vector.reduction <maximumf>" in line)


@pytest.mark.parametrize("rows", [128, SHORT_ROWS_ONE_BY_ONE, SHORT_ROWS_ONE_BY_ONE + 8])
def test_rows_narrower_than_a_vector_take_one_row_a_tile_when_few(rows):
    """A cross-entropy's 10 classes: a tile of one row is a 1-D vector of 10; beyond
    SHORT_ROWS_ONE_BY_ONE rows, R rows a tile (R x 10 vectors)."""
    text = _after_tile_rows(lambda x: em.nn.log_softmax(x, axis=-1), np.ones((rows, 10), np.float32))
    tiles = set(re.findall(r"vector<(\d+)x10xf32>", text))
    assert tiles == set() if rows <= SHORT_ROWS_ONE_BY_ONE else tiles == {"8"}
    assert "vector<10xf32>" in text


def test_column_sums_are_left_alone():
    text = _after_tile_rows(lambda x: em.reduce_sum(x, 0), np.ones((64, 100), np.float32))
    assert "scf.forall" not in text and "linalg.generic" in text


@pytest.mark.parametrize("rows, row_bytes, want", [(4096, 4096, 4), (4097, 4096, 1), (37, 76, 1),
                                                   (64, 400, 8), (1, 4, 1), (100, 1 << 20, 1)])
def test_row_tile_divides_the_rows_and_fits_the_budget(rows, row_bytes, want):
    r = row_tile(rows, row_bytes)
    assert r == want and rows % r == 0


@pytest.mark.parametrize("size, lanes, step", [(1, 16, 64), (7, 16, 16), (100, 16, 16),
                                               (1023, 16, 64), (1024, 8, 32), (79, 16, 64)])
def test_row_parts_cover_the_row(size, lanes, step):
    parts = row_parts(size, lanes, step)
    assert sum(extent for extent, _ in parts) == size
    for extent, tile in parts:
        assert extent > 0 and (tile == 0 and extent < lanes or tile and extent % tile == 0)
