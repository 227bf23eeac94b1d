"""em.keras.callbacks with a small fake model (the contract: optimizer, stop_training,
get_weights/set_weights, save_weights/save): History, EarlyStopping, ReduceLROnPlateau,
LearningRateScheduler, ModelCheckpoint, LambdaCallback, CallbackList; and a real compiled
training loop whose learning rate the callbacks change without retracing."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from ember.runtime.keras import callbacks, losses, metrics, optimizers


class FakeModel:
    """The model contract callbacks rely on; weights are one array per epoch marker."""

    def __init__(self, learning_rate=0.1, metric_list=()):
        self.optimizer = optimizers.SGD(learning_rate=learning_rate)
        self.stop_training = False
        self.weights = [np.zeros(2, np.float32)]
        self.metrics = list(metric_list)
        self.saved: list[tuple[str, str]] = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save_weights(self, filepath):
        self.saved.append(("weights", filepath))
        with open(filepath, "w") as f:
            f.write(str(self.weights[0][0]))

    def save(self, filepath):
        self.saved.append(("model", filepath))
        with open(filepath, "w") as f:
            f.write("model")


def fit(model, callback_list, epoch_logs, steps=2):
    """A fit loop as a model runs it: weights become [epoch, epoch] during each epoch."""
    cbs = callbacks.CallbackList(callback_list, model=model, add_history=True,
                                 epochs=len(epoch_logs), steps=steps, verbose=0)
    model.stop_training = False
    cbs.on_train_begin()
    logs = {}
    for epoch, logs in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            model.weights = [np.full(2, epoch, np.float32)]
            cbs.on_train_batch_end(batch, {"loss": logs["loss"]})
        logs = dict(logs)
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model.history


def epochs(*val_losses, **other):
    return [{"loss": 1.0 + i, "val_loss": v, **{k: vals[i] for k, vals in other.items()}}
            for i, v in enumerate(val_losses)]


# -- History and CallbackList ----------------------------------------------------------------
def test_history_records_every_epoch():
    model = FakeModel()
    history = fit(model, [], epochs(0.5, 0.4, 0.3, accuracy=[0.1, 0.2, 0.3]))
    assert isinstance(history, callbacks.History)
    assert history.epoch == [0, 1, 2]
    assert history.history == {"loss": [1.0, 2.0, 3.0], "val_loss": [0.5, 0.4, 0.3],
                               "accuracy": [0.1, 0.2, 0.3]}


def test_callback_list_dispatches_every_hook_in_order_with_python_floats():
    calls = []

    class Recorder(callbacks.Callback):
        def __init__(self, tag):
            super().__init__()
            self.tag = tag

        def __getattribute__(self, name):
            if name.startswith("on_"):
                return lambda *args: calls.append((object.__getattribute__(self, "tag"), name, args))
            return object.__getattribute__(self, name)

    model = FakeModel()
    a, b = Recorder("a"), Recorder("b")
    cbs = callbacks.CallbackList([a, b], model=model, epochs=3)
    assert a.model is model and b.params == {"epochs": 3}
    hooks = ["on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
             "on_predict_end"]
    for hook in hooks:
        getattr(cbs, hook)({"loss": em.constant(0.25)})
    for hook in ["on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
                 "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
                 "on_predict_batch_end", "on_batch_begin", "on_batch_end"]:
        getattr(cbs, hook)(7, {"acc": np.float64(0.5), "n": 3})
    assert [c[:2] for c in calls[:4]] == [("a", "on_train_begin"), ("b", "on_train_begin"),
                                         ("a", "on_train_end"), ("b", "on_train_end")]
    assert calls[0][2] == ({"loss": 0.25},) and type(calls[0][2][0]["loss"]) is float
    assert calls[-1] == ("b", "on_batch_end", (7, {"acc": 0.5, "n": 3.0}))
    assert len(calls) == 2 * (len(hooks) + 10)


def test_callback_list_adds_history_and_progbar_once(capsys):
    history = callbacks.History()
    cbs = callbacks.CallbackList([history], add_history=True, add_progbar=True, epochs=1, steps=2, verbose=2)
    assert cbs.history is history and len(cbs) == 2 and isinstance(cbs.callbacks[1], callbacks.ProgbarLogger)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(1, {"loss": 0.5})
    cbs.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25})
    assert capsys.readouterr().out == "Epoch 1/1\n2/2 - 0s - loss: 0.5000 - val_loss: 0.2500\n"
    with pytest.raises(ValueError, match="callbacks\\[0\\] is a str"):
        callbacks.CallbackList(["history"])


def test_default_train_batch_hooks_call_the_legacy_batch_hooks():
    seen = []

    class Legacy(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, logs))

    Legacy().on_train_batch_end(3, {"loss": 1.0})
    assert seen == [(3, {"loss": 1.0})]


# -- EarlyStopping -------------------------------------------------------------------------------
def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model = FakeModel()
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = fit(model, [stop], epochs(1.0, 0.8, 0.9, 0.85, 0.7, 0.6))
    assert history.epoch == [0, 1, 2, 3]  # no improvement in epochs 2 and 3
    assert stop.stopped_epoch == 3 and stop.best == 0.8 and stop.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], [1, 1])


def test_early_stopping_without_restore_keeps_the_last_weights():
    model = FakeModel()
    stop = callbacks.EarlyStopping(monitor="loss", patience=0)  # loss increases every epoch
    history = fit(model, [stop], epochs(1, 1, 1))
    assert history.epoch == [0, 1]
    np.testing.assert_array_equal(model.weights[0], [1, 1])


def test_early_stopping_modes_min_delta_baseline_and_warmup():
    up = callbacks.EarlyStopping(monitor="val_accuracy", patience=1)  # auto: accuracy is maximised
    history = fit(FakeModel(), [up], epochs(1, 1, 1, 1, val_accuracy=[0.5, 0.6, 0.55, 0.58]))
    assert history.epoch == [0, 1, 2]
    delta = callbacks.EarlyStopping(monitor="val_loss", min_delta=0.1, patience=1)
    assert fit(FakeModel(), [delta], epochs(1.0, 0.95, 0.5, 0.45)).epoch == [0, 1]
    # improvements that do not beat the baseline do not reset the patience (Keras' rule)
    plain = callbacks.EarlyStopping(monitor="val_loss", patience=2)
    assert fit(FakeModel(), [plain], epochs(0.9, 0.8, 0.85, 0.84, 0.83)).epoch == [0, 1, 2, 3]
    baseline = callbacks.EarlyStopping(monitor="val_loss", baseline=0.5, patience=2)
    assert fit(FakeModel(), [baseline], epochs(0.9, 0.8, 0.85, 0.84, 0.83)).epoch == [0, 1, 2]
    warmup = callbacks.EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=3)
    assert fit(FakeModel(), [warmup], epochs(0.1, 0.2, 0.3, 0.4, 0.5)).epoch == [0, 1, 2, 3, 4]
    maximise = callbacks.EarlyStopping(monitor="val_custom", mode="max", patience=0)
    assert fit(FakeModel(), [maximise], epochs(1, 1, 1, val_custom=[1, 2, 1])).epoch == [0, 1, 2]


def test_auto_mode_asks_the_models_metrics_for_their_direction():
    class Score(metrics.Mean):
        direction = "up"

    model = FakeModel(metric_list=[Score(name="score")])
    stop = callbacks.EarlyStopping(monitor="val_score", patience=0)
    assert fit(model, [stop], epochs(1, 1, 1, val_score=[0.1, 0.2, 0.1])).epoch == [0, 1, 2]
    mystery = callbacks.EarlyStopping(monitor="val_mystery", patience=0)  # unknown names: minimised
    assert fit(FakeModel(), [mystery], epochs(1, 1, 1, val_mystery=[0.2, 0.1, 0.3])).epoch == [0, 1, 2]


def test_early_stopping_warns_when_the_monitor_is_missing():
    with pytest.warns(UserWarning, match="`val_accuracy` which is not available. Available metrics are: loss,val_loss"):
        fit(FakeModel(), [callbacks.EarlyStopping(monitor="val_accuracy")], epochs(1.0))


# -- learning rate callbacks -------------------------------------------------------------------
def test_reduce_lr_on_plateau_after_patience_with_cooldown_and_min_lr():
    model = FakeModel(learning_rate=1.0)
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    history = fit(model, [reduce], epochs(*[1.0] * 9))
    # no improvement after epoch 0: reduced at the end of epochs 2, 4 and 6 (a cooldown epoch
    # after each); the logs hold the rate each epoch ran with
    assert history.history["learning_rate"] == pytest.approx([1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2])
    assert model.optimizer.learning_rate == pytest.approx(0.2)


def test_reduce_lr_on_plateau_resets_on_improvement():
    model = FakeModel(learning_rate=0.1)
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2, min_delta=0.01)
    fit(model, [reduce], epochs(1.0, 0.995, 0.9, 0.899, 0.8))
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    fit(model, [reduce], epochs(1.0, 0.995, 0.991))
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    with pytest.raises(ValueError, match="factor >= 1.0. Received: factor=1.5"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler():
    model = FakeModel(learning_rate=0.8)
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.5)
    history = fit(model, [scheduler], epochs(1, 1, 1, 1))
    assert history.history["learning_rate"] == pytest.approx([0.8, 0.4, 0.2, 0.1])
    one_argument = callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    assert fit(model, [one_argument], epochs(1, 1)).history["learning_rate"] == pytest.approx([0.01, 0.02])
    with pytest.raises(ValueError, match="should be a float. Received: 'fast'"):
        fit(model, [callbacks.LearningRateScheduler(lambda epoch, lr: "fast")], epochs(1))


# -- ModelCheckpoint ----------------------------------------------------------------------------
def test_model_checkpoint_formats_names_and_saves_only_the_best(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "ckpt" / "w.{epoch:02d}-{val_loss:.2f}.weights")
    checkpoint = callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    fit(model, [checkpoint], epochs(0.9, 0.95, 0.5, 0.7, 0.25))
    names = [p.split("/")[-1] for kind, p in model.saved]
    assert names == ["w.01-0.90.weights", "w.03-0.50.weights", "w.05-0.25.weights"]
    assert all(kind == "weights" for kind, _ in model.saved)
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == names
    assert (tmp_path / "ckpt" / "w.03-0.50.weights").read_text() == "2.0"


def test_model_checkpoint_every_epoch_or_every_n_batches(tmp_path):
    model = FakeModel()
    fit(model, [callbacks.ModelCheckpoint(str(tmp_path / "model_{epoch}.ember"))], epochs(1, 1, 1))
    assert model.saved == [("model", str(tmp_path / f"model_{e}.ember")) for e in (1, 2, 3)]
    model = FakeModel()
    batches = callbacks.ModelCheckpoint(str(tmp_path / "b_{epoch}_{batch}.ember"), save_freq=3)
    fit(model, [batches], epochs(1, 1, 1), steps=2)  # 6 batches: saves after the 3rd and 6th
    assert [p.split("/")[-1] for _, p in model.saved] == ["b_2_1.ember", "b_3_2.ember"]


def test_model_checkpoint_max_mode_and_errors(tmp_path):
    model = FakeModel()
    best = callbacks.ModelCheckpoint(str(tmp_path / "best"), monitor="val_accuracy", save_best_only=True)
    fit(model, [best], epochs(1, 1, 1, val_accuracy=[0.5, 0.4, 0.6]))
    assert len(model.saved) == 2 and best.best == 0.6
    bad = callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc}.w"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        fit(FakeModel(), [bad], epochs(1))
    with pytest.raises(ValueError, match="Received: save_freq='batch'"):
        callbacks.ModelCheckpoint("x", save_freq="batch")
    with pytest.raises(ValueError, match="Received: mode='up'"):
        callbacks.ModelCheckpoint("x", mode="up")


# -- LambdaCallback and get ----------------------------------------------------------------------
def test_lambda_callback():
    events = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, logs["val_loss"])),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch)),
        on_train_end=lambda logs: events.append("end"))
    fit(FakeModel(), [cb], epochs(0.5, 0.25), steps=1)
    assert events == ["begin", ("batch", 0), ("epoch", 0, 0.5), ("batch", 0), ("epoch", 1, 0.25), "end"]
    with pytest.raises(ValueError, match="Received: on_epoch_end=3"):
        callbacks.LambdaCallback(on_epoch_end=3)


def test_get():
    assert type(callbacks.get("early_stopping")) is callbacks.EarlyStopping
    assert callbacks.get({"class_name": "ReduceLROnPlateau", "config": {"patience": 3}}).patience == 3
    cb = callbacks.History()
    assert callbacks.get(cb) is cb
    with pytest.raises(ValueError, match=r"Unknown callback: 'early_stop'. Valid names are: \[.*'early_stopping'.*\]"):
        callbacks.get("early_stop")


# -- a real compiled training loop ---------------------------------------------------------------
class LinearModel(FakeModel):
    """y = x @ w + b trained by one compiled step: forward, loss, gradients, optimizer update
    and metric updates in one @em.function, as Model.fit runs them."""

    def __init__(self):
        super().__init__()
        self.w = em.Variable(np.zeros((3, 1), np.float32), name="w")
        self.b = em.Variable(np.zeros(1, np.float32), name="b")
        self.optimizer = optimizers.SGD(learning_rate=0.3, momentum=0.5)
        self.loss = losses.MeanSquaredError()
        self.loss_tracker = metrics.Mean(name="loss")
        self.mae = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae")
        self.metrics = [self.loss_tracker, self.mae]
        self.traces = 0

        @em.function
        def train_step(x, y):
            self.traces += 1
            with em.GradientTape() as tape:
                pred = x @ self.w + self.b
                loss = self.loss(y, pred)
            grads = tape.gradient(loss, [self.w, self.b])
            self.optimizer.apply(grads, [self.w, self.b])
            self.loss_tracker.update_state(loss, sample_weight=x.shape[0])
            self.mae.update_state(y, pred)

        self.train_step = train_step

    def get_weights(self):
        return [self.w.numpy(), self.b.numpy()]

    def set_weights(self, weights):
        self.w.assign(weights[0])
        self.b.assign(weights[1])


def test_callbacks_drive_a_compiled_training_step_without_retracing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    model = LinearModel()
    lrs, weights = [], []
    stop = callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=1e-3, restore_best_weights=True)
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: (
        lrs.append(model.optimizer.learning_rate), weights.append(model.get_weights())))
    cbs = callbacks.CallbackList(
        [callbacks.LearningRateScheduler(lambda epoch, lr: 0.3 * 0.5 ** epoch), record, stop],
        model=model, add_history=True, epochs=30, steps=4)
    cbs.on_train_begin()
    for epoch in range(30):
        cbs.on_epoch_begin(epoch)
        for m in model.metrics:
            m.reset_state()
        for batch in range(4):
            model.train_step(x[batch * 8:(batch + 1) * 8], y[batch * 8:(batch + 1) * 8])
        cbs.on_epoch_end(epoch, {m.name: m.result() for m in model.metrics})
        if model.stop_training:
            break
    cbs.on_train_end()
    history = model.history.history
    epochs_run = len(history["loss"])
    assert model.traces == 1
    assert lrs == pytest.approx([0.3 * 0.5 ** e for e in range(epochs_run)])
    assert 3 < epochs_run < 30 and int(model.optimizer.iterations) == 4 * epochs_run
    assert history["loss"][0] > 10 * history["loss"][-1]
    assert stop.best == history["loss"][stop.best_epoch] and stop.best_epoch < epochs_run - 1
    for restored, best in zip(model.get_weights(), weights[stop.best_epoch]):
        np.testing.assert_array_equal(restored, best)
