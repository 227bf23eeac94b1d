"""The inputs, initial weights and NumPy references that every framework shares.

Everything is float32 and drawn from one seeded generator per use, so each process builds
the same arrays. The references are plain NumPy; the numpy peer times them and every other
peer checks its result against them.
"""
from __future__ import annotations

import numpy as np

MATMUL_SIZES = (512, 1024, 2048)
DENSE = 1024
CHAIN_SIZE = 4 * 1024 * 1024
CHAIN_A, CHAIN_B = np.float32(1.5), np.float32(0.25)
NORM_SHAPE = (4096, 1024)
LAYERNORM_EPS = 1e-5
CONV_INPUT, CONV_FILTER = (64, 28, 28, 32), (3, 3, 32, 64)
MLP_SIZES = (784, 512, 512, 10)
MLP_BATCH, CNN_BATCH = 128, 64
LEARNING_RATE, ADAM_EPS = 1e-3, 1e-7
LOSS_STEPS = 3  # train steps run (and their losses compared) before timing


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng(1234 + salt)


def normal(shape, salt: int) -> np.ndarray:
    return _rng(salt).standard_normal(shape, dtype=np.float32)


def glorot(shape, salt: int) -> np.ndarray:
    fan_in = int(np.prod(shape[:-1]))
    fan_out = int(np.prod(shape[:-2])) * shape[-1] if len(shape) == 4 else shape[-1]
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return _rng(salt).uniform(-limit, limit, shape).astype(np.float32)


def labels(n: int, salt: int) -> np.ndarray:
    return _rng(salt).integers(0, 10, n).astype(np.int32)


# -- inputs ------------------------------------------------------------------------------------
def matmul_inputs(n: int):
    return normal((n, n), 1), normal((n, n), 2)


def dense_inputs():
    return normal((DENSE, DENSE), 3), glorot((DENSE, DENSE), 4), normal((DENSE,), 5)


def chain_input():
    return normal((CHAIN_SIZE,), 6)


def norm_inputs():
    return normal(NORM_SHAPE, 7), normal(NORM_SHAPE[-1:], 8), normal(NORM_SHAPE[-1:], 9)


def conv_inputs():
    return normal(CONV_INPUT, 10), glorot(CONV_FILTER, 11)


def mlp_weights() -> list[np.ndarray]:
    """[kernel, bias] per Dense layer, kernels (in, out) as in Keras."""
    weights = []
    for i, (n_in, n_out) in enumerate(zip(MLP_SIZES, MLP_SIZES[1:])):
        weights += [glorot((n_in, n_out), 20 + i), np.zeros(n_out, np.float32)]
    return weights


def mlp_batch(n: int = MLP_BATCH):
    return normal((n, MLP_SIZES[0]), 30), labels(n, 31)


def cnn_weights() -> list[np.ndarray]:
    """Conv(3x3x1x32), Conv(3x3x32x64) HWIO, Dense(1600x128), Dense(128x10), each with a bias."""
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (5 * 5 * 64, 128), (128, 10)]
    weights = []
    for i, shape in enumerate(shapes):
        weights += [glorot(shape, 40 + i), np.zeros(shape[-1], np.float32)]
    return weights


def cnn_batch():
    return normal((CNN_BATCH, 28, 28, 1), 50), labels(CNN_BATCH, 51)


# -- NumPy references --------------------------------------------------------------------------
def gelu_tanh(y):
    c, k = np.float32(np.sqrt(2 / np.pi)), np.float32(0.044715)
    return np.float32(0.5) * y * (np.float32(1) + np.tanh(c * (y + k * y * y * y)))


def chain(x):
    return gelu_tanh(x * CHAIN_A + CHAIN_B) + x


def dense(x, w, b):
    return np.maximum(x @ w + b, np.float32(0))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layernorm(x, gamma, beta):
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=-1, keepdims=True)
    return centered / np.sqrt(var + np.float32(LAYERNORM_EPS)) * gamma + beta


def conv2d(x, f, padding: str):
    """NHWC x HWIO, stride 1, "same" or "valid", through im2col (a check, not a timed peer)."""
    kh, kw = f.shape[:2]
    if padding == "same":
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", windows, f, optimize=True).astype(np.float32)


def max_pool2(x):
    n, h, w, c = x.shape
    x = x[:, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def cross_entropy(logits, y) -> float:
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_z - shifted[np.arange(len(y)), y]))


def mlp_forward(weights, x):
    for i in range(0, len(weights), 2):
        x = x @ weights[i] + weights[i + 1]
        if i + 2 < len(weights):
            x = np.maximum(x, np.float32(0))
    return x


def cnn_forward(weights, x):
    k1, b1, k2, b2, w3, b3, w4, b4 = weights
    x = max_pool2(np.maximum(conv2d(x, k1, "valid") + b1, 0))
    x = max_pool2(np.maximum(conv2d(x, k2, "valid") + b2, 0))
    x = np.maximum(x.reshape(len(x), -1) @ w3 + b3, 0)
    return x @ w4 + b4
