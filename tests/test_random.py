"""Stateless random numbers: random_bits (Threefry-2x32-20) and em.random / em.nn.dropout.

The cipher is checked against published known answers; eager and compiled bits, uniforms
and dropout masks are equal bit for bit, with the seed a traced argument of the compiled
function; distributions are checked on large samples (fixed seeds: deterministic)."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
import references as ref
from conftest import assert_same, run_compiled
from ember.dialects.ops import random as ops

KEYS = [np.array(k, np.int32) for k in ([0, 0], [1, 2], [-1, 123456789], [2**31 - 1, -2**31])]


@pytest.mark.parametrize("key, counter, expected", [
    # Random123's known-answer tests for Threefry-2x32-20 (also in JAX's random tests)
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_known_answers(key, counter, expected):
    assert tuple(ref.threefry2x32(key, counter)) == expected
    k = np.array(key, np.uint32).reshape(2, 1)
    c = np.array(counter, np.uint32).reshape(2, 1)
    got = ops.threefry2x32(ops._NumPyOps, k[0], k[1], c[0], c[1])
    assert (int(got[0][0]), int(got[1][0])) == expected


def test_random_bits_eager_and_compiled_are_the_reference_bit_for_bit():
    shapes = [(), (7,), (3, 5), (2, 3, 4)]

    def f(key):
        return [ops.random_bits.bind(key, shape=s) for s in shapes]

    for key in KEYS:
        for s, eager, compiled in zip(shapes, f(em.constant(key)), run_compiled(f, key)):
            want = ref.random_bits(key, s)
            assert_same(eager.numpy(), want, exact=True, what=f"eager {s} {key}")
            assert_same(compiled.numpy(), want, exact=True, what=f"compiled {s} {key}")


def test_random_bits_look_random():
    bits = ops.random_bits.bind(em.constant(KEYS[1]), shape=(1 << 16,)).numpy().view(np.uint32)
    ones = ((bits[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(axis=0)
    assert np.all(np.abs(ones - 0.5) < 0.01)  # each bit set half the time (sd 0.002)
    as_float = bits.astype(np.float64)
    assert abs(np.corrcoef(as_float[:-1], as_float[1:])[0, 1]) < 0.02  # neighbours independent
    other = ops.random_bits.bind(em.constant(np.array([1, 3], np.int32)), shape=(1 << 16,)).numpy()
    assert np.mean(other.view(np.uint32) == bits) < 1e-3  # a neighbouring key: a new stream
    assert ops.random_bits.vjp_rule(None, None, em.constant(KEYS[0]), shape=(2,)) == (None,)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_uniform_eager_equals_compiled_with_a_traced_seed(dtype):
    @em.function
    def draw(seed):
        return (em.random.stateless_uniform((50, 40), seed, dtype=dtype),
                em.random.stateless_uniform((7,), seed, minval=-2.0, maxval=3.0, dtype=dtype))

    for key in KEYS[:3]:
        compiled = draw(key)
        eager = (em.random.stateless_uniform((50, 40), key, dtype=dtype),
                 em.random.stateless_uniform((7,), key, minval=-2.0, maxval=3.0, dtype=dtype))
        for c, e in zip(compiled, eager):
            assert_same(c.numpy(), e.numpy(), exact=True, what=f"uniform {dtype} {key}")
        u = eager[0].numpy()
        assert u.dtype == dtype and u.min() >= 0 and u.max() < 1
        assert np.all((eager[1].numpy() >= -2) & (eager[1].numpy() < 3))
    assert draw._trace_count == 1  # a new seed is a new value, not a new trace


def test_uniform_statistics_and_seeds():
    u = em.random.stateless_uniform((200_000,), (4, 2)).numpy().astype(np.float64)
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(counts - 20_000) < 600)  # ~4 standard deviations
    first = em.random.stateless_uniform((5,), (4, 2)).numpy()
    assert_same(first, u[:5].astype(np.float32), exact=True, what="a prefix of a longer draw")
    for same in ([4, 2], np.array([4, 2], np.int32), em.constant(np.array([4, 2], np.int64)),
                 (4 + 2**32, 2 - 2**32)):  # Python ints wrap modulo 2**32
        assert_same(em.random.stateless_uniform((5,), same).numpy(), first, exact=True, what=repr(same))
    assert not np.array_equal(em.random.stateless_uniform((5,), (2, 4)).numpy(), first)


def test_uniform_integers():
    x = em.random.stateless_uniform((10_000,), (1, 1), minval=-3, maxval=4, dtype="int64").numpy()
    assert x.dtype == np.int64 and x.min() == -3 and x.max() == 3
    assert np.all(np.abs(np.bincount(x + 3) - 10_000 / 7) < 200)
    compiled = run_compiled(lambda s: em.random.stateless_uniform((100,), s, 0, 10, "int32"), KEYS[2])
    eager = em.random.stateless_uniform((100,), KEYS[2], 0, 10, "int32")
    assert_same(compiled.numpy(), eager.numpy(), exact=True, what="int32")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal(dtype):
    z = em.random.stateless_normal((100_000,), (9, 9), dtype=dtype).numpy().astype(np.float64)
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 0.015 and abs(z.std() - 1) < 0.015
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.005 and abs(np.mean(np.abs(z) < 2) - 0.9545) < 0.003
    scaled = em.random.stateless_normal((1000,), (9, 9), mean=5.0, stddev=0.5, dtype=dtype)
    compiled = run_compiled(lambda s: em.random.stateless_normal((1000,), s, mean=5.0, stddev=0.5,
                                                                 dtype=dtype), np.array([9, 9], np.int32))
    # NOTE: log/cos are not correctly rounded: compiled and eager agree to the dtype's tolerance
    assert_same(compiled.numpy(), scaled.numpy(), exact=False, what="normal")
    assert em.random.stateless_normal((3,), (0, 0), dtype="float16").dtype is em.float16


def test_split_gives_new_seeds():
    seeds = em.random.split((1, 2), 3)
    assert seeds.shape == (3, 2) and seeds.dtype is em.int32
    draws = [em.random.stateless_uniform((4,), s).numpy() for s in seeds.numpy()]
    assert len({d.tobytes() for d in draws}) == 3


# -- dropout -------------------------------------------------------------------------------------
def test_dropout_has_keras_semantics():
    x = np.arange(1.0, 20_001.0, dtype=np.float32).reshape(100, 200)
    y = em.nn.dropout(x, 0.25, seed=(3, 4)).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    # NOTE: x * (1 / (1 - rate)), the scale rounded to x's dtype, as tf.nn.dropout computes it
    assert_same(y[kept], x[kept] * np.float32(1 / 0.75), exact=True, what="kept values scaled")
    assert_same(em.nn.dropout(x, 0.25, seed=(3, 4)).numpy(), y, exact=True, what="same seed")
    assert not np.array_equal(em.nn.dropout(x, 0.25, seed=(3, 5)).numpy(), y)
    t = em.constant(x)
    assert em.nn.dropout(t, 0.0, seed=(3, 4)) is t
    shared = em.nn.dropout(np.ones((4, 6), np.float32), 0.5, (1, 1), noise_shape=(1, 6)).numpy()
    assert np.all(shared == shared[0])  # one mask for every row


def test_dropout_in_a_compiled_step_takes_a_new_seed_per_call():
    @em.function
    def step(x, seed):
        return em.reduce_sum(em.nn.dropout(x, 0.5, seed) * 2.0), em.nn.dropout(x, 0.5, seed)

    x = np.ones((64, 32), np.float32)
    masks = []
    for i in range(3):
        seed = np.array([7, i], np.int32)
        _, out = step(x, seed)
        assert_same(out.numpy(), em.nn.dropout(x, 0.5, seed).numpy(), exact=True, what=f"step {i}")
        masks.append(out.numpy().tobytes())
    assert len(set(masks)) == 3 and step._trace_count == 1


def test_dropout_gradient_is_the_scaled_mask():
    x = np.linspace(-1, 1, 40).reshape(5, 8)
    grad = em.grad(lambda x, seed: em.reduce_sum(em.nn.dropout(x, 0.3, seed) * 3.0))
    seed = np.array([5, 6], np.int32)
    kept = em.nn.dropout(np.ones_like(x), 0.3, seed).numpy() != 0
    want = np.where(kept, 3.0 / 0.7, 0.0)
    np.testing.assert_allclose(grad(em.constant(x), em.constant(seed)).numpy(), want, rtol=1e-15)
    np.testing.assert_allclose(em.function(grad)(x, seed).numpy(), want, rtol=1e-15)


@pytest.mark.parametrize("call, error, words", [
    (lambda: em.random.stateless_uniform((2,), (1, 2, 3)), ValueError, ["stateless_uniform", "seed"]),
    (lambda: em.random.stateless_uniform((2,), np.zeros(3, np.int32)), em.ShapeError, ["seed", "(3,)"]),
    (lambda: em.random.stateless_uniform((2,), np.zeros(2, np.float32)), em.DTypeError, ["seed", "float32"]),
    (lambda: em.random.stateless_uniform((2,), (1, 2), dtype="int32"), ValueError, ["maxval"]),
    (lambda: em.random.stateless_uniform((-1,), (1, 2)), ValueError, ["shape"]),
    (lambda: em.random.stateless_normal((2,), (1, 2), dtype="int32"), em.DTypeError, ["stateless_normal"]),
    (lambda: em.nn.dropout(np.ones(3, np.float32), 1.0, (1, 2)), ValueError, ["dropout", "rate=1.0"]),
    (lambda: em.nn.dropout(np.ones(3, np.int32), 0.5, (1, 2)), em.DTypeError, ["dropout", "int32"]),
])
def test_errors(call, error, words):
    with pytest.raises(error) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert f"(at {__file__}:" in message
