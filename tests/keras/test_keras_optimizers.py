"""em.keras.optimizers: every optimizer against a NumPy transcription of Keras 3's update rule
over several steps, eagerly and inside one compiled `@em.function` step (the same numbers);
learning rate changes and schedules without retracing; clipping, weight decay; errors."""
from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest

import ember as em
from ember.runtime.keras import optimizers
from ember.runtime.keras.optimizers import schedules

SHAPES = [(3, 4), (5,)]
STEPS = 5
TOL = dict(rtol=2e-5, atol=1e-6)


# -- NumPy references (float64), transcribed from Keras 3's update_step methods ----------------
def ref_exponential(step, initial, decay_steps, decay_rate, staircase=False):
    p = step / decay_steps
    return initial * decay_rate ** (math.floor(p) if staircase else p)


def ref_cosine(step, initial, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(s, start):
        cosine = 0.5 * (1 + math.cos(math.pi * s / decay_steps))
        return start * ((1 - alpha) * cosine + alpha)

    if warmup_target is None:
        return decay(min(step, decay_steps), initial)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - initial) * step / warmup_steps + initial
    return decay(step - warmup_steps, warmup_target)


def ref_clip(grads, cfg):
    if cfg.get("clipnorm"):
        c = cfg["clipnorm"]
        return [g * c / max(np.sqrt(np.sum(g * g)), c) for g in grads]
    if cfg.get("global_clipnorm"):
        c = cfg["global_clipnorm"]
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * c * min(1 / norm, 1 / c) for g in grads]
    if cfg.get("clipvalue"):
        c = cfg["clipvalue"]
        return [np.clip(g, -c, c) for g in grads]
    return grads


class Reference:
    """One optimizer's state and update in NumPy."""

    def __init__(self, kind, cfg, weights):
        self.kind, self.cfg, self.t = kind, cfg, 0
        self.w = [w.astype(np.float64) for w in weights]
        zeros = lambda: [np.zeros_like(w) for w in self.w]  # noqa: E731
        self.m, self.v, self.vhat, self.avg = zeros(), zeros(), zeros(), zeros()
        if kind == "adagrad":
            self.v = [np.full_like(w, cfg.get("initial_accumulator_value", 0.1)) for w in self.w]

    def lr(self):
        lr = self.cfg["learning_rate"]
        return lr(self.t) if callable(lr) else lr

    def step(self, grads):
        cfg, lr = self.cfg, self.lr()
        grads = ref_clip([g.astype(np.float64) for g in grads], cfg)
        if cfg.get("weight_decay"):
            self.w = [w - w * cfg["weight_decay"] * lr for w in self.w]
        for i, g in enumerate(grads):
            getattr(self, "_" + self.kind)(i, g, lr)
        self.t += 1

    def _sgd(self, i, g, lr):
        mu = self.cfg.get("momentum", 0.0)
        if mu == 0:
            self.w[i] = self.w[i] - g * lr
            return
        self.m[i] = self.m[i] * mu - g * lr
        self.w[i] = self.w[i] + (self.m[i] * mu - g * lr if self.cfg.get("nesterov") else self.m[i])

    def _adam(self, i, g, lr):
        b1, b2 = self.cfg.get("beta_1", 0.9), self.cfg.get("beta_2", 0.999)
        eps, t = self.cfg.get("epsilon", 1e-7), self.t + 1
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        self.m[i] += (g - self.m[i]) * (1 - b1)
        self.v[i] += (g * g - self.v[i]) * (1 - b2)
        v = self.v[i]
        if self.cfg.get("amsgrad"):
            self.vhat[i] = np.maximum(self.vhat[i], v)
            v = self.vhat[i]
        self.w[i] = self.w[i] - self.m[i] * alpha / (np.sqrt(v) + eps)

    _adamw = _adam

    def _rmsprop(self, i, g, lr):
        rho, mu = self.cfg.get("rho", 0.9), self.cfg.get("momentum", 0.0)
        eps = self.cfg.get("epsilon", 1e-7)
        self.v[i] = rho * self.v[i] + (1 - rho) * g * g
        if self.cfg.get("centered"):
            self.avg[i] = rho * self.avg[i] + (1 - rho) * g
            denominator = self.v[i] - self.avg[i] ** 2 + eps
        else:
            denominator = self.v[i] + eps
        increment = lr * g / np.sqrt(denominator)
        if mu > 0:
            self.m[i] = mu * self.m[i] + increment
            self.w[i] = self.w[i] - self.m[i]
        else:
            self.w[i] = self.w[i] - increment

    def _adagrad(self, i, g, lr):
        self.v[i] += g * g
        self.w[i] = self.w[i] - lr * g / np.sqrt(self.v[i] + self.cfg.get("epsilon", 1e-7))


# -- the cases: (optimizer kind, constructor arguments, the reference's learning rate) ---------
EXP = dict(initial_learning_rate=0.05, decay_steps=2, decay_rate=0.5)
COS = dict(initial_learning_rate=0.01, decay_steps=3, warmup_target=0.1, warmup_steps=2)
CASES = {
    "sgd": ("sgd", dict(learning_rate=0.1)),
    "sgd_momentum": ("sgd", dict(learning_rate=0.1, momentum=0.9)),
    "sgd_nesterov": ("sgd", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    "sgd_clipnorm": ("sgd", dict(learning_rate=0.1, clipnorm=0.5)),
    "sgd_global_clipnorm": ("sgd", dict(learning_rate=0.1, global_clipnorm=1.0)),
    "sgd_weight_decay": ("sgd", dict(learning_rate=0.1, momentum=0.5, weight_decay=0.2)),
    "sgd_cosine_warmup": ("sgd", dict(learning_rate=schedules.CosineDecay(**COS))),
    "adam": ("adam", dict(learning_rate=0.01)),
    "adam_amsgrad": ("adam", dict(learning_rate=0.01, amsgrad=True, beta_1=0.8)),
    "adam_clipvalue": ("adam", dict(learning_rate=0.01, clipvalue=0.1)),
    "adam_exponential_decay": ("adam", dict(learning_rate=schedules.ExponentialDecay(**EXP))),
    "adamw": ("adamw", dict(learning_rate=0.01, weight_decay=0.1)),
    "rmsprop": ("rmsprop", dict(learning_rate=0.01)),
    "rmsprop_centered_momentum": ("rmsprop", dict(learning_rate=0.01, centered=True, momentum=0.5)),
    "adagrad": ("adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.2)),
}
CLASSES = {"sgd": optimizers.SGD, "adam": optimizers.Adam, "adamw": optimizers.AdamW,
           "rmsprop": optimizers.RMSprop, "adagrad": optimizers.Adagrad}


def reference_config(cfg):
    lr = cfg["learning_rate"]
    if isinstance(lr, schedules.ExponentialDecay):
        lr = lambda t, c=lr.get_config(): ref_exponential(  # noqa: E731
            t, c["initial_learning_rate"], c["decay_steps"], c["decay_rate"], c["staircase"])
    elif isinstance(lr, schedules.CosineDecay):
        lr = lambda t, c=lr.get_config(): ref_cosine(  # noqa: E731
            t, c["initial_learning_rate"], c["decay_steps"], c["alpha"], c["warmup_target"],
            c["warmup_steps"])
    return {**cfg, "learning_rate": lr}


def problem(seed):
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1, 1, s).astype(np.float32) for s in SHAPES]
    grads = [[rng.uniform(-1, 1, s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_matches_keras_update_rule(case, compiled):
    kind, cfg = CASES[case]
    weights, grads = problem(zlib.crc32(case.encode()))
    variables = [em.Variable(w) for w in weights]
    opt = CLASSES[kind](**cfg)
    ref = Reference(kind, reference_config(cfg), weights)
    traces = []

    def step(*gs):
        traces.append(1)
        opt.apply(list(gs), variables)

    run = em.function(step) if compiled else step
    for t, gs in enumerate(grads):
        run(*gs)
        ref.step(gs)
        for v, expected in zip(variables, ref.w):
            np.testing.assert_allclose(v.numpy(), expected, **TOL, err_msg=f"{case} step {t}")
    assert int(opt.iterations) == STEPS
    assert len(traces) == (1 if compiled else STEPS)


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_eager_and_compiled_give_the_same_numbers(kind):
    weights, grads = problem(7)
    results = []
    for compiled in (False, True):
        variables = [em.Variable(w) for w in weights]
        opt = CLASSES[kind](learning_rate=0.05)
        step = lambda *gs: opt.apply(list(gs), variables)  # noqa: E731
        run = em.function(step) if compiled else step
        for gs in grads:
            run(*gs)
        results.append([v.numpy() for v in variables] + [s.numpy() for s in opt.variables])
    for eager, compiled in zip(*results):
        np.testing.assert_allclose(compiled, eager, rtol=1e-6, atol=1e-7)


def test_setting_the_learning_rate_does_not_retrace():
    weights, grads = problem(11)
    variables = [em.Variable(w) for w in weights]
    opt = optimizers.Adam(learning_rate=0.01)
    lrs = [0.01, 0.01, 0.05, 0.002, 0.002]
    ref = Reference("adam", {"learning_rate": lambda t: lrs[t]}, weights)
    traces = []

    @em.function
    def step(*gs):
        traces.append(1)
        opt.apply(list(gs), variables)

    for t, gs in enumerate(grads):
        opt.learning_rate = lrs[t]
        assert opt.learning_rate == pytest.approx(lrs[t])
        step(*gs)
        ref.step(gs)
        for v, expected in zip(variables, ref.w):
            np.testing.assert_allclose(v.numpy(), expected, **TOL)
    assert len(traces) == 1


def test_apply_gradients_builds_and_counts():
    w = em.Variable(np.ones(3, np.float32), name="w")
    opt = optimizers.SGD(learning_rate=0.5, momentum=0.9)
    assert not opt.built and opt.iterations.dtype == em.int64
    returned = opt.apply_gradients([(np.ones(3, np.float32), w)])
    assert opt.built and returned is opt.iterations and int(opt.iterations) == 1
    np.testing.assert_allclose(w.numpy(), [0.5] * 3)
    names = [v.name for v in opt.variables]
    assert names == ["sgd/iteration", "sgd/learning_rate", "sgd/w_momentum"]
    assert not any(v.trainable for v in opt.variables)


def test_none_gradients_are_skipped_with_a_warning():
    a, b = em.Variable(np.ones(2, np.float32), name="a"), em.Variable(np.ones(2, np.float32), name="b")
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply([np.ones(2, np.float32), None], [a, b])
    np.testing.assert_allclose(a.numpy(), [0.5, 0.5])
    np.testing.assert_allclose(b.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply([None, None], [a, b])


def test_apply_without_variables_uses_the_built_ones():
    w = em.Variable(np.ones(2, np.float32))
    opt = optimizers.SGD(learning_rate=1.0)
    with pytest.raises(ValueError, match=r"Call `optimizer.build\(trainable_variables\)` first"):
        opt.apply([np.ones(2, np.float32)])
    opt.build([w])
    opt.apply([np.ones(2, np.float32)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_unknown_variable_and_gradient_shape_are_errors():
    w, other = em.Variable(np.ones(2, np.float32), name="w"), em.Variable(np.ones(2, np.float32), name="other")
    opt = optimizers.Adam()
    opt.apply([np.ones(2, np.float32)], [w])
    with pytest.raises(ValueError, match="Unknown variable: 'other'"):
        opt.apply([np.ones(2, np.float32)], [other])
    with pytest.raises(ValueError, match=r"Gradient of shape \(3,\) does not match variable 'w' of shape \(2,\)"):
        opt.apply([np.ones(3, np.float32)], [w])


def test_exclude_from_weight_decay():
    kernel = em.Variable(np.ones(2, np.float32), name="dense/kernel")
    bias = em.Variable(np.ones(2, np.float32), name="dense/bias")
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.zeros(2, np.float32)] * 2, [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), [0.95, 0.95])
    np.testing.assert_allclose(bias.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_list=[kernel])


def test_schedule_is_evaluated_from_iterations():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    w = em.Variable(np.zeros(1, np.float32))
    opt = optimizers.SGD(learning_rate=schedule)
    seen = []
    step = em.function(lambda g: opt.apply([g], [w]))
    for _ in range(5):
        seen.append(opt.learning_rate)
        step(np.ones(1, np.float32))
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), [-sum(seen)], rtol=1e-6)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.5


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4, 5, 7, 10])
def test_schedules_match_keras_formulas(step):
    exp = schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.7)
    stair = schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.7, staircase=True)
    cos = schedules.CosineDecay(0.1, decay_steps=6, alpha=0.1)
    warm = schedules.CosineDecay(0.0, decay_steps=4, warmup_target=0.2, warmup_steps=3)
    s = em.constant(np.int64(step))
    assert float(exp(s)) == pytest.approx(ref_exponential(step, 0.1, 3, 0.7), rel=1e-6)
    assert float(stair(s)) == pytest.approx(ref_exponential(step, 0.1, 3, 0.7, True), rel=1e-6)
    assert float(cos(s)) == pytest.approx(ref_cosine(step, 0.1, 6, 0.1), rel=1e-5, abs=1e-7)
    assert float(warm(s)) == pytest.approx(ref_cosine(step, 0.0, 4, 0.0, 0.2, 3), rel=1e-5, abs=1e-7)


def test_config_round_trip_and_get():
    opt = optimizers.Adam(learning_rate=0.02, beta_1=0.8, amsgrad=True, clipnorm=1.0, name="my_adam")
    config = opt.get_config()
    assert config["learning_rate"] == pytest.approx(0.02) and config["amsgrad"] is True
    clone = optimizers.Adam.from_config(config)
    assert clone.get_config() == config
    sched = optimizers.SGD(learning_rate=schedules.CosineDecay(0.1, 10, alpha=0.2))
    clone = optimizers.get(optimizers.serialize(sched))
    assert isinstance(clone, optimizers.SGD)
    assert isinstance(clone._learning_rate, schedules.CosineDecay)
    assert clone.get_config() == sched.get_config()
    assert optimizers.get(opt) is opt
    for name, cls in [("adam", optimizers.Adam), ("SGD", optimizers.SGD), ("rmsprop", optimizers.RMSprop),
                      ("adamw", optimizers.AdamW), ("Adagrad", optimizers.Adagrad)]:
        assert type(optimizers.get(name)) is cls
    assert optimizers.get({"class_name": "SGD", "config": {"momentum": 0.9}}).momentum == 0.9
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamm'. Valid names are: \['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd'\]"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(3)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.SGD(clipnorm=1.0, clipvalue=1.0), "Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"),
    (lambda: optimizers.SGD(learning_rate="fast"), "Received: learning_rate='fast'"),
    (lambda: optimizers.SGD(momentum=-0.5), "Received: momentum=-0.5"),
    (lambda: optimizers.Adam(beta_1=1.0), "Received: beta_1=1.0"),
    (lambda: optimizers.RMSprop(rho=2), "Received: rho=2"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), "Received: initial_accumulator_value=-1"),
    (lambda: optimizers.AdamW(weight_decay=None), "Received: weight_decay=None"),
    (lambda: optimizers.SGD(clipnorm=-1), "Received: clipnorm=-1"),
    (lambda: optimizers.SGD(decay=0.1), "not recognized"),
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "Received: decay_steps=0"),
])
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_learning_rate_setter_validates():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match=r"Received: learning_rate='x'"):
        opt.learning_rate = "x"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.learning_rate = 0.25
    assert opt.learning_rate == 0.25
