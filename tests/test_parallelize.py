"""`ember-parallelize`: big ops split into one `scf.forall` chunk per thread, lowered to
OpenMP. Compiled results against NumPy at 2 and 3 threads on shapes the thread count does
not divide (primes, remainders), and the choice of loop (pure functions, no compiler)."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import rng_for, using_threads
from ember.passes.parallelize import MIN_INNER, MIN_PIECE, SPLIT, choose_dim, pieces
from ember.runtime import openmp


@pytest.fixture(params=[2, 3], ids=lambda t: f"{t}threads")
def threads(request):
    with using_threads(request.param) as n:
        yield n


def _lower_llvm(fn, *args):
    return em.function(fn).lower(*args).as_text("llvm")


CASES = {
    # name: (fn, input shapes)
    "matmul_prime_rows": (lambda x, y: x @ y, [(257, 129), (129, 67)]),
    "matmul_batched": (lambda x, y: x @ y, [(3, 65, 70), (70, 130)]),
    "elementwise_1d": (lambda x: em.tanh(x) * 2.0 + x, [(100_003,)]),
    "broadcast_bias_relu": (lambda x, b: em.nn.relu(x + b), [(301, 257), (257,)]),
    "row_sum": (lambda x: em.reduce_sum(x * x, axis=1), [(517, 263)]),
    "column_sum": (lambda x: em.reduce_sum(x, axis=0), [(131, 1031)]),
    "conv2d": (lambda x, f: em.nn.conv2d(x, f, padding="same"), [(5, 13, 11, 3), (3, 3, 3, 17)]),
    # NOTE: the padded input's interior (9*30*30*8) is a copy big enough to be split too
    "conv2d_padded_copy": (lambda x, f: em.nn.conv2d(x, f, padding="same"),
                           [(9, 30, 30, 8), (3, 3, 8, 5)]),
    # NOTE: both products start from one zero fill after CSE (`ember-own-fills`)
    "shared_fill": (lambda x, y, z: (x @ y) * 2.0 + em.tanh(x @ z),
                    [(131, 67), (67, 129), (67, 129)]),
    # NOTE: unrolled (`ember-unroll-windows`), the work is the output's: 67x13x11x5 >= MIN_WORK
    "max_pool": (lambda x: em.nn.max_pool2d(x, 2), [(67, 27, 23, 5)]),
    "avg_pool": (lambda x: em.nn.avg_pool2d(x, 3, strides=2, padding="same"), [(37, 13, 11, 7)]),
}

NUMPY = {
    "matmul_prime_rows": lambda x, y: x @ y,
    "matmul_batched": lambda x, y: x @ y,
    "elementwise_1d": lambda x: np.tanh(x) * 2.0 + x,
    "broadcast_bias_relu": lambda x, b: np.maximum(x + b, 0),
    "row_sum": lambda x: (x * x).sum(axis=1),
    "column_sum": lambda x: x.sum(axis=0),
}


def _conv_reference(x, f):
    kh, kw = f.shape[:2]
    xp = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    out = np.zeros(x.shape[:3] + (f.shape[3],), x.dtype)
    for i in range(kh):
        for j in range(kw):
            out += xp[:, i:i + x.shape[1], j:j + x.shape[2], :] @ f[i, j]
    return out


NUMPY["conv2d"] = _conv_reference
NUMPY["conv2d_padded_copy"] = _conv_reference
NUMPY["shared_fill"] = lambda x, y, z: (x @ y) * 2.0 + np.tanh(x @ z)
NUMPY["max_pool"] = lambda x: x[:, :26, :22].reshape(67, 13, 2, 11, 2, 5).max(axis=(2, 4))


def _avg_pool_same_reference(x):
    # 3x3 windows, strides 2, "same": padding (0 or 1 before, 1 after); padding not counted
    n, h, w, c = x.shape
    oh, ow = -(-h // 2), -(-w // 2)
    top, left = max((oh - 1) * 2 + 3 - h, 0) // 2, max((ow - 1) * 2 + 3 - w, 0) // 2
    out = np.zeros((n, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * 2 - top, j * 2 - left
            window = x[:, max(r0, 0):r0 + 3, max(c0, 0):c0 + 3]
            out[:, i, j] = window.mean(axis=(1, 2))
    return out


NUMPY["avg_pool"] = _avg_pool_same_reference


@pytest.mark.parametrize("name", sorted(CASES))
def test_parallel_code_matches_numpy(name, threads):
    fn, shapes = CASES[name]
    rng = rng_for("parallelize", name, threads)
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    text = _lower_llvm(fn, *args)
    assert "omp.parallel" in text, "the op was not split across threads"
    got = em.function(fn)(*args).numpy()
    np.testing.assert_allclose(got, NUMPY[name](*args), rtol=2e-4, atol=2e-4)


def test_small_ops_stay_on_one_thread(threads):
    x = np.ones((8, 16), np.float32)
    assert "omp." not in _lower_llvm(lambda x: x * 2.0 + 1.0, x)


@pytest.mark.parametrize("channels, split", [(1, False), (32, True)])
def test_filter_gradients_with_few_channels_stay_whole(channels, split, threads):
    # NOTE: the few-channel filter gradient (a CNN's first layer) is left on one thread;
    # with channel blocks it is split by output channels
    from ember.dialects.ops import nn as conv_ops

    x, g = np.ones((16, 20, 20, channels), np.float32), np.ones((16, 18, 18, 64), np.float32)
    window = dict(strides=(1, 1), dilations=(1, 1), padding=(0, 0, 0, 0))
    text = _lower_llvm(lambda x, g: conv_ops.conv2d_backprop_filter.bind(
        x, g, filter_shape=(3, 3, channels, 64), **window), x, g)
    assert ("omp.parallel" in text) == split


def test_one_thread_makes_no_openmp_calls():
    with using_threads(1):
        x = np.ones((512, 512), np.float32)
        assert "omp." not in _lower_llvm(lambda x, y: x @ y, x, x)


def test_thread_count_is_part_of_the_compile_key(threads):
    x = np.ones((300, 300), np.float32)
    f = em.function(lambda x: x @ x)
    first = f(x).numpy()
    em.config.set_threads(1)
    np.testing.assert_allclose(f(x).numpy(), first, rtol=1e-6)
    assert "omp." not in f.lower(x).as_text("llvm")


@pytest.mark.parametrize("parallel, ranges, threads, want", [
    ([0, 1], [4096, 1024], 2, 0),       # the longest parallel loop
    ([0, 1], [512, 512], 2, 0),         # the outermost of equals
    ([0, 1], [8, 4096], 2, 1),          # the longest, innermost with long enough chunks
    ([0, 1, 5, 6], [3, 3, 4, 11, 11, 9, 64], 2, 6),   # a filter gradient: its channels
    ([0, 1], [1, 30], 2, None),         # innermost chunks would be shorter than MIN_INNER
    ([1], [131, 1031], 2, 1),           # a column reduction splits its columns
    ([0, 2], [3, 5, 7], 4, None),       # no loop as long as the thread count
])
def test_choose_dim(parallel, ranges, threads, want):
    assert choose_dim(parallel, ranges, threads) == want


def test_choose_dim_whole_chunks_only():
    # NOTE: an epilogue computed with its convolution in each chunk is cut into whole chunks
    assert choose_dim([0, 1, 2, 3], [6, 11, 9, 64], 3) == 3
    assert choose_dim([0, 1, 2, 3], [6, 11, 9, 64], 3, whole=True) == 2
    assert choose_dim([0, 1], [5, 7], 2, whole=True) is None


P, R = "parallel", "reduction"


@pytest.mark.parametrize("iterators, ranges, dim, threads, want", [
    ([P], [1 << 22], 0, 2, 2 * SPLIT),                  # a long elementwise op: SPLIT per thread
    ([P, P], [784, 512], 0, 3, 12),                     # 784 = 24 * 32 + 16: left over too long
    ([P, R, P], [4096, 4096, 4096], 0, 2, 2),           # a matmul: one chunk per thread
    ([P, R], [4096, 1024], 0, 2, 2),                    # a row reduction
    ([P], [4 * MIN_PIECE], 0, 2, 4),                    # each chunk keeps MIN_PIECE iterations
    ([P, P], [6, 1 << 16], 0, 2, 2),                    # no more chunks than rows,
    ([P, P], [301, 1 << 10], 0, 2, 8),                  # and what is left is short: 301 = 8 * 37 + 5
    ([P], [100_003], 0, 2, 16),                         # 16 * 6250 + 3
    ([P, P], [512, 8 * MIN_INNER], 1, 2, 8),            # innermost chunks keep MIN_INNER
])
def test_pieces(iterators, ranges, dim, threads, want):
    assert pieces(iterators, ranges, dim, threads) == want


def test_min_inner_is_a_whole_vector_or_more():
    assert MIN_INNER >= 16


def test_missing_runtime_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(openmp, "_loaded", None)
    monkeypatch.setenv(openmp.LIBRARY_ENV, "/nonexistent/libomp.so")
    with pytest.raises(em.EmberError, match=r"needs an OpenMP runtime.*nonexistent.*set_threads\(1\)"):
        openmp.load()
