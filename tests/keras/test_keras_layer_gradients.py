"""Gradient checks of every em.keras layer in float64: d sum(layer(x) * r) with respect to each
float input and each trainable weight, from `em.GradientTape`, against central finite
differences (weights perturbed with `Variable.assign`), and the same gradients computed inside
`@em.function` against the eager ones. Also `em.keras.utils`."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import rng_for
from gradcheck import COMPILED_TOLERANCES, finite_differences

L = em.keras.layers
F64 = dict(dtype="float64")
# NOTE: attention is invariant to the key bias b (it adds q.b to a whole row of logits, which
# softmax takes out): its gradient is 0, and every other input or weight must matter.
ZERO_GRADIENT = ("/key/bias",)


@pytest.fixture(autouse=True)
def seeded():
    """Reproducible initial weights (they come from the global seed stream)."""
    em.keras.utils.set_random_seed(0)


# -- the check -------------------------------------------------------------------------------
def state_of(layer) -> list:
    """The non-trainable variables (moving statistics, seed-generator states) and their values."""
    trainable = {id(v) for v in layer.trainable_weights}
    return [(v, np.array(v.numpy())) for v in layer.variables if id(v) not in trainable]


def restore(state) -> None:
    """Puts back the state, so that every evaluation sees the same statistics and dropout mask."""
    for variable, value in state:
        variable.assign(value)


def cotangent(shape, seed=0) -> np.ndarray:
    """The random r of the objective sum(layer(x) * r)."""
    return rng_for("cotangent", shape, seed).standard_normal(shape)


def layer_gradients(layer, call, tensors, r) -> list:
    """d sum(call(layer, *tensors) * r) / d (tensors, trainable weights) with a GradientTape."""
    with em.GradientTape() as tape:
        tape.watch(list(tensors))
        loss = em.reduce_sum(call(layer, *tensors) * r)
    return tape.gradient(loss, list(tensors) + layer.trainable_weights)


def check_layer_gradients(layer, call, inputs, *, trainable: int, eps=1e-6, rtol=1e-6,
                          atol=1e-8, seed=0) -> list:
    """Checks the gradients of `call(layer, *inputs)` (NumPy inputs; floats are differentiated)
    with respect to the float inputs and the `trainable` trainable weights of the layer.
    Returns the eager gradients (inputs first, then weights) as NumPy arrays."""
    inputs = [np.asarray(a) for a in inputs]
    out = call(layer, *inputs)  # builds the layer
    assert out.dtype == em.float64, f"{layer.name}: a float64 layer returned {out.dtype.name}"
    weights = layer.trainable_weights
    assert len(weights) == trainable, f"{layer.name}: trainable weights {[w.name for w in weights]}"
    assert all(w.dtype == em.float64 for w in weights), [w.dtype.name for w in weights]
    state = state_of(layer)
    base = [np.array(w.numpy()) for w in weights]
    r = cotangent(out.shape, seed)

    def evaluate(*arrays):
        """The layer as a function of its inputs and its weights' values."""
        restore(state)
        for w, value in zip(weights, arrays[len(inputs):]):
            w.assign(value)
        return call(layer, *arrays[:len(inputs)])

    expected = finite_differences(evaluate, inputs + base, r, eps)
    for w, value in zip(weights, base):
        w.assign(value)
    restore(state)
    tensors = [em.constant(a) for a in inputs]
    eager = layer_gradients(layer, call, tensors, r)
    names = [f"input {i}" for i in range(len(inputs))] + [w.name for w in weights]
    for name, a, g, fd in zip(names, inputs + base, eager, expected):
        if fd is None:
            assert g is None, f"d/d({name}): a {a.dtype} input has a gradient"
            continue
        if not name.endswith(ZERO_GRADIENT):
            assert np.abs(fd).max() > 1e-6, f"{layer.name}: the output does not depend on {name}"
        assert isinstance(g, em.Tensor), f"d/d({name}): GradientTape gave {g!r}"
        assert g.shape == a.shape and g.dtype == em.float64, (name, g.shape, g.dtype.name)
        np.testing.assert_allclose(g.numpy(), fd, rtol=rtol, atol=atol,
                                   err_msg=f"{layer.name}: d/d({name}), tape vs finite differences")
    eager = [None if g is None else g.numpy() for g in eager]

    @em.function
    def compiled(*xs):
        return layer_gradients(layer, call, xs, r)

    restore(state)
    for name, e, c in zip(names, eager, compiled(*inputs)):
        if e is None:
            assert c is None, f"d/d({name}) compiled: expected no gradient"
            continue
        np.testing.assert_allclose(c.numpy(), e, err_msg=f"{layer.name}: d/d({name}) compiled",
                                   **COMPILED_TOLERANCES["float64"])
    restore(state)
    return eager


# -- inputs ----------------------------------------------------------------------------------
def normal(*shape, seed=0):
    return rng_for("inputs", shape, seed).standard_normal(shape)


def away_from_kinks(*shape, seed=0):
    """Floats with |x| in [0.1, 8], none within 0.05 of 6 (relu6)."""
    x = rng_for("kinks", shape, seed).uniform(0.1, 8, shape)
    x = np.where(np.abs(x - 6) < 0.05, 5.9, x)
    return x * rng_for("signs", shape, seed).choice([-1, 1], shape)


def mask(b, t, s, seed=0):
    """A random (b, t, s) attention mask with at least one True per row."""
    m = rng_for("mask", b, t, s, seed).random((b, t, s)) < 0.6
    m[..., 0] = True
    return m


def plain(layer, x):
    return layer(x)


def training(layer, x):
    return layer(x, training=True)


def inference(layer, x):
    return layer(x, training=False)


def merge(layer, *xs):
    return layer(list(xs))


def attention(**kwargs):
    def call(layer, *tensors):
        return layer(*tensors, **kwargs)
    return call


def spread(minval=None, maxval=None):
    """Weights of order 1 for biases, offsets and moving statistics (their defaults, zeros
    and ones, would hide a weight that is wrongly ignored or a mixed-up axis)."""
    if minval is None:
        return em.keras.initializers.RandomNormal(stddev=1.0)
    return em.keras.initializers.RandomUniform(minval, maxval)


def sequential_model():
    return em.keras.Sequential([
        em.keras.Input((5, 5, 2), dtype="float64"), L.Conv2D(2, 3, activation="tanh", **F64),
        L.BatchNormalization(**F64), L.MaxPooling2D(**F64), L.Flatten(**F64),
        L.Dropout(0.3, seed=0, **F64), L.Dense(3, activation="softmax", **F64)])


def functional_model():
    x = em.keras.Input((3, 4), dtype="float64")
    h = L.Add(**F64)([x, L.MultiHeadAttention(2, 2, **F64)(x, x)])
    h = L.LayerNormalization(gamma_initializer=spread(), **F64)(h)
    h = L.GlobalAveragePooling2D(**F64)(L.Reshape((3, 2, 2), **F64)(h))
    return em.keras.Model(x, L.Dense(2, **F64)(h))


# name: (layer maker, call, inputs maker, number of trainable weights)
CASES = {
    "dense": (lambda: L.Dense(3, bias_initializer=spread(), **F64), plain,
              lambda: [normal(2, 4)], 2),
    "dense_3d_relu": (lambda: L.Dense(3, activation="relu", bias_initializer=spread(), **F64),
                      plain, lambda: [normal(2, 3, 4)], 2),
    "dense_no_bias": (lambda: L.Dense(2, use_bias=False, **F64), plain,
                      lambda: [normal(3, 2)], 1),
    "conv2d": (lambda: L.Conv2D(3, 3, bias_initializer=spread(), **F64), plain,
               lambda: [normal(2, 5, 5, 2)], 2),
    "conv2d_same_strided": (lambda: L.Conv2D(2, (3, 2), strides=2, padding="same", **F64),
                            plain, lambda: [normal(1, 5, 6, 2)], 2),
    "conv2d_dilated_tanh": (lambda: L.Conv2D(2, 2, dilation_rate=2, activation="tanh", **F64),
                            plain, lambda: [normal(1, 5, 5, 2)], 2),
    "max_pooling2d": (lambda: L.MaxPooling2D(**F64), plain, lambda: [normal(2, 4, 4, 2)], 0),
    "max_pooling2d_same_strided": (lambda: L.MaxPooling2D(3, strides=2, padding="same", **F64),
                                   plain, lambda: [normal(1, 5, 5, 2)], 0),
    "average_pooling2d": (lambda: L.AveragePooling2D(**F64), plain,
                          lambda: [normal(2, 4, 4, 2)], 0),
    "average_pooling2d_same_strided": (
        lambda: L.AveragePooling2D(3, strides=2, padding="same", **F64), plain,
        lambda: [normal(1, 5, 5, 2)], 0),
    "global_average_pooling2d": (lambda: L.GlobalAveragePooling2D(**F64), plain,
                                 lambda: [normal(2, 3, 3, 2)], 0),
    "flatten": (lambda: L.Flatten(**F64), plain, lambda: [normal(2, 3, 2, 2)], 0),
    "reshape": (lambda: L.Reshape((-1, 2), **F64), plain, lambda: [normal(2, 3, 4)], 0),
    "dropout_inference": (lambda: L.Dropout(0.4, seed=1, **F64), inference,
                          lambda: [normal(3, 4)], 0),
    "dropout_training": (lambda: L.Dropout(0.4, seed=1, **F64), training,
                         lambda: [normal(3, 4)], 0),
    "dropout_noise_shape": (lambda: L.Dropout(0.5, noise_shape=(None, 1, 3), seed=2, **F64),
                            training, lambda: [normal(2, 4, 3)], 0),
    "batch_normalization_training": (
        lambda: L.BatchNormalization(beta_initializer=spread(), gamma_initializer=spread(), **F64),
        training, lambda: [normal(4, 3)], 2),
    "batch_normalization_inference": (
        lambda: L.BatchNormalization(beta_initializer=spread(), gamma_initializer=spread(),
                                     moving_mean_initializer=spread(),
                                     moving_variance_initializer=spread(0.5, 2.0), **F64),
        inference, lambda: [normal(4, 3)], 2),
    "batch_normalization_axis1_training": (
        lambda: L.BatchNormalization(axis=1, beta_initializer=spread(), **F64),
        training, lambda: [normal(3, 2, 2, 2)], 2),
    "batch_normalization_no_scale": (lambda: L.BatchNormalization(scale=False, **F64), training,
                                     lambda: [normal(4, 3)], 1),
    "layer_normalization": (
        lambda: L.LayerNormalization(beta_initializer=spread(), gamma_initializer=spread(), **F64),
        plain, lambda: [normal(2, 3, 4)], 2),
    "layer_normalization_two_axes": (
        lambda: L.LayerNormalization(axis=[1, 2], gamma_initializer=spread(), **F64),
        plain, lambda: [normal(2, 3, 2)], 2),
    "embedding": (lambda: L.Embedding(5, 3, **F64), plain,  # repeated ids: summed gradients
                  lambda: [np.array([[0, 2, 2], [4, 0, 2]], np.int32)], 1),
    "add": (lambda: L.Add(**F64), merge,
            lambda: [normal(2, 3), normal(2, 3, seed=1), normal(2, 3, seed=2)], 0),
    "add_broadcast": (lambda: L.Add(**F64), merge,
                      lambda: [normal(2, 3), normal(1, 3, seed=1)], 0),
    "concatenate": (lambda: L.Concatenate(**F64), merge,
                    lambda: [normal(2, 3), normal(2, 1, seed=1)], 0),
    "concatenate_axis1": (lambda: L.Concatenate(axis=1, **F64), merge,
                          lambda: [normal(2, 1, 2), normal(2, 3, 2, seed=1)], 0),
    "multi_head_attention": (
        lambda: L.MultiHeadAttention(2, 3, bias_initializer=spread(), **F64),
        attention(), lambda: [normal(2, 3, 4), normal(2, 2, 4, seed=1)], 8),
    "multi_head_attention_masked_key": (
        lambda: L.MultiHeadAttention(2, 2, value_dim=3, output_shape=5,
                                     bias_initializer=spread(), **F64),
        attention(attention_mask=mask(2, 3, 4)),
        lambda: [normal(2, 3, 4), normal(2, 4, 3, seed=1), normal(2, 4, 2, seed=2)], 8),
    "multi_head_attention_causal": (lambda: L.MultiHeadAttention(1, 2, use_bias=False, **F64),
                                    attention(use_causal_mask=True),
                                    lambda: [normal(1, 3, 2), normal(1, 3, 2, seed=1)], 4),
    "multi_head_attention_dropout": (
        lambda: L.MultiHeadAttention(2, 2, dropout=0.3, seed=3, **F64), attention(training=True),
        lambda: [normal(1, 3, 2), normal(1, 4, 2, seed=1)], 8),
    # whole models: the layers' gradients compose, and float64 inputs stay float64
    "sequential_model_training": (sequential_model, training, lambda: [normal(3, 5, 5, 2)], 6),
    "functional_model": (functional_model, plain, lambda: [normal(2, 3, 4)], 12),
}


@pytest.mark.parametrize("case", list(CASES))
def test_layer_gradients_match_finite_differences(case):
    make, call, inputs, trainable = CASES[case]
    check_layer_gradients(make(), call, inputs(), trainable=trainable)


@pytest.mark.parametrize("name", sorted(L.activations._BY_NAME))
def test_activation_gradients_match_finite_differences(name):
    check_layer_gradients(L.Activation(name, **F64), plain, [away_from_kinks(2, 5)], trainable=0)


def test_every_layer_is_checked():
    checked = {type(make()) for make, *_ in CASES.values()} | {L.Activation}
    layers = {obj for obj in vars(L).values() if isinstance(obj, type) and issubclass(obj, L.Layer)}
    assert {cls.__name__ for cls in layers - checked} == {"InputLayer", "Layer"}


def test_dropout_training_gradient_is_the_mask_times_the_scale():
    drop, rate = L.Dropout(0.4, seed=5, **F64), 0.4
    x = normal(4, 6)
    grads = check_layer_gradients(drop, training, [x], trainable=0)
    state = state_of(drop)  # as the check left it: the state its evaluations saw
    kept = drop(np.ones_like(x), training=True).numpy() != 0   # the same mask: same state
    assert 0 < kept.sum() < kept.size
    r = cotangent(x.shape)
    np.testing.assert_allclose(grads[0], np.where(kept, r / (1 - rate), 0.0), rtol=1e-15)
    restore(state)
    np.testing.assert_array_equal(drop(x, training=True).numpy(),
                                  np.where(kept, x / (1 - rate), 0.0))


def test_models_keep_the_float64_of_their_inputs():
    x = normal(2, 3)
    seq = em.keras.Sequential([em.keras.Input((3,), dtype="float64"), L.Dense(2, **F64)])
    kernel, b = (w.numpy() for w in seq.weights)
    assert seq(x).dtype == em.float64
    np.testing.assert_allclose(seq(x).numpy(), x @ kernel + b, rtol=1e-14)
    inputs = em.keras.Input((3,), dtype="float64")
    functional = em.keras.Model(inputs, L.Activation("linear", **F64)(inputs))
    np.testing.assert_array_equal(functional(x).numpy(), x)


# -- em.keras.utils --------------------------------------------------------------------------
def test_set_random_seed_makes_initializers_and_dropout_reproducible():
    def draw():
        dense, drop = L.Dense(4), L.Dropout(0.5)
        x = np.ones((3, 5), np.float32)
        return dense(x).numpy(), drop(x, training=True).numpy()

    em.keras.utils.set_random_seed(123)
    first_draw = draw()
    em.keras.utils.set_random_seed(123)
    for a, b in zip(first_draw, draw()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first_draw[0], draw()[0])
    with pytest.raises(ValueError, match=r"Received: seed=-1"):
        em.keras.utils.set_random_seed(-1)


def test_to_categorical():
    to_categorical = em.keras.utils.to_categorical
    y = np.array([0, 2, 1, 2])
    out = to_categorical(y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(3)[y])
    np.testing.assert_array_equal(to_categorical([[1], [0]], num_classes=4), np.eye(4)[[1, 0]])
    assert to_categorical(np.zeros((2, 3), np.int32), 5).shape == (2, 3, 5)
    np.testing.assert_array_equal(to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"in \[0, 3\)\. Received: labels from 0 to 3"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=r"Received: num_classes=0"):
        to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match=r"integer class labels"):
        to_categorical([0.5])
