"""Every kind of generated kernel, run (in Triton's interpreter without a GPU) against the
CPU backend and NumPy: pointwise with broadcasting, row and column reductions, softmax,
log_softmax and layernorm as one kernel each, matmul with its fused epilogue, views, and
the host fallback. Shapes are small: the interpreter runs ~1 ms per program."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from ember.backends.triton import reduction
from gpu_testing import assert_close, both, kernel_count, program_text, pytestmark  # noqa: F401

RNG = np.random.default_rng(5)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def test_elementwise_chain_with_broadcasting_is_one_kernel():
    def f(x, a, b):
        return em.nn.gelu(x * a + b) + em.tanh(x) - em.exp(-em.abs(x)) / (1.0 + em.sqrt(em.abs(x * b)))

    x, a, b = rand(3, 5, 7), rand(5, 1), rand(7)
    gpu, cpu = both(f, x, a, b)
    assert_close(gpu.numpy(), cpu.numpy())
    text = program_text(em.function(f, backend="triton"), x, a, b)
    assert kernel_count(text) == 1, text
    assert "tl.load(in1 + " in text and "tl.store(out0 + x," in text


@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int64"])
def test_elementwise_dtypes(dtype):
    def f(x, y):
        z = em.maximum(x, y) - em.minimum(x, y) * x
        if em.as_numpy_dtype(dtype).kind == "f" if hasattr(em, "as_numpy_dtype") else dtype.startswith("float"):
            return z + em.floor(x / (em.abs(y) + 1))
        return z + x // em.where(y == 0, em.ones_like(y), y) + em.mod(x, 3)

    rng = np.random.default_rng(1)
    x = rng.integers(-9, 9, (4, 6)).astype(dtype)
    y = rng.integers(-9, 9, (6,)).astype(dtype)
    gpu, cpu = both(f, x, y)
    assert_close(gpu.numpy(), cpu.numpy(), dtype)


def test_comparisons_selects_casts_and_bools():
    def f(x, y):
        m = (x > y) | em.logical_not(x < 0.5)
        return em.where(m, x, y), em.cast(m, "int32"), em.cast(x * 4, "int64"), m

    x, y = rand(4, 8), rand(8)
    gpu, cpu = both(f, x, y)
    for g, c in zip(gpu, cpu):
        assert_close(g.numpy(), c.numpy())


@pytest.mark.parametrize("op", ["reduce_sum", "reduce_max", "reduce_mean", "reduce_min"])
@pytest.mark.parametrize("axis, keepdims", [(-1, True), (1, False), (0, False), ((0, 2), True), (None, False)])
def test_reductions(op, axis, keepdims):
    fn = getattr(em, op)
    x = rand(4, 5, 6)
    gpu, cpu = both(lambda x: fn(x * 2.0 + 1.0, axis=axis, keepdims=keepdims), x)
    assert_close(gpu.numpy(), cpu.numpy(), f"{op} axis={axis}")


def test_looped_reduction_for_rows_wider_than_a_block(monkeypatch):
    monkeypatch.setattr(reduction, "MAX_PERSISTENT", 16)
    monkeypatch.setattr(reduction, "LOOP_BLOCK", 16)
    x = rand(3, 50)
    f = em.function(lambda x: (em.nn.softmax(x), em.reduce_max(x, axis=1)), backend="triton")
    text = program_text(f, x)
    assert "for c0 in range(0, 50, NBLOCK):" in text
    gpu = f(x)
    cpu = em.function(lambda x: (em.nn.softmax(x), em.reduce_max(x, axis=1)))(x)
    for g, c in zip(gpu, cpu):
        assert_close(g.numpy(), c.numpy())


def _layernorm(x, g, b):
    m = em.reduce_mean(x, axis=-1, keepdims=True)
    v = em.reduce_mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) * em.rsqrt(v + 1e-5) * g + b


@pytest.mark.parametrize("name, fn, extra", [
    ("softmax", lambda x: em.nn.softmax(x), ()),
    ("log_softmax", lambda x: em.nn.log_softmax(x), ()),
    ("layernorm", _layernorm, ("g", "b")),
])
def test_softmax_log_softmax_and_layernorm_are_single_kernels(name, fn, extra):
    x = rand(6, 33)
    args = (x,) + tuple(rand(33) for _ in extra)
    text = program_text(em.function(fn, backend="triton"), *args)
    assert kernel_count(text) == 1, text
    gpu, cpu = both(fn, *args)
    assert_close(gpu.numpy(), cpu.numpy(), name)


def test_matmul_with_bias_and_gelu_epilogue_is_one_kernel():
    def dense(x, w, b):
        return em.nn.gelu(x @ w + b)

    x, w, b = rand(20, 24), rand(24, 36), rand(36)
    text = program_text(em.function(dense, backend="triton"), x, w, b)
    assert kernel_count(text) == 1 and "tl.dot(" in text and "# epilogue" in text, text
    gpu, cpu = both(dense, x, w, b)
    assert_close(gpu.numpy(), cpu.numpy())


@pytest.mark.parametrize("xs, ys", [((2, 5, 7), (7, 3)), ((2, 1, 5, 7), (3, 7, 4)), ((17, 33), (33, 18))])
def test_batched_and_broadcast_matmul(xs, ys):
    x, y = rand(*xs), rand(*ys)
    gpu, cpu = both(lambda x, y: x @ y, x, y)
    assert_close(gpu.numpy(), cpu.numpy())


def test_matmul_reads_transposed_operands_as_views():
    def f(x, y):
        return em.transpose(x) @ y + 1.0

    x, y = rand(9, 6), rand(9, 5)
    text = program_text(em.function(f, backend="triton"), x, y)
    assert "ember.transpose: a view" in text and kernel_count(text) == 1, text
    gpu, cpu = both(f, x, y)
    assert_close(gpu.numpy(), cpu.numpy())


@pytest.mark.parametrize("dtype", ["int32", "float64"])
def test_matmul_dtypes(dtype):
    rng = np.random.default_rng(2)
    x = rng.integers(-5, 5, (5, 9)).astype(dtype)
    y = rng.integers(-5, 5, (9, 6)).astype(dtype)
    gpu, cpu = both(lambda x, y: x @ y, x, y)
    assert_close(gpu.numpy(), cpu.numpy())


def test_views_and_a_copied_reshape():
    def f(x):
        t = em.transpose(x)                  # a view
        return em.reshape(t, (3, 8)) * 2.0, em.broadcast_to(x[1:3, ::2], (3, 2, 3)) + 1.0

    x = rand(4, 6)
    text = program_text(em.function(f, backend="triton"), x)
    assert "non-contiguous view: copied" in text, text
    gpu, cpu = both(f, x)
    for g, c in zip(gpu, cpu):
        assert_close(g.numpy(), c.numpy())


def test_ops_without_a_kernel_fall_back_to_the_host_visibly():
    def f(x, k):
        return em.nn.relu(em.nn.conv2d(x, k, padding="same")) * 2.0

    x, k = rand(1, 5, 5, 2), rand(3, 3, 2, 3)
    text = program_text(em.function(f, backend="triton"), x, k)
    assert "# fallback: ember.conv2d runs on the host (no Triton kernel)" in text
    assert "1 ops on the host (ember.conv2d)" in text
    gpu, cpu = both(f, x, k)
    assert_close(gpu.numpy(), cpu.numpy())


def test_constants_and_outputs_that_are_inputs():
    def f(x):
        return x, x + np.arange(4, dtype=np.float32), em.reshape(x, (4,))

    x = rand(1, 4)
    gpu, cpu = both(f, x)
    for g, c in zip(gpu, cpu):
        assert_close(g.numpy(), c.numpy())
