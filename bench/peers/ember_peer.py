"""ember: `@em.function` for the kernels, `em.keras` with `train_on_batch` for the train steps
(one compiled step: forward, loss, backward and Adam)."""
from __future__ import annotations

import time

import numpy as np

import ember as em

from . import common as c


def setup(threads: int) -> None:
    em.config.set_threads(threads)


def version() -> str:
    return f"ember {em.__version__}"


def matmul(b) -> None:
    f = em.function(lambda x, y: em.matmul(x, y))
    for n in c.MATMUL_SIZES:
        x, y = c.matmul_inputs(n)
        case = f"matmul {n}"
        if b.check(case, f(x, y).numpy(), x @ y):
            b.time(case, lambda: f(x, y))


def dense(b) -> None:
    x, w, bias = c.dense_inputs()
    f = em.function(lambda x, w, bias: em.nn.relu(x @ w + bias))
    if b.check("dense 1024", f(x, w, bias).numpy(), c.dense(x, w, bias)):
        b.time("dense 1024", lambda: f(x, w, bias))


def elementwise(b) -> None:
    x = c.chain_input()
    f = em.function(lambda x: em.nn.gelu(x * c.CHAIN_A + c.CHAIN_B, approximate=True) + x)
    if b.check("chain 4M", f(x).numpy(), c.chain(x)):
        b.time("chain 4M", lambda: f(x))


def _layernorm(x, gamma, beta):
    mean = em.reduce_mean(x, axis=-1, keepdims=True)
    centered = x - mean
    var = em.reduce_mean(centered * centered, axis=-1, keepdims=True)
    return centered * em.rsqrt(var + c.LAYERNORM_EPS) * gamma + beta


def norms(b) -> None:
    x, gamma, beta = c.norm_inputs()
    softmax = em.function(lambda x: em.nn.softmax(x, axis=-1))
    if b.check("softmax", softmax(x).numpy(), c.softmax(x)):
        b.time("softmax", lambda: softmax(x))
    layernorm = em.function(_layernorm)
    if b.check("layernorm", layernorm(x, gamma, beta).numpy(), c.layernorm(x, gamma, beta)):
        b.time("layernorm", lambda: layernorm(x, gamma, beta))


def conv2d(b) -> None:
    x, f = c.conv_inputs()
    conv = em.function(lambda x, f: em.nn.conv2d(x, f, strides=1, padding="same"))
    if b.check("conv2d", conv(x, f).numpy(), c.conv2d(x, f, "same")):
        b.time("conv2d", lambda: conv(x, f))


def _mlp():
    k = em.keras
    model = k.Sequential([k.Input((c.MLP_SIZES[0],))]
                         + [k.layers.Dense(n, activation="relu") for n in c.MLP_SIZES[1:-1]]
                         + [k.layers.Dense(c.MLP_SIZES[-1])])
    model.set_weights(c.mlp_weights())
    return model


def _cnn():
    k = em.keras
    model = k.Sequential([
        k.Input((28, 28, 1)),
        k.layers.Conv2D(32, 3, activation="relu"), k.layers.MaxPooling2D(2),
        k.layers.Conv2D(64, 3, activation="relu"), k.layers.MaxPooling2D(2),
        k.layers.Flatten(),
        k.layers.Dense(128, activation="relu"), k.layers.Dense(10),
    ])
    model.set_weights(c.cnn_weights())
    return model


def _compile(model):
    k = em.keras
    model.compile(optimizer=k.optimizers.Adam(learning_rate=c.LEARNING_RATE, epsilon=c.ADAM_EPS),
                  loss=k.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _train(b, case: str, model, x, y, first_loss: float) -> None:
    _compile(model)
    losses = [model.train_on_batch(x, y) for _ in range(c.LOSS_STEPS)]
    if b.check_losses(case, losses, first_loss):
        b.time(case, lambda: model.train_on_batch(x, y))


def mlp_train(b) -> None:
    x, y = c.mlp_batch()
    _train(b, "mlp train", _mlp(), x, y, c.cross_entropy(c.mlp_forward(c.mlp_weights(), x), y))


def cnn_train(b) -> None:
    x, y = c.cnn_batch()
    _train(b, "cnn train", _cnn(), x, y, c.cross_entropy(c.cnn_forward(c.cnn_weights(), x), y))


def inference(b) -> None:
    model = _mlp()
    forward = em.function(model)
    x, _ = c.mlp_batch(1)
    if b.check("mlp infer 1", forward(x).numpy(), c.mlp_forward(c.mlp_weights(), x)):
        b.time("mlp infer 1", lambda: forward(x))
    add_one = em.function(lambda x: x + 1.0)
    one = np.ones(1, np.float32)
    if b.check("call overhead", add_one(one).numpy(), one + 1):
        b.time("call overhead", lambda: add_one(one))


def cold_start(b) -> None:
    x, y = c.mlp_batch()
    _compile(_mlp()).train_on_batch(x, y)
    b.record("cold start", time.time() - b.t0)
