"""`ember-unroll-windows`: pooling and its gradients with their window loops unrolled give
the same bits as with the loops (taps combined in the loops' order), on odd shapes, windows
that overlap and padded ones, at 1 and 2 threads; windows above MAX_TAPS keep their loops."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import rng_for, using_threads
from ember.backends.cpu.backend import STAGES
from ember.dialects.ops import pooling as pool_ops
from ember.passes import run_passes, unroll_windows
from ember.runtime import cache
from ember.runtime.lowered import parse

MAX_TAPS = unroll_windows.MAX_TAPS
WINDOWS = [  # (x shape, ksize, strides, padding)
    ((3, 13, 11, 5), (2, 2), (2, 2), "valid"),
    ((2, 9, 10, 3), (3, 3), (2, 2), "same"),       # overlapping, padded
    ((1, 7, 7, 17), (3, 2), (1, 1), "same"),       # stride 1: keeps its loops (_bounds_hold)
]


def _pools(x, g, ksize, strides, padding):
    grad = em.GradientTape
    with grad() as tape:
        tape.watch(x)
        y = em.nn.max_pool2d(x, ksize, strides, padding)
        loss = em.reduce_sum(y * g)
    avg = em.nn.avg_pool2d(x, ksize, strides, padding)
    with grad() as tape2:
        tape2.watch(x)
        a = em.reduce_sum(em.nn.avg_pool2d(x, ksize, strides, padding) * g)
    return y, tape.gradient(loss, x), avg, tape2.gradient(a, x)


def _run(case, taps, monkeypatch):
    xs, ksize, strides, padding = case
    rng = rng_for("unroll_windows", xs)
    x = rng.standard_normal(xs).astype(np.float32)
    x[0, 0, :2] = x[0, 0, 2:4]   # ties: the gradient goes to the first maximum
    shape = em.nn.max_pool2d(x, ksize, strides, padding).shape
    g = rng.standard_normal(shape).astype(np.float32)
    monkeypatch.setattr(unroll_windows, "MAX_TAPS", taps)
    cache.clear()
    fn = em.function(lambda x, g: _pools(x, g, ksize, strides, padding))
    return [r.numpy() for r in fn(x, g)], fn.lower(x, g).as_text("linalg")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", WINDOWS, ids=lambda c: "x".join(map(str, c[1])) + c[3])
def test_unrolled_windows_give_the_same_bits(case, threads, monkeypatch):
    with using_threads(threads):
        looped, _ = _run(case, 0, monkeypatch)
        unrolled, linalg_text = _run(case, MAX_TAPS, monkeypatch)
    for a, b in zip(looped, unrolled):
        np.testing.assert_array_equal(a, b)
    passes = list(STAGES[-1].passes)
    module = parse(linalg_text)
    with module.context:
        run_passes(module, passes[:passes.index("ember-unroll-windows") + 1])
    # NOTE: every window generic unrolled, but those of stride 1
    assert (pool_ops.WINDOW in str(module)) == (case[2] == (1, 1))


def test_big_windows_keep_their_loops():
    x = np.ones((1, 9, 9, 2), np.float32)
    text = em.function(lambda x: em.nn.max_pool2d(x, 5, 1)).lower(x).as_text("linalg")
    passes = list(STAGES[-1].passes)
    module = parse(text)
    with module.context:
        run_passes(module, passes[:passes.index("ember-unroll-windows") + 1])
    assert pool_ops.WINDOW in str(module)
    np.testing.assert_array_equal(em.function(lambda x: em.nn.max_pool2d(x, 5, 1))(x).numpy(),
                                  np.ones((1, 5, 5, 2), np.float32))
