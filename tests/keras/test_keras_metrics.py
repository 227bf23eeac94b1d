"""em.keras.metrics: every metric over several update_state batches against a NumPy
reference, eagerly and with the updates inside one compiled `@em.function` step; reset_state;
AUC against an independent transcription of Keras' bucketed algorithm; `get`/`get_metric`."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from ember.runtime.keras import losses, metrics

BATCHES, B, C = 3, 16, 5
THRESHOLDS = [0.2, 0.5, 0.7]


# -- inputs: three batches per kind of target ----------------------------------------------
def batches(kind, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(BATCHES):
        w = rng.uniform(0, 2, B).astype(np.float32)
        if kind == "binary":
            t = (rng.random((B, 1)) < 0.4).astype(np.float32)
            p = np.clip(0.35 * t + rng.random((B, 1)) * 0.65, 0, 1).astype(np.float32)
            p[:2] = [[0.5], [0.7]]  # exactly on a threshold: not above it
        elif kind == "sparse":
            t = rng.integers(0, C, B).astype(np.int32)
            p = rng.random((B, C)).astype(np.float32)
            p[0] = p[0, 0]  # a tie: argmax takes the first
        elif kind == "onehot":
            t = np.eye(C, dtype=np.float32)[rng.integers(0, C, B)]
            p = rng.random((B, C)).astype(np.float32)
        elif kind == "exact":
            t = rng.integers(0, 3, (B, 1)).astype(np.float32)
            p = rng.integers(0, 3, (B, 1)).astype(np.float32)
        else:  # regression
            t = rng.normal(size=(B, 3)).astype(np.float32)
            p = rng.normal(size=(B, 3)).astype(np.float32)
        out.append((t, p, w))
    return out


# -- NumPy references on all batches at once -------------------------------------------------
def weighted_mean(values, w):
    return (values * w).sum() / w.sum()


def ref_confusion(t, p, w, thresholds):
    positive = (p.reshape(-1, 1) > np.asarray(thresholds, np.float32)[None, :])
    label = (t.reshape(-1, 1) != 0)
    w = w.reshape(-1, 1)
    return {"tp": (w * (label & positive)).sum(0), "fp": (w * (~label & positive)).sum(0),
            "fn": (w * (label & ~positive)).sum(0), "tn": (w * (~label & ~positive)).sum(0)}


def ref_auc_counts(t, p, w, num_thresholds):
    """Keras' _update_confusion_matrix_variables_optimized: bucket = ceil(p * (n - 1)) - 1
    (at least 0), segment sums, reversed cumulative sums."""
    p = np.clip(p.reshape(-1), 0, 1).astype(np.float32)
    t, w = t.reshape(-1).astype(bool), w.reshape(-1).astype(np.float64)
    bucket = np.maximum(np.ceil(p * np.float32(num_thresholds - 1)) - 1, 0).astype(int)
    tp_b = np.bincount(bucket, weights=w * t, minlength=num_thresholds)
    fp_b = np.bincount(bucket, weights=w * ~t, minlength=num_thresholds)
    tp, fp = np.cumsum(tp_b[::-1])[::-1], np.cumsum(fp_b[::-1])[::-1]
    return tp, fp, (w * ~t).sum() - fp, (w * t).sum() - tp


def div(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))


def ref_auc(t, p, w, num_thresholds=200, curve="ROC", summation="interpolation"):
    tp, fp, tn, fn = ref_auc_counts(t, p, w, num_thresholds)
    if curve == "PR" and summation == "interpolation":
        dtp, pos = tp[:-1] - tp[1:], tp + fp
        dp = pos[:-1] - pos[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * pos[1:]
        ratio = np.where((pos[:-1] > 0) & (pos[1:] > 0), div(pos[:-1], np.maximum(pos[1:], 0)), 1.0)
        return div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)).sum()
    recall = div(tp, tp + fn)
    x, y = (div(fp, fp + tn), recall) if curve == "ROC" else (recall, div(tp, tp + fp))
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[summation]
    return ((x[:-1] - x[1:]) * heights).sum()


def argmax_match(t, p):
    return (np.argmax(t, -1) == np.argmax(p, -1)).astype(np.float64)


CASES = {
    "mean": (lambda: metrics.Mean(), "regression",
             lambda t, p, w: weighted_mean(p.mean(-1), w), "values"),
    "accuracy": (lambda: metrics.Accuracy(), "exact",
                 lambda t, p, w: weighted_mean((t == p)[:, 0], w), None),
    "binary_accuracy": (lambda: metrics.BinaryAccuracy(threshold=0.6), "binary",
                        lambda t, p, w: weighted_mean((t == (p > 0.6))[:, 0], w), None),
    "categorical_accuracy": (lambda: metrics.CategoricalAccuracy(), "onehot",
                             lambda t, p, w: weighted_mean(argmax_match(t, p), w), None),
    "sparse_categorical_accuracy": (lambda: metrics.SparseCategoricalAccuracy(), "sparse",
                                    lambda t, p, w: weighted_mean(np.argmax(p, -1) == t, w), None),
    "mean_squared_error": (lambda: metrics.MeanSquaredError(), "regression",
                           lambda t, p, w: weighted_mean(((t - p) ** 2).mean(-1), w), None),
    "mean_absolute_error": (lambda: metrics.MeanAbsoluteError(), "regression",
                            lambda t, p, w: weighted_mean(np.abs(t - p).mean(-1), w), None),
    "precision": (lambda: metrics.Precision(), "binary",
                  lambda t, p, w: (lambda c: div(c["tp"], c["tp"] + c["fp"])[0])(ref_confusion(t, p, w, [0.5])), None),
    "recall_thresholds": (lambda: metrics.Recall(thresholds=THRESHOLDS), "binary",
                          lambda t, p, w: (lambda c: div(c["tp"], c["tp"] + c["fn"]))(ref_confusion(t, p, w, THRESHOLDS)), None),
    "precision_thresholds": (lambda: metrics.Precision(thresholds=THRESHOLDS), "binary",
                             lambda t, p, w: (lambda c: div(c["tp"], c["tp"] + c["fp"]))(ref_confusion(t, p, w, THRESHOLDS)), None),
    "auc_roc": (lambda: metrics.AUC(), "binary", lambda t, p, w: ref_auc(t, p, w), None),
    "auc_roc_minoring": (lambda: metrics.AUC(num_thresholds=50, summation_method="minoring"), "binary",
                         lambda t, p, w: ref_auc(t, p, w, 50, "ROC", "minoring"), None),
    "auc_pr": (lambda: metrics.AUC(curve="PR"), "binary", lambda t, p, w: ref_auc(t, p, w, 200, "PR"), None),
    "auc_pr_majoring": (lambda: metrics.AUC(num_thresholds=20, curve="PR", summation_method="majoring"),
                        "binary", lambda t, p, w: ref_auc(t, p, w, 20, "PR", "majoring"), None),
}


def update(metric, t, p, w, kind):
    if kind == "values":
        metric.update_state(p, sample_weight=w)
    else:
        metric.update_state(t, p, sample_weight=w)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_matches_reference_over_batches(case, compiled):
    make, data_kind, reference, call_kind = CASES[case]
    metric, data, traces = make(), batches(data_kind), []

    def step(t, p, w):
        traces.append(1)
        update(metric, t, p, w, call_kind)

    run = em.function(step) if compiled else step
    for i in range(BATCHES):
        run(*data[i])
        t, p, w = (np.concatenate(x) for x in zip(*data[:i + 1]))
        np.testing.assert_allclose(metric.result().numpy(), reference(t, p, w), rtol=1e-5, atol=1e-6,
                                   err_msg=f"{case} after batch {i}")
    assert len(traces) == (1 if compiled else BATCHES)
    assert all(not v.trainable for v in metric.variables)
    metric.reset_state()
    assert all(not np.any(v.numpy()) for v in metric.variables)
    np.testing.assert_allclose(metric.result().numpy(), 0.0)
    run(*data[0])
    t, p, w = data[0]
    np.testing.assert_allclose(metric.result().numpy(), reference(t, p, w), rtol=1e-5, atol=1e-6)


def test_without_sample_weights():
    data = batches("sparse", seed=3)
    m = metrics.SparseCategoricalAccuracy()
    for t, p, _ in data:
        m.update_state(t[:, None], p)  # labels with a trailing 1
    t, p = np.concatenate([d[0] for d in data]), np.concatenate([d[1] for d in data])
    assert float(m.result()) == pytest.approx(np.mean(np.argmax(p, -1) == t))
    m = metrics.Mean()
    m.update_state([1.0, 3.0, 5.0, 7.0])
    m.update_state(np.float32(20.0))
    assert float(m.result()) == pytest.approx(36 / 5)
    m = metrics.Precision(class_id=2)
    onehot, probs = batches("onehot")[0][:2]
    m.update_state(onehot, probs)
    c = ref_confusion(onehot[:, 2], probs[:, 2], np.ones(B), [0.5])
    assert float(m.result()) == pytest.approx(float(div(c["tp"], c["tp"] + c["fp"])[0]))


def test_mean_as_the_loss_tracker_weights_batches_by_size():
    tracker = metrics.Mean(name="loss")
    for loss, size in [(0.5, 32), (0.2, 32), (1.0, 4)]:
        tracker.update_state(np.float32(loss), sample_weight=size)
    assert float(tracker.result()) == pytest.approx((0.5 * 32 + 0.2 * 32 + 1.0 * 4) / 68)
    step = em.function(lambda loss, size: tracker.update_state(loss, sample_weight=size))
    tracker.reset_state()
    step(np.float32(2.0), np.float32(3))
    step(np.float32(4.0), np.float32(1))
    assert float(tracker.result()) == pytest.approx(2.5)


def test_mean_metric_wrapper_of_a_loss():
    (t, p, _), = batches("binary")[:1]
    m = metrics.MeanMetricWrapper(losses.BinaryCrossentropy(), name="bce")
    m.update_state(t, p)
    assert m.name == "bce" and m.direction == "down"
    assert float(m.result()) == pytest.approx(float(losses.BinaryCrossentropy()(t, p)), rel=1e-6)
    m = metrics.MeanMetricWrapper(losses.mean_absolute_error)
    assert m.name == "mean_absolute_error" and m.direction == "down"


def test_roc_auc_is_close_to_the_exact_area():
    rng = np.random.default_rng(5)
    t = (rng.random(400) < 0.5).astype(np.float32)
    p = np.clip(0.3 * t + 0.7 * rng.random(400), 0, 1).astype(np.float32)
    pos, neg = p[t == 1], p[t == 0]
    exact = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    m = metrics.AUC()
    m.update_state(t, p)
    assert float(m.result()) == pytest.approx(exact, abs=5e-3)
    assert metrics.AUC(from_logits=True)(t, np.log(p / (1 - p + 1e-6) + 1e-6)).numpy() == pytest.approx(exact, abs=5e-3)


def test_auc_with_explicit_thresholds_and_config():
    m = metrics.AUC(thresholds=[0.25, 0.5, 0.75], curve="pr")
    assert m.num_thresholds == 5 and m.curve == "PR"
    assert m.thresholds == pytest.approx([-1e-7, 0.25, 0.5, 0.75, 1 + 1e-7])
    config = m.get_config()
    assert config["thresholds"] == pytest.approx([0.25, 0.5, 0.75])
    assert metrics.AUC.from_config(config).get_config() == config
    m.update_state([0, 1, 1, 0], [0.1, 0.6, 0.8, 0.3])
    assert float(m.result()) == pytest.approx(1.0)


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.Accuracy()(np.zeros(3), np.zeros((3, 2))),
     r"accuracy: y_true and y_pred must have the same shape .*y_true.shape=\(3,\), y_pred.shape=\(3, 2\)"),
    (lambda: metrics.CategoricalAccuracy()(np.zeros(4), np.zeros((4, 3))),
     r"y_true.shape=\(4,\), y_pred.shape=\(4, 3\); for integer class labels use sparse_categorical_accuracy"),
    (lambda: metrics.SparseCategoricalAccuracy()(np.zeros((4, 3)), np.zeros((4, 3))),
     r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 3\)"),
    (lambda: metrics.AUC()(np.zeros(4), np.zeros(5)), r"y_true.shape=\(4,\), y_pred.shape=\(5,\)"),
    (lambda: metrics.Precision()(np.zeros(4), np.zeros(4), sample_weight=np.ones(3)),
     r"sample_weight of shape \(3,\) cannot be broadcast to the predictions' shape \(4,\)"),
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), r"Received: thresholds=\[0.5, 1.5\]"),
    (lambda: metrics.AUC(num_thresholds=1), r"Received: num_thresholds=1"),
    (lambda: metrics.AUC(curve="ROCK"), r"Received: curve='ROCK'"),
    (lambda: metrics.AUC(summation_method="trapezoid"), r"Received: summation_method='trapezoid'"),
    (lambda: metrics.Mean(dtype="int32"), r"Received: dtype='int32'"),
])
def test_errors_name_what_was_received(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_get_and_get_metric():
    for name, cls in [("accuracy", metrics.Accuracy), ("acc", metrics.Accuracy), ("mse", metrics.MeanSquaredError),
                      ("auc", metrics.AUC), ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
                      ("BinaryAccuracy", metrics.BinaryAccuracy), ("precision", metrics.Precision)]:
        assert type(metrics.get(name)) is cls
    auc = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "num_thresholds": 10}})
    assert auc.curve == "PR" and auc.num_thresholds == 10
    assert metrics.get(metrics.serialize(auc)).get_config() == auc.get_config()
    m = metrics.Recall()
    assert metrics.get(m) is m and metrics.get(None) is None
    wrapped = metrics.get(lambda t, p: em.abs(em.convert_to_tensor(t) - p))
    assert isinstance(wrapped, metrics.MeanMetricWrapper)
    with pytest.raises(ValueError, match=r"Unknown metric: 'acuracy'. Valid names are: \[.*'accuracy'.*'auc'.*\]"):
        metrics.get("acuracy")
    labels, onehot, probs, column = np.zeros(8), np.zeros((8, 10)), np.zeros((8, 10)), np.zeros((8, 1))
    picked = metrics.get_metric("accuracy", labels, probs)
    assert type(picked) is metrics.SparseCategoricalAccuracy and picked.name == "accuracy"
    assert type(metrics.get_metric("acc", column, probs)) is metrics.SparseCategoricalAccuracy
    assert type(metrics.get_metric("accuracy", onehot, probs)) is metrics.CategoricalAccuracy
    assert type(metrics.get_metric("accuracy", column, column)) is metrics.BinaryAccuracy
    assert metrics.get_metric("mse", column, column).name == "mse"
    assert metrics.get_metric(metrics.AUC(name="my_auc"), column, column).name == "my_auc"


def test_custom_metric_subclass_and_call():
    class Total(metrics.Metric):
        def __init__(self, name="total", dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.total = self.add_variable((), "zeros", name="total")

        def update_state(self, values):
            self.total.assign_add(em.reduce_sum(em.cast(values, self.dtype)))

        def result(self):
            return self.total.value()

    m = Total(dtype="float64")
    assert float(m([1.0, 2.0])) == 3.0 and float(m([4.0])) == 7.0
    assert m.variables[0].name == "total/total" and m.variables[0].dtype == em.float64
    assert m.get_config() == {"name": "total", "dtype": "float64"}


def test_mean_absolute_error_by_name_and_config():
    for name in ("mae", "mean_absolute_error", "MAE", "MeanAbsoluteError"):
        assert type(metrics.get(name)) is metrics.MeanAbsoluteError
    m = metrics.get("mae")
    assert m.name == "mean_absolute_error" and m.direction == "down"
    assert metrics.get_metric("mae", np.zeros((4, 1)), np.zeros((4, 1))).name == "mae"
    assert type(metrics.get(metrics.serialize(m))) is metrics.MeanAbsoluteError
    m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 2.0]])
    assert float(m.result()) == pytest.approx(0.75)  # per sample: 0.5 and 1.0
