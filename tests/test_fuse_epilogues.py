"""`ember-fuse-epilogues`: a convolution computed row by row inside its elementwise
epilogue's row loop (and, on several threads, inside the epilogue's chunks). Results against
NumPy at every vector width and at 1 to 3 threads, on shapes no tile divides; where it
applies and where it does not; and Keras' Conv2D + relu trained through it."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import rng_for, using_threads
from ember.backends.cpu.backend import STAGES
from ember.passes import run_passes
from ember.runtime.lowered import parse


CLOSE = dict(rtol=2e-4, atol=2e-5)   # sums of 27 products, in another order than NumPy's


def _conv(x, f, strides=1):
    kh, kw = f.shape[:2]
    oh, ow = (x.shape[1] - kh) // strides + 1, (x.shape[2] - kw) // strides + 1
    out = np.zeros((x.shape[0], oh, ow, f.shape[3]), np.float32)
    for i in range(kh):
        for j in range(kw):
            window = x[:, i:i + (oh - 1) * strides + 1:strides, j:j + (ow - 1) * strides + 1:strides]
            out += window @ f[i, j]
    return out


def _conv_bias_relu(x, f, b):
    return em.nn.relu(em.nn.conv2d(x, f) + b)


def _args(channels_out=64, seed="fuse_epilogues"):
    rng = rng_for(seed, channels_out)
    return [rng.standard_normal(s).astype(np.float32)
            for s in [(5, 13, 11, 3), (3, 3, 3, channels_out), (channels_out,)]]


def _after_fusion(fn, *args) -> str:
    passes = list(STAGES[-1].passes)
    module = parse(em.function(fn).lower(*args).as_text("linalg"))
    with module.context:
        run_passes(module, passes[:passes.index("ember-fuse-epilogues") + 1])
    return str(module)


def _convolution_in_row_loop(text: str) -> bool:
    """Whether every convolution generic of the text is inside an scf.for."""
    depth, inside = 0, []
    for line in text.splitlines():
        if "ember.convolution" in line and "linalg.generic" in line:
            inside.append(depth > 0)
        depth += line.count("scf.for ")
        depth -= line.count("scf.yield") if depth else 0
    return bool(inside) and all(inside)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_conv_bias_relu_is_fused_and_right(threads, vector_width):
    x, f, b = _args()
    with using_threads(threads):
        assert _convolution_in_row_loop(_after_fusion(_conv_bias_relu, x, f, b))
        got = em.function(_conv_bias_relu)(x, f, b).numpy()
    np.testing.assert_allclose(got, np.maximum(_conv(x, f) + b, 0), **CLOSE)


def test_a_result_read_elsewhere_is_not_fused():
    x, f, b = _args()

    def both(x, f, b):
        y = em.nn.conv2d(x, f)
        return em.nn.relu(y + b), y

    assert not _convolution_in_row_loop(_after_fusion(both, x, f, b))
    relu, y = em.function(both)(x, f, b)
    np.testing.assert_allclose(y.numpy(), _conv(x, f), **CLOSE)
    np.testing.assert_allclose(relu.numpy(), np.maximum(_conv(x, f) + b, 0),
                               **CLOSE)


def test_strided_conv_epilogue_is_right():
    x, f, b = _args(32)
    def fn(x, f, b):
        return em.tanh(em.nn.conv2d(x, f, strides=2) + b) * 2.0

    got = em.function(fn)(x, f, b).numpy()
    np.testing.assert_allclose(got, np.tanh(_conv(x, f, 2) + b) * 2.0, **CLOSE)


@pytest.mark.parametrize("threads", [1, 2])
def test_keras_conv_relu_trains_the_same_fused(threads):
    # NOTE: relu's gradient comes from its output, so the convolution's result is read only
    # by the epilogue and is fused; the step's losses match the eager (unfused) step's
    keras = em.keras
    rng = rng_for("fuse_epilogues_keras", threads)
    x = rng.standard_normal((6, 12, 12, 2)).astype(np.float32)
    y = rng.integers(0, 3, 6)

    def build(run_eagerly):
        model = keras.Sequential([keras.Input((12, 12, 2)),
                                  keras.layers.Conv2D(32, 3, activation="relu"),
                                  keras.layers.Flatten(), keras.layers.Dense(3)])
        model.set_weights([w * 0.5 for w in _weights(model, rng_for("fuse_epilogues_w"))])
        model.compile(optimizer="adam", run_eagerly=run_eagerly,
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    with using_threads(threads):
        compiled, eager = build(False), build(True)
        for _ in range(3):
            got = float(np.asarray(compiled.train_on_batch(x, y)).ravel()[0])
            want = float(np.asarray(eager.train_on_batch(x, y)).ravel()[0])
            assert got == pytest.approx(want, rel=1e-4)


def _weights(model, rng):
    return [rng.standard_normal(w.shape).astype(np.float32) for w in model.get_weights()]
