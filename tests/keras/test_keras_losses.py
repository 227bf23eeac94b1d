"""em.keras.losses: every loss against a NumPy transcription of Keras 3 (from_logits, label
smoothing, reductions, sample weights), eagerly and compiled; extreme inputs stay finite;
Keras' squeeze/expand rule for labels; shape errors name both shapes; `get`."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import special

import ember as em
from ember.runtime.keras import losses

EPS = 1e-7
N, C = 6, 4
TOL = dict(rtol=2e-5, atol=1e-6)


# -- NumPy references (float64) ----------------------------------------------------------------
def ref_mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def ref_huber(t, p, delta=1.0):
    e = p - t
    return np.mean(np.where(np.abs(e) <= delta, 0.5 * e * e, delta * np.abs(e) - 0.5 * delta ** 2), axis=-1)


def ref_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return np.mean(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))), axis=-1)
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def ref_cce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[-1]
    if from_logits:
        logp = special.log_softmax(p, axis=-1)
    else:
        logp = np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * logp, axis=-1)


def ref_scce(labels, p, from_logits=False):
    return ref_cce(np.eye(p.shape[-1])[labels.reshape(-1).astype(int)].reshape(p.shape), p, from_logits)


def data(seed=0):
    rng = np.random.default_rng(seed)
    regression = (rng.normal(size=(N, 3)).astype(np.float32), rng.normal(size=(N, 3)).astype(np.float32))
    binary = ((rng.random((N, 1)) < 0.5).astype(np.float32), rng.uniform(0.01, 0.99, (N, 1)).astype(np.float32))
    logits = rng.normal(scale=3, size=(N, C)).astype(np.float32)
    labels = rng.integers(0, C, N).astype(np.int32)
    probs = special.softmax(logits, axis=-1).astype(np.float32)
    onehot = np.eye(C, dtype=np.float32)[labels]
    return dict(regression=regression, binary=binary, logits=logits, labels=labels, probs=probs,
                onehot=onehot, binary_logits=rng.normal(scale=4, size=(N, 3)).astype(np.float32),
                binary_targets=(rng.random((N, 3)) < 0.5).astype(np.float32))


def cases():
    d = data()
    reg, (bt, bp) = d["regression"], d["binary"]
    return {
        "mse": (losses.MeanSquaredError(), reg, ref_mse(*reg)),
        "mae": (losses.MeanAbsoluteError(), reg, ref_mae(*reg)),
        "huber": (losses.Huber(delta=0.7), reg, ref_huber(*reg, delta=0.7)),
        "bce": (losses.BinaryCrossentropy(), (bt, bp), ref_bce(bt, bp)),
        "bce_smoothing": (losses.BinaryCrossentropy(label_smoothing=0.2), (bt, bp),
                          ref_bce(bt, bp, label_smoothing=0.2)),
        "bce_logits": (losses.BinaryCrossentropy(from_logits=True), (d["binary_targets"], d["binary_logits"]),
                       ref_bce(d["binary_targets"], d["binary_logits"], from_logits=True)),
        "cce": (losses.CategoricalCrossentropy(), (d["onehot"], d["probs"]), ref_cce(d["onehot"], d["probs"])),
        "cce_logits_smoothing": (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
                                 (d["onehot"], d["logits"]),
                                 ref_cce(d["onehot"], d["logits"], True, 0.1)),
        "scce": (losses.SparseCategoricalCrossentropy(), (d["labels"], d["probs"]),
                 ref_scce(d["labels"], d["probs"])),
        "scce_logits_column": (losses.SparseCategoricalCrossentropy(from_logits=True),
                               (d["labels"][:, None], d["logits"]),
                               ref_scce(d["labels"], d["logits"], True)),
    }


CASES = cases()


@pytest.mark.parametrize("case", sorted(CASES))
def test_per_sample_values_and_reductions(case):
    loss, (y_true, y_pred), per_sample = CASES[case]
    np.testing.assert_allclose(loss.call(em.constant(y_true).astype("float32"), em.constant(y_pred)).numpy(),
                               per_sample, **TOL)
    np.testing.assert_allclose(loss(y_true, y_pred).numpy(), per_sample.mean(), **TOL)
    weights = np.linspace(0.0, 2.0, N).astype(np.float32)
    np.testing.assert_allclose(loss(y_true, y_pred, sample_weight=weights).numpy(),
                               (per_sample * weights).sum() / N, **TOL)
    for reduction, expected in [("sum", (per_sample * weights).sum()),
                                ("none", per_sample * weights),
                                ("mean_with_sample_weight", (per_sample * weights).sum() / weights.sum())]:
        other = type(loss).from_config({**loss.get_config(), "reduction": reduction})
        np.testing.assert_allclose(other(y_true, y_pred, sample_weight=weights).numpy(), expected, **TOL,
                                   err_msg=reduction)


@pytest.mark.parametrize("case", ["mse", "bce_logits", "cce_logits_smoothing", "scce"])
def test_compiled_matches_eager(case):
    loss, (y_true, y_pred), per_sample = CASES[case]
    weights = np.arange(N, dtype=np.float32)
    compiled = em.function(lambda t, p, w: (loss(t, p), loss(t, p, sample_weight=w)))(y_true, y_pred, weights)
    eager = (loss(y_true, y_pred), loss(y_true, y_pred, sample_weight=weights))
    for c, e in zip(compiled, eager):
        np.testing.assert_allclose(c.numpy(), e.numpy(), rtol=1e-6, atol=1e-7)


def test_function_forms():
    d = data(1)
    reg, (bt, bp) = d["regression"], d["binary"]
    np.testing.assert_allclose(losses.mean_squared_error(*reg).numpy(), ref_mse(*reg), **TOL)
    np.testing.assert_allclose(losses.mean_absolute_error(*reg).numpy(), ref_mae(*reg), **TOL)
    np.testing.assert_allclose(losses.huber(*reg, delta=2.0).numpy(), ref_huber(*reg, 2.0), **TOL)
    np.testing.assert_allclose(losses.binary_crossentropy(bt, bp).numpy(), ref_bce(bt, bp), **TOL)
    np.testing.assert_allclose(losses.categorical_crossentropy(d["onehot"], d["logits"], from_logits=True).numpy(),
                               ref_cce(d["onehot"], d["logits"], True), **TOL)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(d["labels"], d["probs"]).numpy(),
                               ref_scce(d["labels"], d["probs"]), **TOL)


def test_extreme_inputs_stay_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-3e4, 2e4, 5.0]], np.float32)
    onehot = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
    cce = losses.CategoricalCrossentropy(from_logits=True, reduction="none")(onehot, logits).numpy()
    np.testing.assert_allclose(cce, [2e4, 5e4], rtol=1e-6)
    scce = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")([0, 1], logits).numpy()
    np.testing.assert_allclose(scce, [0.0, 0.0], atol=1e-6)
    binary = np.array([[1e4], [-1e4], [1e4], [-1e4]], np.float32)
    targets = np.array([[1], [0], [0], [1]], np.float32)
    bce = losses.BinaryCrossentropy(from_logits=True, reduction="none")(targets, binary).numpy()
    np.testing.assert_allclose(bce, [0, 0, 1e4, 1e4], rtol=1e-6, atol=1e-6)
    # probabilities of exactly 0 and 1 are clipped to [1e-7, 1 - 1e-7] (in float32), as Keras does
    hard = losses.BinaryCrossentropy(reduction="none")([[1.0], [0.0]], [[0.0], [1.0]]).numpy()
    np.testing.assert_allclose(hard, [-np.log(np.float32(EPS)), -np.log(1 - np.float32(1 - EPS))], rtol=1e-6)
    hard = losses.CategoricalCrossentropy(reduction="none")([[0.0, 1.0]], [[1.0, 0.0]]).numpy()
    assert np.all(np.isfinite(hard)) and hard[0] > 15
    compiled = em.function(lambda t, p: losses.CategoricalCrossentropy(from_logits=True)(t, p))(onehot, logits)
    assert float(compiled) == pytest.approx(3.5e4, rel=1e-6)


def test_gradient_of_logit_cross_entropy_is_softmax_minus_labels():
    d = data(2)
    logits = em.constant(np.concatenate([d["logits"], [[1e4, -1e4, 0, 0]]]).astype(np.float32))
    labels = np.concatenate([d["labels"], [1]]).astype(np.int32)
    with em.GradientTape() as tape:
        tape.watch(logits)
        value = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    grad = tape.gradient(value, logits).numpy()
    expected = (special.softmax(logits.numpy().astype(np.float64), -1) - np.eye(C)[labels]) / len(labels)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name, make, labels", [
    ("bce_logits", lambda: losses.BinaryCrossentropy(from_logits=True, dtype="float64"), "binary"),
    ("bce_probabilities", lambda: losses.BinaryCrossentropy(label_smoothing=0.1, dtype="float64"), "binary"),
    ("cce_probabilities", lambda: losses.CategoricalCrossentropy(dtype="float64"), "onehot"),
    ("scce_logits", lambda: losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"), "sparse"),
    ("huber", lambda: losses.Huber(delta=0.5, dtype="float64"), "binary"),
])
@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_gradients_match_finite_differences(name, make, labels, compiled):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(N, C))
    y = {"binary": (rng.random((N, C)) < 0.5).astype(np.float64),
         "onehot": np.eye(C)[rng.integers(0, C, N)], "sparse": rng.integers(0, C, N)}[labels]
    loss = make()
    squash = {"bce_probabilities": em.sigmoid, "cce_probabilities": em.nn.softmax}.get(name, lambda v: v)
    value = lambda logits: loss(y, squash(logits), sample_weight=np.linspace(0.5, 1.5, N))  # noqa: E731
    grad = em.grad(value)
    got = (em.function(grad)(x) if compiled else grad(em.constant(x))).numpy()
    expected = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = 1e-6
        expected[i] = (float(value(em.constant(x + step))) - float(value(em.constant(x - step)))) / 2e-6
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_trailing_dimension_of_one_is_squeezed_or_added():
    t = np.array([1.0, 0.0, 2.0], np.float32)
    p = np.array([[0.5], [0.5], [1.0]], np.float32)
    expected = np.mean((t - p[:, 0]) ** 2)
    for a, b in [(t, p), (t[:, None], p), (t[:, None], p[:, 0]), (t, p[:, 0])]:
        assert float(losses.MeanSquaredError()(a, b)) == pytest.approx(expected)
    probs = data()["probs"]
    labels = data()["labels"]
    a = losses.SparseCategoricalCrossentropy()(labels, probs)
    b = losses.SparseCategoricalCrossentropy()(labels[:, None].astype(np.float32), probs)
    assert float(a) == pytest.approx(float(b))


@pytest.mark.parametrize("call, message", [
    (lambda: losses.MeanSquaredError()(np.zeros(3), np.zeros((3, 2))),
     r"mean_squared_error: y_true and y_pred must have the same shape .*y_true.shape=\(3,\), y_pred.shape=\(3, 2\)"),
    (lambda: losses.mean_absolute_error(np.zeros((4, 3)), np.zeros((4, 2))),
     r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"),
    (lambda: losses.CategoricalCrossentropy()(np.zeros(5), np.zeros((5, 3))),
     r"y_true.shape=\(5,\), y_pred.shape=\(5, 3\); for integer class labels use sparse_categorical_crossentropy"),
    (lambda: losses.SparseCategoricalCrossentropy()(np.zeros((5, 3)), np.zeros((5, 3))),
     r"its shape must be y_pred.shape\[:-1\].*y_true.shape=\(5, 3\), y_pred.shape=\(5, 3\)"),
    (lambda: losses.SparseCategoricalCrossentropy()(np.zeros(4), np.zeros((5, 3))),
     r"y_true.shape=\(4,\), y_pred.shape=\(5, 3\)"),
    (lambda: losses.BinaryCrossentropy()(np.zeros((4, 2)), np.zeros((4, 3))),
     r"binary_crossentropy: .*y_true.shape=\(4, 2\), y_pred.shape=\(4, 3\)"),
    (lambda: losses.MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3)),
     r"sample_weight of shape \(3,\) cannot weight per-sample losses of shape \(4,\)"),
    (lambda: losses.MeanSquaredError(reduction="avg"), r"Received: reduction='avg'"),
    (lambda: losses.BinaryCrossentropy(label_smoothing=1.5), r"Received: label_smoothing=1.5"),
    (lambda: losses.Huber(delta=0), r"Received: delta=0"),
])
def test_errors_name_what_was_received(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_shape_error_inside_a_trace_points_at_the_user():
    f = em.function(lambda t, p: losses.MeanSquaredError()(t, p))
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\), y_pred.shape=\(2, 4\) \(at .*test_keras_losses.py:\d+\)"):
        f(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))


def test_get():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    bce = losses.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True, "label_smoothing": 0.1}})
    assert bce.from_logits and bce.label_smoothing == 0.1
    assert losses.get(losses.serialize(bce)).get_config() == bce.get_config()
    instance = losses.MeanAbsoluteError()
    assert losses.get(instance) is instance and losses.get(None) is None
    custom = losses.get(lambda t, p: em.reduce_sum(em.abs(t - p), axis=-1))
    assert isinstance(custom, losses.LossFunctionWrapper)
    assert float(custom([[1.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]])) == pytest.approx(2.0)
    with pytest.raises(ValueError, match=r"Unknown loss: 'msee'. Valid names are: \[.*'mse'.*'sparse_categorical_crossentropy'.*\]"):
        losses.get("msee")
    y_int, y_prob, y_bin = np.zeros(4), np.zeros((4, 3)), np.zeros((4, 1))
    assert isinstance(losses.get_loss("crossentropy", y_int, y_prob), losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get_loss("ce", y_prob, y_prob), losses.CategoricalCrossentropy)
    assert isinstance(losses.get_loss("crossentropy", y_bin, y_bin), losses.BinaryCrossentropy)


def test_custom_loss_subclass():
    class MeanCubic(losses.Loss):
        def call(self, y_true, y_pred):
            return em.reduce_mean(em.abs(y_pred - y_true) ** 3, axis=-1)

    loss = MeanCubic()
    assert loss.name == "mean_cubic" and loss.reduction == "sum_over_batch_size"
    assert float(loss([[0.0, 0.0]], [[1.0, 2.0]])) == pytest.approx(4.5)
