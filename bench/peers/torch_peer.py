"""PyTorch, eager (`compiled=False`) or `torch.compile` of the whole function or train step.

Kernels run under `torch.inference_mode()`. Train steps use Adam with `fused=True` where
this build supports it on the CPU, else `foreach=True`. NHWC data is viewed as NCHW with
channels-last strides (no copy) for the conv2d row; the CNN runs torch's default NCHW, its
first Dense kernel's rows permuted once so that it computes exactly the Keras model.
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from . import common as c


def setup(threads: int) -> None:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)


def version() -> str:
    return f"torch {torch.__version__}"


def _maybe_compile(fn, compiled: bool):
    return torch.compile(fn) if compiled else fn


def _t(array) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def matmul(b, compiled: bool) -> None:
    f = _maybe_compile(torch.matmul, compiled)
    with torch.inference_mode():
        for n in c.MATMUL_SIZES:
            x, y = c.matmul_inputs(n)
            tx, ty = _t(x), _t(y)
            case = f"matmul {n}"
            if b.check(case, f(tx, ty).numpy(), x @ y):
                b.time(case, lambda: f(tx, ty))


def dense(b, compiled: bool) -> None:
    x, w, bias = c.dense_inputs()
    # NOTE: addmm is the fused matmul + bias; relu_ works in place on its fresh result.
    f = _maybe_compile(lambda x, w, bias: torch.relu_(torch.addmm(bias, x, w)), compiled)
    tx, tw, tb = _t(x), _t(w), _t(bias)
    with torch.inference_mode():
        if b.check("dense 1024", f(tx, tw, tb).numpy(), c.dense(x, w, bias)):
            b.time("dense 1024", lambda: f(tx, tw, tb))


# NOTE: Python floats: NumPy scalars inside a compiled function make Dynamo's guards fail.
CHAIN_A, CHAIN_B = float(c.CHAIN_A), float(c.CHAIN_B)


def _chain(x):
    return F.gelu(x * CHAIN_A + CHAIN_B, approximate="tanh") + x


def elementwise(b, compiled: bool) -> None:
    x = c.chain_input()
    f, tx = _maybe_compile(_chain, compiled), _t(x)
    with torch.inference_mode():
        if b.check("chain 4M", f(tx).numpy(), c.chain(x)):
            b.time("chain 4M", lambda: f(tx))


def norms(b, compiled: bool) -> None:
    x, gamma, beta = c.norm_inputs()
    tx, tg, tb = _t(x), _t(gamma), _t(beta)
    softmax = _maybe_compile(lambda x: torch.softmax(x, dim=-1), compiled)
    layernorm = _maybe_compile(
        lambda x, g, b: F.layer_norm(x, x.shape[-1:], g, b, eps=c.LAYERNORM_EPS), compiled)
    with torch.inference_mode():
        if b.check("softmax", softmax(tx).numpy(), c.softmax(x)):
            b.time("softmax", lambda: softmax(tx))
        if b.check("layernorm", layernorm(tx, tg, tb).numpy(), c.layernorm(x, gamma, beta)):
            b.time("layernorm", lambda: layernorm(tx, tg, tb))


def conv2d(b, compiled: bool) -> None:
    x, f = c.conv_inputs()
    tx = _t(x).permute(0, 3, 1, 2)  # NCHW view of the NHWC data: channels-last strides
    tf = _t(f.transpose(3, 2, 0, 1)).contiguous(memory_format=torch.channels_last)
    conv = _maybe_compile(lambda x, f: F.conv2d(x, f, padding="same"), compiled)
    with torch.inference_mode():
        got = conv(tx, tf).permute(0, 2, 3, 1).numpy()
        if b.check("conv2d", got, c.conv2d(x, f, "same")):
            b.time("conv2d", lambda: conv(tx, tf))


def _linear(layer: torch.nn.Linear, kernel, bias) -> None:
    layer.weight.data.copy_(_t(kernel.T))
    layer.bias.data.copy_(_t(bias))


def _mlp() -> torch.nn.Module:
    sizes, weights = c.MLP_SIZES, c.mlp_weights()
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        linear = torch.nn.Linear(n_in, n_out)
        _linear(linear, weights[2 * i], weights[2 * i + 1])
        layers += [linear, torch.nn.ReLU()] if i + 2 < len(sizes) else [linear]
    return torch.nn.Sequential(*layers)


def _cnn() -> torch.nn.Module:
    k1, b1, k2, b2, w3, b3, w4, b4 = c.cnn_weights()
    conv1, conv2 = torch.nn.Conv2d(1, 32, 3), torch.nn.Conv2d(32, 64, 3)
    for conv, kernel, bias in ((conv1, k1, b1), (conv2, k2, b2)):
        conv.weight.data.copy_(_t(kernel.transpose(3, 2, 0, 1)))  # HWIO -> OIHW
        conv.bias.data.copy_(_t(bias))
    dense1, dense2 = torch.nn.Linear(1600, 128), torch.nn.Linear(128, 10)
    # NOTE: Keras flattens (h, w, c), torch (c, h, w): permute the kernel's rows once.
    _linear(dense1, w3.reshape(5, 5, 64, 128).transpose(2, 0, 1, 3).reshape(1600, 128), b3)
    _linear(dense2, w4, b4)
    return torch.nn.Sequential(conv1, torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               conv2, torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), dense1, torch.nn.ReLU(), dense2)


def _adam(params):
    kwargs = dict(lr=c.LEARNING_RATE, eps=c.ADAM_EPS)
    try:
        return torch.optim.Adam(params, fused=True, **kwargs)
    except (RuntimeError, ValueError):  # NOTE: no fused CPU kernel in this build
        return torch.optim.Adam(params, foreach=True, **kwargs)


def _train_step(model, compiled: bool):
    """forward, cross-entropy, backward and Adam: one function, compiled whole or eager."""
    opt = _adam(model.parameters())

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return _maybe_compile(step, compiled)


def _train(b, case: str, model, x, y, first_loss: float, compiled: bool) -> None:
    step = _train_step(model, compiled)
    tx, ty = _t(x), _t(y.astype(np.int64))
    losses = [step(tx, ty).item() for _ in range(c.LOSS_STEPS)]
    if b.check_losses(case, losses, first_loss):
        b.time(case, lambda: step(tx, ty))


def mlp_train(b, compiled: bool) -> None:
    x, y = c.mlp_batch()
    first = c.cross_entropy(c.mlp_forward(c.mlp_weights(), x), y)
    _train(b, "mlp train", _mlp(), x, y, first, compiled)


def cnn_train(b, compiled: bool) -> None:
    x, y = c.cnn_batch()
    first = c.cross_entropy(c.cnn_forward(c.cnn_weights(), x), y)
    _train(b, "cnn train", _cnn(), x.transpose(0, 3, 1, 2), y, first, compiled)


def inference(b, compiled: bool) -> None:
    model = _mlp().eval()
    forward = _maybe_compile(model, compiled)
    x, _ = c.mlp_batch(1)
    tx = _t(x)
    with torch.inference_mode():
        if b.check("mlp infer 1", forward(tx).numpy(), c.mlp_forward(c.mlp_weights(), x)):
            b.time("mlp infer 1", lambda: forward(tx))
        add_one = _maybe_compile(lambda x: x + 1.0, compiled)
        one = torch.ones(1)
        if b.check("call overhead", add_one(one).numpy(), np.full(1, 2, np.float32)):
            b.time("call overhead", lambda: add_one(one))


def cold_start(b, compiled: bool) -> None:
    x, y = c.mlp_batch()
    _train_step(_mlp(), compiled)(_t(x), _t(y.astype(np.int64))).item()
    b.record("cold start", time.time() - b.t0)
