"""em.keras layers: output shapes and parameter counts (Keras' numbers), configs, weight
initialisation, BatchNormalization and Dropout in training vs inference, attention masks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember as em

L = em.keras.layers
init = em.keras.initializers


def f32(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


# -- shapes and parameter counts -------------------------------------------------------------
# (make layer, sample shape, input dtype, output sample shape, parameters as Keras counts them)
SHAPE_TABLE = [
    ("dense", lambda: L.Dense(10), (64,), "float32", (10,), 650),
    ("dense_3d", lambda: L.Dense(4, use_bias=False), (5, 8), "float32", (5, 4), 32),
    ("conv2d", lambda: L.Conv2D(32, 3), (28, 28, 1), "float32", (26, 26, 32), 320),
    ("conv2d_same_strided", lambda: L.Conv2D(64, 3, strides=2, padding="same"), (14, 14, 32),
     "float32", (7, 7, 64), 18496),
    ("conv2d_dilated", lambda: L.Conv2D(8, 3, dilation_rate=2), (10, 10, 3), "float32", (6, 6, 8), 224),
    ("max_pooling2d", lambda: L.MaxPooling2D(), (8, 8, 3), "float32", (4, 4, 3), 0),
    ("average_pooling2d_same", lambda: L.AveragePooling2D(3, strides=2, padding="same"), (7, 7, 3),
     "float32", (4, 4, 3), 0),
    ("global_average_pooling2d", lambda: L.GlobalAveragePooling2D(), (5, 5, 6), "float32", (6,), 0),
    ("flatten", lambda: L.Flatten(), (4, 4, 8), "float32", (128,), 0),
    ("reshape", lambda: L.Reshape((-1, 4)), (8, 8), "float32", (16, 4), 0),
    ("dropout", lambda: L.Dropout(0.5), (7,), "float32", (7,), 0),
    ("batch_normalization", lambda: L.BatchNormalization(), (10,), "float32", (10,), 40),
    ("layer_normalization", lambda: L.LayerNormalization(), (5, 16), "float32", (5, 16), 32),
    ("embedding", lambda: L.Embedding(1000, 64), (10,), "int32", (10, 64), 64000),
    ("activation", lambda: L.Activation("softmax"), (6,), "float32", (6,), 0),
]


@pytest.mark.parametrize("name,make,sample,dtype,out,params", SHAPE_TABLE, ids=[r[0] for r in SHAPE_TABLE])
def test_output_shape_and_parameter_count(name, make, sample, dtype, out, params):
    x = (np.arange(2 * math.prod(sample)) % 7).reshape((2,) + sample).astype(dtype)
    layer = make()
    assert layer(x).shape == (2,) + out
    assert layer.count_params() == params
    assert layer.compute_output_shape((None,) + sample) == (None,) + out
    symbolic = make()(em.keras.Input(sample, dtype=dtype))
    assert symbolic.shape == (None,) + out


def test_multi_head_attention_shapes_and_parameters():
    # Keras: each of query/key/value: 32 * 2 * 16 + 2 * 16; output: 2 * 16 * 32 + 32.
    mha = L.MultiHeadAttention(num_heads=2, key_dim=16)
    q, v = f32(3, 8, 32), f32(3, 5, 32, seed=1)
    assert mha(q, v).shape == (3, 8, 32)
    assert mha.count_params() == 4224
    assert [w.shape for w in mha.get_weights()] == [
        (32, 2, 16), (2, 16), (32, 2, 16), (2, 16), (32, 2, 16), (2, 16), (2, 16, 32), (32,)]
    other = L.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6, output_shape=10)
    assert other(q, v).shape == (3, 8, 10)
    assert other.count_params() == 3 * (32 * 4 * 8 + 4 * 8) - (32 * 4 * 8 + 4 * 8) + (32 * 4 * 6 + 4 * 6) + 4 * 6 * 10 + 10
    out, scores = L.MultiHeadAttention(2, 4)(em.keras.Input((8, 32)), em.keras.Input((5, 32)),
                                             return_attention_scores=True)
    assert (out.shape, scores.shape) == ((None, 8, 32), (None, 2, 8, 5))


def test_merge_layers():
    a, b = f32(2, 3), f32(2, 3, seed=1)
    np.testing.assert_allclose(L.Add()([a, b]).numpy(), a + b)
    np.testing.assert_array_equal(L.Concatenate()([a, f32(2, 5)]).numpy(),
                                  np.concatenate([a, f32(2, 5)], axis=-1))
    assert L.Concatenate(axis=1)([em.keras.Input((3, 4)), em.keras.Input((5, 4))]).shape == (None, 8, 4)
    with pytest.raises(ValueError, match=r"matching shapes except for the concatenation axis"):
        L.Concatenate()([em.keras.Input((3, 4)), em.keras.Input((5, 4))])
    with pytest.raises(ValueError, match=r"list of at least 2 inputs"):
        L.Add()([a])


# -- numerics against NumPy ------------------------------------------------------------------
def test_dense_conv_pool_embedding_match_numpy():
    x = f32(2, 6, 6, 3)
    conv = L.Conv2D(4, 3, activation="relu")
    y = conv(x).numpy()
    k, b = conv.get_weights()
    ref = np.zeros((2, 4, 4, 4), np.float32)
    for i in range(4):
        for j in range(4):
            ref[:, i, j] = np.einsum("nhwc,hwco->no", x[:, i:i + 3, j:j + 3], k)
    np.testing.assert_allclose(y, np.maximum(ref + b, 0), rtol=1e-5, atol=1e-6)
    pooled = L.MaxPooling2D()(x).numpy()
    np.testing.assert_array_equal(pooled, x.reshape(2, 3, 2, 3, 2, 3).max(axis=(2, 4)))
    averaged = L.AveragePooling2D()(x).numpy()
    np.testing.assert_allclose(averaged, x.reshape(2, 3, 2, 3, 2, 3).mean(axis=(2, 4)), rtol=1e-6)
    dense = L.Dense(5, activation="tanh")
    xd = f32(4, 7)
    yd = dense(xd).numpy()
    kd, bd = dense.get_weights()
    np.testing.assert_allclose(yd, np.tanh(xd @ kd + bd), rtol=1e-5, atol=1e-6)
    emb = L.Embedding(10, 3)
    ids = np.array([[1, 9, 0], [4, 4, 2]], np.int32)
    np.testing.assert_array_equal(emb(ids).numpy(), emb.get_weights()[0][ids])


def test_layer_normalization_matches_numpy():
    x = f32(3, 4, 16) * 5 + 2
    ln = L.LayerNormalization(epsilon=1e-3)
    ln.build(x.shape)
    gamma, beta = f32(16, seed=1), f32(16, seed=2)
    ln.set_weights([gamma, beta])
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(ln(x).numpy(), (x - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)


# -- configs ---------------------------------------------------------------------------------
CONFIG_LAYERS = [
    lambda: L.Dense(7, activation="relu", use_bias=False, kernel_initializer=init.HeNormal(seed=3)),
    lambda: L.Conv2D(4, (3, 2), strides=(2, 1), padding="same", dilation_rate=1, activation="gelu"),
    lambda: L.MaxPooling2D(3, strides=2, padding="same"),
    lambda: L.AveragePooling2D((2, 3)),
    lambda: L.GlobalAveragePooling2D(keepdims=True),
    lambda: L.Flatten(),
    lambda: L.Reshape((2, -1)),
    lambda: L.Dropout(0.25, seed=4),
    lambda: L.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False),
    lambda: L.LayerNormalization(axis=[1, 2], epsilon=1e-6, scale=False),
    lambda: L.Embedding(50, 4, embeddings_initializer=init.RandomNormal(stddev=0.1, seed=2)),
    lambda: L.Activation("sigmoid"),
    lambda: L.Add(),
    lambda: L.Concatenate(axis=1),
    lambda: L.MultiHeadAttention(3, 5, value_dim=2, dropout=0.1, use_bias=False, output_shape=6, seed=1),
]


@pytest.mark.parametrize("make", CONFIG_LAYERS, ids=lambda m: type(m()).__name__)
def test_get_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = L.deserialize(L.serialize(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_config_rebuilds_an_equivalent_layer():
    dense = L.Dense(3, activation="relu")
    x = f32(4, 5)
    y = dense(x).numpy()
    clone = L.Dense.from_config(dense.get_config())
    clone.build(x.shape)
    clone.set_weights(dense.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), y)


def test_constructor_arguments_are_validated():
    cases = [(lambda: L.Dense(0), r"Received: units=0"),
             (lambda: L.Dense(4, activation="relux"), r"activation function identifier: 'relux'.*relu"),
             (lambda: L.Dense(4, kernel_initializer="glorot"), r"initializer identifier: 'glorot'.*glorot_uniform"),
             (lambda: L.Conv2D(8, 3, padding="full"), r"Received: padding='full'"),
             (lambda: L.Conv2D(8, (3, 3, 3)), r"Received: kernel_size=\(3, 3, 3\)"),
             (lambda: L.Dropout(1.5), r"Received: rate=1.5"),
             (lambda: L.BatchNormalization(momentum=2), r"Received: momentum=2"),
             (lambda: L.Reshape((2, -1, -1)), r"Received: target_shape=\(2, -1, -1\)"),
             (lambda: L.Dense(4, foo=1), r"Unrecognized keyword arguments passed to Dense: \{'foo': 1\}")]
    for make, message in cases:
        with pytest.raises(ValueError, match=message):
            make()


def test_input_spec_names_the_layer_and_both_shapes():
    dense = L.Dense(3)
    dense(f32(2, 4))
    with pytest.raises(ValueError, match=r'layer "dense.*" .*expected axis -1 of input shape to have '
                                         r"value 4, but received input with shape \(2, 5\)"):
        dense(f32(2, 5))
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=2"):
        L.Conv2D(2, 3)(f32(2, 5))


# -- initialisation --------------------------------------------------------------------------
def test_initializer_distributions():
    fan_in, fan_out = 300, 500
    shape = (fan_in, fan_out)
    limit = math.sqrt(6 / (fan_in + fan_out))
    w = init.GlorotUniform(seed=1)(shape)
    assert w.dtype == np.float32 and np.abs(w).max() <= limit
    assert abs(w.std() - limit / math.sqrt(3)) < 0.01 * limit
    for cls, std in ((init.GlorotNormal, math.sqrt(2 / (fan_in + fan_out))),
                     (init.HeNormal, math.sqrt(2 / fan_in))):
        w = cls(seed=2)(shape)
        assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6   # truncated at 2 stddev
        assert abs(w.std() - std) < 0.02 * std
    w = init.HeUniform(seed=3)(shape)
    assert np.abs(w).max() <= math.sqrt(6 / fan_in) and abs(w.std() - math.sqrt(2 / fan_in)) < 0.01 * math.sqrt(2 / fan_in)
    w = init.RandomNormal(mean=1.0, stddev=0.5, seed=4)(shape)
    assert abs(w.mean() - 1.0) < 0.01 and abs(w.std() - 0.5) < 0.01
    w = init.RandomUniform(-0.2, 0.3, seed=5)(shape)
    assert w.min() >= -0.2 and w.max() < 0.3 and abs(w.mean() - 0.05) < 0.005
    conv = init.HeNormal(seed=1)((3, 3, 16, 32))                 # fan_in = 3 * 3 * 16
    assert abs(conv.std() - math.sqrt(2 / 144)) < 0.03 * math.sqrt(2 / 144)
    embeddings = L.Embedding(500, 64)
    embeddings.build((None, 3))
    table = embeddings.get_weights()[0]                          # Keras: uniform in [-0.05, 0.05]
    assert np.abs(table).max() <= 0.05 and abs(table.std() - 0.05 / math.sqrt(3)) < 0.001
    np.testing.assert_array_equal(init.Zeros()((2, 3)), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(init.Ones()((4,)), np.ones(4, np.float32))
    np.testing.assert_array_equal(init.Constant(0.5)((2,)), np.full(2, 0.5, np.float32))


def test_initializers_are_reproducible_from_seeds():
    np.testing.assert_array_equal(init.GlorotUniform(seed=7)((4, 5)), init.GlorotUniform(seed=7)((4, 5)))
    assert not np.array_equal(init.GlorotUniform(seed=7)((4, 5)), init.GlorotUniform(seed=8)((4, 5)))
    unseeded = init.HeNormal()
    np.testing.assert_array_equal(unseeded((3, 3)), unseeded((3, 3)))   # one seed per instance

    em.keras.random.set_random_seed(123)
    first = L.Dense(8)
    first.build((None, 4))
    second_layer = L.Dense(8)
    second_layer.build((None, 4))
    em.keras.random.set_random_seed(123)
    again = L.Dense(8)
    again.build((None, 4))
    np.testing.assert_array_equal(first.get_weights()[0], again.get_weights()[0])
    assert not np.array_equal(first.get_weights()[0], second_layer.get_weights()[0])
    kernel, bias = first.get_weights()
    assert np.abs(kernel).max() <= math.sqrt(6 / 12) and not bias.any()   # glorot_uniform, zeros


def test_normalization_weights_start_as_keras():
    bn = L.BatchNormalization()
    bn.build((None, 3))
    gamma, beta, mean, var = bn.get_weights()
    np.testing.assert_array_equal(np.stack([gamma, beta, mean, var]), [[1] * 3, [0] * 3, [0] * 3, [1] * 3])
    assert [w.name.split("/")[-1] for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2


# -- training vs inference -------------------------------------------------------------------
def test_batch_normalization_training_and_inference():
    rng = np.random.default_rng(0)
    x = (rng.normal(5.0, 3.0, (256, 4))).astype(np.float32)
    bn = L.BatchNormalization(momentum=0.9, epsilon=1e-3)
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(y.var(0), x.var(0) / (x.var(0) + 1e-3), rtol=1e-4)
    _, _, mean, var = bn.get_weights()
    np.testing.assert_allclose(mean, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.9 + 0.1 * x.var(0), rtol=1e-5)
    inference = bn(x, training=False).numpy()
    np.testing.assert_allclose(inference, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(bn(x).numpy(), inference)            # training defaults to off
    np.testing.assert_array_equal(bn.get_weights()[2], mean)           # inference changes nothing

    step = em.function(lambda batch: bn(batch, training=True))
    step(x)
    step(x)
    np.testing.assert_allclose(bn.get_weights()[2], 0.81 * mean + 0.19 * x.mean(0), rtol=1e-4)


def test_dropout_rate_and_scaling():
    x = np.ones((200, 500), np.float32)
    drop = L.Dropout(0.3, seed=11)
    y = drop(x, training=True).numpy()
    dropped = (y == 0).mean()
    assert abs(dropped - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert not np.array_equal(y, drop(x, training=True).numpy())           # a new mask per call
    np.testing.assert_array_equal(drop(x).numpy(), x)                      # inference: identity
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x)
    same_seed = L.Dropout(0.3, seed=11)
    np.testing.assert_array_equal(same_seed(x, training=True).numpy(), y)

    compiled = em.function(lambda batch: drop(batch, training=True))
    first, second = compiled(x).numpy(), compiled(x).numpy()
    assert not np.array_equal(first, second)                               # the seed state advances
    assert abs((first == 0).mean() - 0.3) < 0.01


def test_training_reaches_nested_layers():
    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.drop = L.Dropout(0.5, seed=1)

        def call(self, x):
            return self.drop(x)

    x = np.ones((10, 100), np.float32)
    block = Block()
    assert (block(x, training=True).numpy() == 0).any()
    np.testing.assert_array_equal(block(x).numpy(), x)


def test_multi_head_attention_masks():
    rng = np.random.default_rng(3)
    q, v = rng.normal(size=(2, 4, 8)).astype(np.float32), rng.normal(size=(2, 6, 8)).astype(np.float32)
    mha = L.MultiHeadAttention(num_heads=2, key_dim=4)
    mask = np.zeros((2, 4, 6), bool)
    mask[:, :, :3] = True                                  # attend to the first 3 keys only
    out, scores = mha(q, v, attention_mask=mask, return_attention_scores=True)
    scores = scores.numpy()
    np.testing.assert_allclose(scores.sum(-1), 1, rtol=1e-5)
    assert np.all(scores[..., 3:] == 0)
    changed = v.copy()
    changed[:, 3:] = rng.normal(size=(2, 3, 8))
    np.testing.assert_allclose(mha(q, changed, attention_mask=mask).numpy(), out.numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(mha(q, changed).numpy(), mha(q, v).numpy())   # unmasked: it matters

    x = rng.normal(size=(1, 5, 8)).astype(np.float32)
    causal = mha(x, x, use_causal_mask=True).numpy()
    later = x.copy()
    later[:, 3:] += 1.0
    np.testing.assert_allclose(mha(later, later, use_causal_mask=True).numpy()[:, :3], causal[:, :3],
                               rtol=1e-5, atol=1e-6)
