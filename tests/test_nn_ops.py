"""Convolution and pooling (dialects/ops/nn.py, em.nn): eager forward and gradient ops
against naive loop references (tests/references.py), compiled against eager, TensorFlow's
"same" padding, gradient rules against central finite differences, ties, and errors."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import ember as em
import references as ref
from conftest import assert_same, rng_for
from ember.dialects.ops import nn as conv_ops
from ember.dialects.ops import pooling as pool_ops
from ember.frontend.windows import explicit_padding, pair


def here() -> str:
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _attrs(x_shape, window, strides, dilations, padding):
    """(strides, dilations, explicit padding) as em.nn computes them."""
    strides, dilations = pair("test", "strides", strides), pair("test", "dilations", dilations)
    pads = explicit_padding("test", padding, x_shape[1:3], window, strides, dilations)
    return strides, dilations, pads


# -- configurations: strides 1/2, dilation 2, same/valid, odd/even sizes, batch and channels > 1 --
CONVS = [  # x shape, filter shape, strides, dilations, padding
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, 1, "valid"),
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, 1, "same"),
    ((1, 8, 8, 2), (3, 3, 2, 3), 2, 1, "SAME"),
    ((2, 7, 7, 2), (2, 2, 2, 3), 2, 1, "same"),       # even window on odd size: pads (0, 1)
    ((2, 9, 8, 2), (3, 2, 2, 2), (2, 1), 1, "valid"),  # last rows unread
    ((1, 9, 9, 2), (3, 3, 2, 2), 1, 2, "same"),
    ((1, 10, 9, 3), (2, 3, 3, 2), 1, (2, 1), "Valid"),
    ((2, 6, 7, 1), (3, 3, 1, 2), 2, 2, "same"),
    ((1, 5, 6, 2), (2, 3, 2, 2), (1, 2), 1, ((2, 0), (1, 3))),  # explicit, asymmetric
]
POOLS = [  # x shape, ksize, strides, padding
    ((2, 6, 6, 3), 2, 2, "valid"),
    ((2, 7, 6, 2), 3, 2, "same"),
    ((1, 5, 8, 2), (3, 2), (1, 2), "same"),
    ((2, 7, 7, 1), (2, 3), (3, 1), "valid"),
    ((1, 4, 5, 2), 3, 1, "same"),
]


def _conv_inputs(i, dtype="float64"):
    xs, fs, *_ = CONVS[i]
    rng = rng_for("conv", i)
    return rng.uniform(-1, 1, xs).astype(dtype), rng.uniform(-1, 1, fs).astype(dtype)


def _pool_input(i, dtype="float64"):
    return rng_for("pool", i).uniform(-2, 2, POOLS[i][0]).astype(dtype)


@pytest.mark.parametrize("i", range(len(CONVS)))
def test_conv2d_eager_matches_loops(i):
    xs, fs, strides, dilations, padding = CONVS[i]
    x, f = _conv_inputs(i)
    got = em.nn.conv2d(x, f, strides=strides, padding=padding, dilations=dilations).numpy()
    s, d, p = _attrs(xs, fs[:2], strides, dilations, padding)
    assert_same(got, ref.conv2d(x, f, s, d, p), exact=False, what=f"conv2d {CONVS[i]}")
    g = rng_for("g", i).uniform(-1, 1, got.shape)
    window = dict(strides=s, dilations=d, padding=p)
    dx = conv_ops.conv2d_backprop_input.bind(em.constant(g), em.constant(f), input_shape=xs, **window)
    df = conv_ops.conv2d_backprop_filter.bind(em.constant(x), em.constant(g), filter_shape=fs, **window)
    assert_same(dx.numpy(), ref.conv2d_input_grad(g, f, xs, s, d, p), exact=False, what="input grad")
    assert_same(df.numpy(), ref.conv2d_filter_grad(x, g, fs, s, d, p), exact=False, what="filter grad")


@pytest.mark.parametrize("i", range(len(POOLS)))
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_eager_matches_loops(i, kind):
    xs, ksize, strides, padding = POOLS[i]
    x = _pool_input(i)
    fn = em.nn.max_pool2d if kind == "max" else em.nn.avg_pool2d
    got = fn(x, ksize, strides, padding).numpy()
    ksize = pair("test", "ksize", ksize)
    s, _, p = _attrs(xs, ksize, strides, 1, padding)
    assert_same(got, ref.pool2d(x, ksize, s, p, kind), exact=kind == "max", what=f"{kind}_pool2d {POOLS[i]}")
    g = rng_for("pool g", i).uniform(-1, 1, got.shape)
    window = dict(ksize=ksize, strides=s, padding=p)
    if kind == "max":
        dx, want = pool_ops.max_pool2d_grad.bind(em.constant(x), em.constant(g), **window), ref.max_pool2d_grad(x, g, ksize, s, p)
    else:
        dx, want = pool_ops.avg_pool2d_grad.bind(em.constant(g), input_shape=xs, **window), ref.avg_pool2d_grad(g, xs, ksize, s, p)
    assert_same(dx.numpy(), want, exact=False, what=f"{kind}_pool2d gradient")


def test_same_padding_is_tensorflows():
    # TF: out = ceil(in / stride); the odd pixel of the total padding goes after.
    assert explicit_padding("t", "same", (5, 6), (3, 3), (2, 2)) == (1, 1, 0, 1)
    assert explicit_padding("t", "same", (4, 4), (4, 2), (1, 1)) == (1, 2, 0, 1)
    assert explicit_padding("t", "same", (5, 5), (3, 3), (1, 1), (2, 2)) == (2, 2, 2, 2)
    assert explicit_padding("t", "same", (7, 7), (1, 1), (2, 2)) == (0, 0, 0, 0)
    assert explicit_padding("t", "VALID", (7, 7), (3, 3), (2, 2)) == (0, 0, 0, 0)
    assert explicit_padding("t", [[0, 0], [1, 2], [3, 4], [0, 0]], (7, 7), (3, 3), (1, 1)) == (1, 2, 3, 4)
    for size in range(1, 10):
        for s in (1, 2, 3):
            y = em.nn.conv2d(np.ones((1, size, size, 1)), np.ones((3, 3, 1, 1)), strides=s, padding="same")
            assert y.shape[1:3] == (-(-size // s),) * 2


def _forward_and_gradients(conv_indices, pool_indices, dtype):
    """(function, inputs, eager outputs): the forward ops and gradient primitives of the
    chosen conv/pool configs, in ONE em.function (compiling costs ~50 ms a function)."""
    inputs, calls = [], []
    for i in conv_indices:
        xs, fs, strides, dilations, padding = CONVS[i]
        x, f = _conv_inputs(i, dtype)
        window = dict(zip(("strides", "dilations", "padding"), _attrs(xs, fs[:2], strides, dilations, padding)))
        g = rng_for("g", i).uniform(-1, 1, conv_ops.conv2d.infer((em.constant(x).aval, em.constant(f).aval),
                                                            window).shape).astype(dtype)
        inputs += [x, f, g]
        calls.append(lambda x, f, g, w=window: (
            conv_ops.conv2d.bind(x, f, **w), conv_ops.conv2d_backprop_input.bind(g, f, input_shape=x.shape, **w),
            conv_ops.conv2d_backprop_filter.bind(x, g, filter_shape=f.shape, **w)))
    for i in pool_indices:
        xs, ksize, strides, padding = POOLS[i]
        ksize = pair("t", "ksize", ksize)
        strides_, _, pads = _attrs(xs, ksize, strides, 1, padding)
        window = dict(ksize=ksize, strides=strides_, padding=pads)
        x = _pool_input(i, dtype)
        g = rng_for("pool g", i).uniform(-1, 1, pool_ops.max_pool2d.infer((em.constant(x).aval,), window).shape)
        inputs += [x, g.astype(dtype)]
        calls.append(lambda x, g, w=window: (
            pool_ops.max_pool2d.bind(x, **w), pool_ops.max_pool2d_grad.bind(x, g, **w),
            pool_ops.avg_pool2d.bind(x, **w), pool_ops.avg_pool2d_grad.bind(g, input_shape=x.shape, **w)))

    def run(*arrays):
        outs, k = [], 0
        for call in calls:
            n = call.__code__.co_argcount - 1
            outs += call(*arrays[k:k + n])
            k += n
        return outs

    eager = [t.numpy() for t in run(*[em.constant(a) for a in inputs])]
    return em.function(run), inputs, eager


@pytest.mark.parametrize("dtype, parity", [("float32", 0), ("float64", 1)])
def test_compiled_matches_eager(dtype, parity):
    # NOTE: each config is compiled in one of the dtypes (half each): the module of all of
    # them takes ~2 s to compile.
    fn, inputs, eager = _forward_and_gradients(range(parity, len(CONVS), 2),
                                               range(parity, len(POOLS), 2), dtype)
    compiled = fn(*inputs)
    assert len(compiled) == len(eager)
    for k, (c, e) in enumerate(zip(compiled, eager)):
        assert_same(c.numpy(), e, exact=False, what=f"output {k}")


def test_em_nn_functions_trace_to_their_primitives():
    x = np.ones((1, 6, 6, 2), np.float32)
    f = em.function(lambda x, w: (em.nn.conv2d(x, w, 2, "same"), em.nn.max_pool2d(x, 2),
                                  em.nn.avg_pool2d(x, 3, 1, "same")))
    text = f.get_concrete_function(x, np.ones((3, 3, 2, 4), np.float32)).module_text
    for prim in ("conv2d", "max_pool2d", "avg_pool2d"):
        assert f'"ember.{prim}"' in text


# -- gradient rules against central finite differences (float64) ------------------------------
def check_vjp_rule(prim, arrays, attrs, wrt, eps=1e-6, seed=0):
    """<g, (f(x + eps d) - f(x - eps d)) / 2 eps> == <vjp(g)[i], d> for each operand i in `wrt`."""
    rng = rng_for(prim.name, seed)
    tensors = [em.constant(a) for a in arrays]
    out = prim.bind(*tensors, **attrs)
    g = rng.normal(size=out.shape)
    cotangents = prim.vjp_rule(em.constant(g), out, *tensors, **attrs)
    assert len(cotangents) == len(arrays)
    for i in wrt:
        d = rng.normal(size=arrays[i].shape)
        plus, minus = list(tensors), list(tensors)
        plus[i], minus[i] = em.constant(arrays[i] + eps * d), em.constant(arrays[i] - eps * d)
        numeric = np.sum(g * (prim.bind(*plus, **attrs).numpy() - prim.bind(*minus, **attrs).numpy())) / (2 * eps)
        analytic = np.sum(cotangents[i].numpy() * d)
        assert cotangents[i].shape == arrays[i].shape and cotangents[i].dtype is em.float64
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9, err_msg=f"{prim.name} operand {i}")
    return cotangents


@pytest.mark.parametrize("i", [1, 3, 4, 7, 8])
def test_conv2d_gradients(i):
    xs, fs, strides, dilations, padding = CONVS[i]
    x, f = _conv_inputs(i)
    s, d, p = _attrs(xs, fs[:2], strides, dilations, padding)
    window = dict(strides=s, dilations=d, padding=p)
    check_vjp_rule(conv_ops.conv2d, [x, f], window, wrt=(0, 1))
    g = conv_ops.conv2d.bind(em.constant(x), em.constant(f), **window).numpy()
    check_vjp_rule(conv_ops.conv2d_backprop_input, [g, f], dict(input_shape=xs, **window), wrt=(0, 1))
    check_vjp_rule(conv_ops.conv2d_backprop_filter, [x, g], dict(filter_shape=fs, **window), wrt=(0, 1))


@pytest.mark.parametrize("i", range(len(POOLS)))
def test_pool_gradients(i):
    xs, ksize, strides, padding = POOLS[i]
    ksize = pair("t", "ksize", ksize)
    s, _, p = _attrs(xs, ksize, strides, 1, padding)
    window = dict(ksize=ksize, strides=s, padding=p)
    x = _pool_input(i)  # NOTE: distinct random values: no ties within eps
    check_vjp_rule(pool_ops.max_pool2d, [x], window, wrt=(0,))
    g = pool_ops.max_pool2d.bind(em.constant(x), **window).numpy()
    assert check_vjp_rule(pool_ops.max_pool2d_grad, [x, g], window, wrt=(1,))[0] is None  # x only routes
    check_vjp_rule(pool_ops.avg_pool2d, [x], window, wrt=(0,))
    g = pool_ops.avg_pool2d.bind(em.constant(x), **window).numpy()
    check_vjp_rule(pool_ops.avg_pool2d_grad, [g], dict(input_shape=xs, **window), wrt=(0,))


def test_max_pool_gradient_goes_to_the_first_maximum_of_each_window():
    x = np.array([1.0, 3.0, 3.0, 2.0, 3.0]).reshape(1, 1, 5, 1)
    g = np.array([10.0, 20.0, 30.0, 40.0]).reshape(1, 1, 4, 1)
    want = np.array([0.0, 10.0 + 20.0, 30.0, 0.0, 40.0]).reshape(1, 1, 5, 1)
    # windows (stride 1): [1 3] [3 3] [3 2] [2 3]; the tie [3 3] goes to its first 3
    attrs = dict(ksize=(1, 2), strides=(1, 1), padding=(0, 0, 0, 0))
    eager = pool_ops.max_pool2d_grad.bind(em.constant(x), em.constant(g), **attrs).numpy()
    compiled = em.function(lambda x, g: pool_ops.max_pool2d_grad.bind(x, g, **attrs))(x, g).numpy()
    assert_same(eager, want, exact=True, what="eager")
    assert_same(compiled, want, exact=True, what="compiled")


def test_max_pool_padding_never_wins_and_nan_propagates():
    x = np.full((1, 3, 3, 1), -5.0, np.float32)
    x[0, 2, 2, 0] = np.nan
    f = em.function(lambda x: (em.nn.max_pool2d(x, 2, 1, "same"),
                               pool_ops.max_pool2d_grad.bind(x, em.ones((1, 3, 3, 1)), ksize=(2, 2),
                                                        strides=(1, 1), padding=(0, 1, 0, 1))))
    pooled = np.array([[-5, -5, -5], [-5, np.nan, np.nan], [-5, np.nan, np.nan]], np.float32)
    grads = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 4]], np.float32)  # the NaN takes 4 windows
    for got in (f(x), (em.nn.max_pool2d(x, 2, 1, "same"), pool_ops.max_pool2d_grad.bind(
            x, np.ones((1, 3, 3, 1), np.float32), ksize=(2, 2), strides=(1, 1), padding=(0, 1, 0, 1)))):
        assert_same(got[0].numpy()[0, :, :, 0], pooled, exact=True, what="max_pool2d")
        assert_same(got[1].numpy()[0, :, :, 0], grads, exact=True, what="max_pool2d_grad")


def test_avg_pool_same_divides_by_the_elements_inside():
    x = np.ones((1, 5, 4, 2), np.float32)
    assert_same(em.nn.avg_pool2d(x, 3, 2, "same").numpy(), np.ones((1, 3, 2, 2), np.float32),
                exact=True, what="avg of ones")


# -- errors --------------------------------------------------------------------------------------
def test_conv2d_channel_mismatch_names_both_shapes_and_the_users_line():
    with pytest.raises(em.ShapeError) as err:
        site = here(); em.nn.conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4)))  # noqa: E702
    message = str(err.value)
    assert "(1, 5, 5, 3)" in message and "(3, 3, 2, 4)" in message and "channels" in message
    assert site in message


def test_conv2d_in_a_trace_points_at_the_users_line():
    sites = []

    @em.function
    def f(x, w):
        sites.append(here()); return em.nn.conv2d(x, w)  # noqa: E702

    with pytest.raises(em.ShapeError) as err:
        f(np.ones((1, 5, 5, 3), np.float32), np.ones((3, 3, 4, 4), np.float32))
    assert sites[0] in str(err.value) and "(3, 3, 4, 4)" in str(err.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda: em.nn.conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 3, 4))), em.ShapeError,
     ["conv2d", "(5, 5, 3)", "(3, 3, 3, 4)", "rank 4"]),
    (lambda: em.nn.conv2d(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1))), em.ShapeError,
     ["conv2d", "does not fit", "(1, 2, 2, 1)"]),
    (lambda: em.nn.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), padding="full"), ValueError,
     ["conv2d", "padding='full'"]),
    (lambda: em.nn.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), strides=0), ValueError,
     ["conv2d", "strides=0"]),
    (lambda: em.nn.conv2d(np.ones((1, 5, 5, 1), np.int32), np.ones((3, 3, 1, 1), np.int32)), em.DTypeError,
     ["conv2d", "floating-point", "int32"]),
    (lambda: em.nn.max_pool2d(np.ones((1, 5, 5)), 2), em.ShapeError, ["max_pool2d", "(1, 5, 5)"]),
    (lambda: em.nn.avg_pool2d(np.ones((1, 2, 2, 1)), 3), em.ShapeError, ["avg_pool2d", "does not fit"]),
    (lambda: em.nn.max_pool2d(np.ones((1, 5, 5, 1)), 2, padding=((2, 0), (0, 0))), em.ShapeError,
     ["max_pool2d", "smaller than the window"]),
    (lambda: conv_ops.conv2d_backprop_input.bind(em.ones((1, 2, 2, 1)), em.ones((3, 3, 1, 1)),
                                            input_shape=(1, 5, 5, 1), strides=(1, 1), dilations=(1, 1),
                                            padding=(0, 0, 0, 0)), em.ShapeError,
     ["conv2d_backprop_input", "(1, 2, 2, 1)", "(1, 3, 3, 1)"]),
])
def test_errors(call, error, words):
    with pytest.raises(error) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert f"(at {__file__}:" in message


def test_a_small_cnn_differentiates_with_em_grad_eagerly_and_compiled():
    rng = rng_for("cnn")
    x, w = rng.normal(size=(2, 7, 6, 2)), rng.normal(size=(3, 3, 2, 3))
    r = rng.normal(size=(2, 2, 2, 3))

    def loss(x, w):
        y = em.nn.max_pool2d(em.nn.relu(em.nn.conv2d(x, w, 2, "same")), 2, 1, "same")
        return em.reduce_sum(em.nn.avg_pool2d(y, 2, padding="same") * r)

    grad = em.grad(loss, argnums=(0, 1))
    eager = grad(em.constant(x), em.constant(w))
    compiled = em.function(grad)(x, w)
    for e, c in zip(eager, compiled):
        assert_same(c.numpy(), e.numpy(), exact=False, what="compiled gradient")
    dx, dw = rng.normal(size=x.shape), rng.normal(size=w.shape)
    eps = 1e-6
    numeric = (loss(em.constant(x + eps * dx), em.constant(w + eps * dw)).numpy()
               - loss(em.constant(x - eps * dx), em.constant(w - eps * dw)).numpy()) / (2 * eps)
    analytic = np.sum(eager[0].numpy() * dx) + np.sum(eager[1].numpy() * dw)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)
