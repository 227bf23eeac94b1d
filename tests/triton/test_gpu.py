"""The differential tests on a real GPU, with larger shapes (`pytest -m gpu`; skipped
without a CUDA device)."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from gpu_testing import assert_close, both, pytestmark  # noqa: F401

gpu = pytest.mark.gpu
RNG = np.random.default_rng(11)


def _layernorm(x, g, b):
    m = em.reduce_mean(x, axis=-1, keepdims=True)
    v = em.reduce_mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) * em.rsqrt(v + 1e-5) * g + b


@gpu
@pytest.mark.parametrize("name, fn, shapes", [
    ("chain", lambda x, a: em.nn.gelu(x * a + 1.0) + x, [(1 << 20,), (1 << 20,)]),
    ("softmax", lambda x: em.nn.softmax(x), [(1024, 4096)]),
    ("wide_softmax", lambda x: em.nn.log_softmax(x), [(64, 50000)]),
    ("layernorm", _layernorm, [(2048, 1024), (1024,), (1024,)]),
    ("column_sum", lambda x: em.reduce_sum(x, axis=0), [(4096, 512)]),
    ("dense", lambda x, w, b: em.nn.gelu(x @ w + b), [(1024, 512), (512, 768), (768,)]),
    ("bmm", lambda x, y: x @ em.transpose(y, (0, 2, 1)), [(8, 256, 64), (8, 128, 64)]),
])
def test_kernels_on_the_gpu(name, fn, shapes):
    args = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    out, ref = both(fn, *args)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)
