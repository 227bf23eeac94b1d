"""TensorFlow with Keras 3: `xla=True` is `tf.function(jit_compile=True)` for the kernels and
`model.compile(jit_compile=True)` + `train_on_batch` for the train steps; `xla=False` is the
same without XLA (plain `tf.function` graphs), the issue's "Keras on TF without XLA"."""
from __future__ import annotations

import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from . import common as c  # noqa: E402


def setup(threads: int) -> None:
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def version() -> str:
    return f"tensorflow {tf.__version__}, keras {keras.__version__}"


def _function(fn, xla: bool):
    return tf.function(fn, jit_compile=xla)


def matmul(b, xla: bool) -> None:
    f = _function(tf.matmul, xla)
    for n in c.MATMUL_SIZES:
        x, y = c.matmul_inputs(n)
        tx, ty = tf.constant(x), tf.constant(y)
        case = f"matmul {n}"
        if b.check(case, f(tx, ty).numpy(), x @ y):
            b.time(case, lambda: f(tx, ty))


def dense(b, xla: bool) -> None:
    x, w, bias = c.dense_inputs()
    args = [tf.constant(a) for a in (x, w, bias)]
    f = _function(lambda x, w, bias: tf.nn.relu(tf.matmul(x, w) + bias), xla)
    if b.check("dense 1024", f(*args).numpy(), c.dense(x, w, bias)):
        b.time("dense 1024", lambda: f(*args))


def elementwise(b, xla: bool) -> None:
    x = c.chain_input()
    tx = tf.constant(x)
    f = _function(lambda x: tf.nn.gelu(x * c.CHAIN_A + c.CHAIN_B, approximate=True) + x, xla)
    if b.check("chain 4M", f(tx).numpy(), c.chain(x)):
        b.time("chain 4M", lambda: f(tx))


def _layernorm(x, gamma, beta):
    mean = tf.reduce_mean(x, axis=-1, keepdims=True)
    var = tf.reduce_mean(tf.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * tf.math.rsqrt(var + c.LAYERNORM_EPS) * gamma + beta


def norms(b, xla: bool) -> None:
    x, gamma, beta = c.norm_inputs()
    tx, tg, tb = tf.constant(x), tf.constant(gamma), tf.constant(beta)
    softmax = _function(lambda x: tf.nn.softmax(x, axis=-1), xla)
    if b.check("softmax", softmax(tx).numpy(), c.softmax(x)):
        b.time("softmax", lambda: softmax(tx))
    layernorm = _function(_layernorm, xla)
    if b.check("layernorm", layernorm(tx, tg, tb).numpy(), c.layernorm(x, gamma, beta)):
        b.time("layernorm", lambda: layernorm(tx, tg, tb))


def conv2d(b, xla: bool) -> None:
    x, f = c.conv_inputs()
    tx, tfilter = tf.constant(x), tf.constant(f)
    conv = _function(lambda x, f: tf.nn.conv2d(x, f, strides=1, padding="SAME"), xla)
    if b.check("conv2d", conv(tx, tfilter).numpy(), c.conv2d(x, f, "same")):
        b.time("conv2d", lambda: conv(tx, tfilter))


def _mlp():
    model = keras.Sequential([keras.Input((c.MLP_SIZES[0],))]
                             + [keras.layers.Dense(n, activation="relu") for n in c.MLP_SIZES[1:-1]]
                             + [keras.layers.Dense(c.MLP_SIZES[-1])])
    model.set_weights(c.mlp_weights())
    return model


def _cnn():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10),
    ])
    model.set_weights(c.cnn_weights())
    return model


def _compile(model, xla: bool):
    adam = keras.optimizers.Adam(learning_rate=c.LEARNING_RATE, epsilon=c.ADAM_EPS)
    model.compile(optimizer=adam,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=xla)
    return model


def _train(b, case: str, model, x, y, first_loss: float, xla: bool) -> None:
    _compile(model, xla)
    tx, ty = tf.constant(x), tf.constant(y)
    losses = [model.train_on_batch(tx, ty) for _ in range(c.LOSS_STEPS)]
    if b.check_losses(case, losses, first_loss):
        b.time(case, lambda: model.train_on_batch(tx, ty))


def mlp_train(b, xla: bool) -> None:
    x, y = c.mlp_batch()
    first = c.cross_entropy(c.mlp_forward(c.mlp_weights(), x), y)
    _train(b, "mlp train", _mlp(), x, y, first, xla)


def cnn_train(b, xla: bool) -> None:
    x, y = c.cnn_batch()
    first = c.cross_entropy(c.cnn_forward(c.cnn_weights(), x), y)
    _train(b, "cnn train", _cnn(), x, y, first, xla)


def inference(b, xla: bool) -> None:
    model = _mlp()
    forward = _function(lambda x: model(x, training=False), xla)
    x, _ = c.mlp_batch(1)
    tx = tf.constant(x)
    if b.check("mlp infer 1", forward(tx).numpy(), c.mlp_forward(c.mlp_weights(), x)):
        b.time("mlp infer 1", lambda: forward(tx))
    add_one = _function(lambda x: x + 1.0, xla)
    one = tf.ones(1)
    if b.check("call overhead", add_one(one).numpy(), np.full(1, 2, np.float32)):
        b.time("call overhead", lambda: add_one(one))


def cold_start(b, xla: bool) -> None:
    x, y = c.mlp_batch()
    _compile(_mlp(), xla).train_on_batch(x, y)
    b.record("cold start", time.time() - b.t0)
