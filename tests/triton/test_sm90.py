"""Every kind of generated kernel compiles for sm_90 (Hopper) without a GPU: triton.compile
with a GPUTarget runs the whole NVIDIA pipeline (TTIR, TTGIR, LLVM IR, PTX, ptxas)."""
from __future__ import annotations

import numpy as np

import ember as em
from ember.backends.triton import reduction
from ember.backends.triton.aot import compile_programs
from ember.backends.triton.program import generate
from ember.passes.pipeline import FRONT_STAGES, run_stages
from ember.runtime.lowered import parse
from gpu_testing import pytestmark  # noqa: F401


def _program(fn, *args, target="cuda"):
    concrete = em.function(fn, backend="triton").get_concrete_function(*args)
    module = parse(concrete.module_text)
    with module.context:
        run_stages(module, FRONT_STAGES)
    return generate(module, concrete.symbol, target)


def _layernorm(x, g, b):
    m = em.reduce_mean(x, axis=-1, keepdims=True)
    v = em.reduce_mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) * em.rsqrt(v + 1e-5) * g + b


def _every_op(x, y):
    outs = [em.nn.gelu(x * y + 1.0), em.tanh(x), em.expm1(x), em.log1p(em.abs(x)), em.pow(em.abs(x) + 1.0, y),
            em.sigmoid(x), em.erf(x), em.sin(x) + em.cos(x), em.floor(x) - em.ceil(y), em.sign(x),
            em.fmod(x, y + 3.0), em.where(x > y, x, y), em.cast(x, "int32") // 3, em.mod(em.cast(y * 9, "int64"), 4),
            em.logical_and(x > 0, y < 0) | em.logical_not(x > y), em.rsqrt(em.abs(x) + 1.0), em.sqrt(em.abs(y)),
            em.maximum(x, y), em.minimum(x, y), em.log(em.abs(x) + 1.0), em.exp(-x)]
    return outs


def test_every_kernel_kind_compiles_for_sm90(monkeypatch):
    f32 = lambda *s: np.ones(s, np.float32)
    programs = [
        _program(_every_op, f32(4, 8), f32(8)),
        _program(lambda x, y: (x * y + x, em.nn.relu(x - y)), np.ones((4, 8), np.float16), np.ones((8,), np.float16)),
        _program(lambda x, y: em.maximum(x, y) * x - y / (em.abs(y) + 1.0), np.ones((3, 5), np.float64), np.ones((3, 5), np.float64)),
        _program(lambda x: (em.reduce_sum(x, axis=0), em.reduce_max(x, axis=(0, 2), keepdims=True),
                            em.reduce_mean(x, axis=None), em.reduce_min(em.cast(x, "int32"), axis=1)), f32(4, 5, 6)),
        _program(lambda x: (em.nn.softmax(x), em.nn.log_softmax(x)), f32(64, 1000)),
        _program(_layernorm, f32(32, 768), f32(768), f32(768)),
        _program(lambda x, w, b: em.nn.gelu(x @ w + b), f32(512, 256), f32(256, 512), f32(512)),   # autotuned
        _program(lambda x, w, b: em.nn.relu(x @ w + b), np.ones((256, 256), np.float16),
                 np.ones((256, 256), np.float16), np.ones((256,), np.float16)),
        _program(lambda x, y: em.transpose(x) @ y, f32(2, 9, 6)[0], f32(9, 5)),
        _program(lambda x, y: x @ y, f32(3, 1, 20, 24), f32(2, 24, 16)),
        _program(lambda x, y: x @ y, np.ones((16, 16), np.float64), np.ones((16, 16), np.float64)),
        _program(lambda x, y: x @ y, np.ones((8, 9), np.int32), np.ones((9, 7), np.int32)),
    ]
    monkeypatch.setattr(reduction, "MAX_PERSISTENT", 256)
    programs.append(_program(lambda x: em.nn.softmax(x) * em.reduce_sum(x, axis=-1, keepdims=True), f32(8, 3000)))
    assert "for c0 in range(0, 3000, NBLOCK):" in programs[-1].text
    assert "@triton.autotune" in programs[6].text
    compiled = compile_programs(programs)
    kernels = {k["kernel"] for k in compiled}
    assert len(kernels) >= len(programs)
    assert all(k["cubin_bytes"] > 0 for k in compiled)
    # every autotune config of the autotuned matmul compiled too
    assert sum(1 for k in compiled if k["kernel"].startswith("matmul_add_gelu")) > 1
