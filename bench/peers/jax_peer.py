"""JAX: `jax.jit` of every function and of the whole train step (forward, loss, backward,
Adam), with the parameters and optimizer state donated. Adam is optax's when optax is
installed, else the hand-written one below (Keras' update rule)."""
from __future__ import annotations

import time
from functools import partial

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from . import common as c

try:
    import optax
except ImportError:
    optax = None


def setup(threads: int) -> None:
    pass  # NOTE: XLA_FLAGS (and the core pinning below all cores), set by the parent


def version() -> str:
    adam = f"optax {optax.__version__}" if optax else "hand-written Adam"
    return f"jax {jax.__version__}, {adam}"


def _sync(out):
    return jax.block_until_ready(out)


def matmul(b) -> None:
    f = jax.jit(jnp.matmul)
    for n in c.MATMUL_SIZES:
        x, y = c.matmul_inputs(n)
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        case = f"matmul {n}"
        if b.check(case, f(jx, jy), x @ y):
            b.time(case, lambda: _sync(f(jx, jy)))


def dense(b) -> None:
    x, w, bias = c.dense_inputs()
    args = [jnp.asarray(a) for a in (x, w, bias)]
    f = jax.jit(lambda x, w, bias: jax.nn.relu(x @ w + bias))
    if b.check("dense 1024", f(*args), c.dense(x, w, bias)):
        b.time("dense 1024", lambda: _sync(f(*args)))


def elementwise(b) -> None:
    x = c.chain_input()
    jx = jnp.asarray(x)
    f = jax.jit(lambda x: jax.nn.gelu(x * c.CHAIN_A + c.CHAIN_B, approximate=True) + x)
    if b.check("chain 4M", f(jx), c.chain(x)):
        b.time("chain 4M", lambda: _sync(f(jx)))


def _layernorm(x, gamma, beta):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + c.LAYERNORM_EPS) * gamma + beta


def norms(b) -> None:
    x, gamma, beta = c.norm_inputs()
    jx, jg, jb = jnp.asarray(x), jnp.asarray(gamma), jnp.asarray(beta)
    softmax = jax.jit(partial(jax.nn.softmax, axis=-1))
    if b.check("softmax", softmax(jx), c.softmax(x)):
        b.time("softmax", lambda: _sync(softmax(jx)))
    layernorm = jax.jit(_layernorm)
    if b.check("layernorm", layernorm(jx, jg, jb), c.layernorm(x, gamma, beta)):
        b.time("layernorm", lambda: _sync(layernorm(jx, jg, jb)))


def _conv(x, f, padding: str):
    return lax.conv_general_dilated(x, f, (1, 1), padding,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"))


def conv2d(b) -> None:
    x, f = c.conv_inputs()
    jx, jf = jnp.asarray(x), jnp.asarray(f)
    conv = jax.jit(partial(_conv, padding="SAME"))
    if b.check("conv2d", conv(jx, jf), c.conv2d(x, f, "same")):
        b.time("conv2d", lambda: _sync(conv(jx, jf)))


def _mlp_apply(params, x):
    for i in range(0, len(params), 2):
        x = x @ params[i] + params[i + 1]
        if i + 2 < len(params):
            x = jax.nn.relu(x)
    return x


def _max_pool2(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def _cnn_apply(params, x):
    k1, b1, k2, b2, w3, b3, w4, b4 = params
    x = _max_pool2(jax.nn.relu(_conv(x, k1, "VALID") + b1))
    x = _max_pool2(jax.nn.relu(_conv(x, k2, "VALID") + b2))
    x = jax.nn.relu(x.reshape(x.shape[0], -1) @ w3 + b3)
    return x @ w4 + b4


def _adam_init(params):
    if optax:
        return _optax_adam().init(params)
    zeros = [jnp.zeros_like(p) for p in params]
    return (jnp.zeros((), jnp.int32), zeros, list(zeros))


def _optax_adam():
    return optax.adam(c.LEARNING_RATE, eps=c.ADAM_EPS)


def _adam_update(grads, state, params):
    """(new params, new state); Keras' rule when optax is missing."""
    if optax:
        updates, state = _optax_adam().update(grads, state, params)
        return optax.apply_updates(params, updates), state
    t, ms, vs = state
    t = t + 1
    alpha = c.LEARNING_RATE * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    ms = [m + (g - m) * 0.1 for m, g in zip(ms, grads)]
    vs = [v + (g * g - v) * 0.001 for v, g in zip(vs, grads)]
    params = [p - m * alpha / (jnp.sqrt(v) + c.ADAM_EPS) for p, m, v in zip(params, ms, vs)]
    return params, (t, ms, vs)


def _train_step(apply):
    def loss_fn(params, x, y):
        logits = apply(params, x)
        return jnp.mean(jax.nn.logsumexp(logits, axis=1)
                        - jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0])

    @partial(jax.jit, donate_argnums=(0, 1))
    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params, state = _adam_update(grads, state, params)
        return params, state, loss

    return step


def _train(b, case: str, apply, numpy_forward, weights, x, y) -> None:
    step = _train_step(apply)
    params = [jnp.asarray(w) for w in weights]
    carry = [params, _adam_init(params)]
    jx, jy = jnp.asarray(x), jnp.asarray(y)

    def run():
        carry[0], carry[1], loss = step(carry[0], carry[1], jx, jy)
        return _sync(loss)

    losses = [run() for _ in range(c.LOSS_STEPS)]
    if b.check_losses(case, losses, c.cross_entropy(numpy_forward(weights, x), y)):
        b.time(case, run)


def mlp_train(b) -> None:
    x, y = c.mlp_batch()
    _train(b, "mlp train", _mlp_apply, c.mlp_forward, c.mlp_weights(), x, y)


def cnn_train(b) -> None:
    x, y = c.cnn_batch()
    _train(b, "cnn train", _cnn_apply, c.cnn_forward, c.cnn_weights(), x, y)


def inference(b) -> None:
    weights = c.mlp_weights()
    params = [jnp.asarray(w) for w in weights]
    forward = jax.jit(_mlp_apply)
    x, _ = c.mlp_batch(1)
    jx = jnp.asarray(x)
    if b.check("mlp infer 1", forward(params, jx), c.mlp_forward(weights, x)):
        b.time("mlp infer 1", lambda: _sync(forward(params, jx)))
    add_one = jax.jit(lambda x: x + 1.0)
    one = jnp.ones(1, jnp.float32)
    if b.check("call overhead", add_one(one), np.full(1, 2, np.float32)):
        b.time("call overhead", lambda: _sync(add_one(one)))


def cold_start(b) -> None:
    x, y = c.mlp_batch()
    params = [jnp.asarray(w) for w in c.mlp_weights()]
    _sync(_train_step(_mlp_apply)(params, _adam_init(params), jnp.asarray(x), jnp.asarray(y)))
    b.record("cold start", time.time() - b.t0)
