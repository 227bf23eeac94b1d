"""em.keras training: compiled and eager steps agree, the compiled step holds the backward
pass, models learn the digits, evaluate matches NumPy, fit's options, and the user errors."""
from __future__ import annotations

import re
import time

import numpy as np
import pytest

import ember as em

L = em.keras.layers


def f32(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


@pytest.fixture(scope="module")
def digits():
    return em.keras.datasets.digits.load_data()


def small_mlp(eager: bool = False, seed: int = 7):
    em.keras.random.set_random_seed(seed)
    model = em.keras.Sequential([em.keras.Input((64,)), L.Dense(32, activation="relu"),
                                 L.Dropout(0.2), L.BatchNormalization(), L.Dense(10)])
    model.compile(optimizer="adam", metrics=["accuracy"], run_eagerly=eager,
                  loss=em.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


# -- compiled vs eager -----------------------------------------------------------------------
def test_eager_and_compiled_training_give_the_same_weights(digits):
    (x, y), _ = digits
    x, y = x[:640].reshape(-1, 64), y[:640]
    eager, compiled = small_mlp(eager=True), small_mlp(eager=False)
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    em.keras.random.set_random_seed(1)
    h_eager = eager.fit(x, y, batch_size=32, epochs=1, verbose=0)              # 20 steps, shuffled
    em.keras.random.set_random_seed(1)
    h_compiled = compiled.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert compiled.train_function.trace_count == 1 and eager.train_function.trace_count == 0
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h_eager.history["loss"], h_compiled.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h_eager.history["accuracy"], h_compiled.history["accuracy"])
    assert not np.array_equal(eager.get_weights()[0], small_mlp().get_weights()[0])   # it trained


def test_attention_model_trains_the_same_eager_and_compiled():
    def make(eager):
        em.keras.random.set_random_seed(11)
        tokens = em.keras.Input((12,), dtype="int32")
        h = L.Embedding(50, 16)(tokens)
        attended = L.MultiHeadAttention(num_heads=2, key_dim=8, dropout=0.1)(h, h, use_causal_mask=True)
        h = L.LayerNormalization()(L.Add()([h, attended]))
        model = em.keras.Model(tokens, L.Dense(3, activation="softmax")(L.Flatten()(h)))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=eager)
        return model

    x = np.random.default_rng(0).integers(0, 50, (96, 12)).astype(np.int32)
    y = x[:, 0] % 3
    histories = []
    for model in (eager := make(True), compiled := make(False)):
        em.keras.random.set_random_seed(2)
        histories.append(model.fit(x, y, epochs=2, batch_size=32, verbose=0).history["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_train_function_is_one_compiled_step_with_the_backward_pass():
    model = em.keras.Sequential([em.keras.Input((64,)), L.Dense(32, activation="relu"),
                                 L.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = f32(32, 64), np.arange(32, dtype=np.int32) % 10
    fused = model.train_function.lower(x, y).as_text("fused")
    matmuls = re.findall(r'"ember\.matmul".*-> tensor<(\w+)>', fused)
    # forward x @ W1, h @ W2; backward g @ W2^T (32x32), h^T @ g (32x10), x^T @ g (64x32)
    assert sorted(matmuls) == sorted(["32x32xf32", "32x10xf32", "32x32xf32", "32x10xf32", "64x32xf32"])
    assert "ember.fused" in fused and "ember_train_function" in fused
    inference = model.test_function.lower(x, y).as_text("fused")
    assert len(re.findall(r'"ember\.matmul"', inference)) == 2          # no backward pass
    model.fit(np.concatenate([x, x, x[:8]]), np.concatenate([y, y, y[:8]]), batch_size=32, verbose=0)
    assert model.train_function.trace_count == 2                        # full and last batch


# -- learning the digits ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained_mlp(digits):
    (x, y), _ = digits
    em.keras.random.set_random_seed(0)
    model = em.keras.Sequential([em.keras.Input((8, 8)), L.Flatten(), L.Dense(128, activation="relu"),
                                 L.Dropout(0.2), L.Dense(10, activation="softmax")])
    model.compile(optimizer=em.keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    return model, history, time.perf_counter() - start


def test_mlp_learns_the_digits(trained_mlp, digits):
    model, history, seconds = trained_mlp
    _, (x_test, y_test) = digits
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=len(x_test), verbose=0)
    print(f"MLP: test accuracy {accuracy:.4f}, fit {seconds:.2f}s")
    assert accuracy >= 0.95
    assert history.history["loss"][-1] < history.history["loss"][0] / 5


def test_cnn_learns_the_digits(digits):
    (x, y), (x_test, y_test) = digits
    em.keras.random.set_random_seed(0)
    model = em.keras.Sequential([
        em.keras.Input((8, 8, 1)),
        L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(),
        L.Conv2D(64, 3, padding="same", activation="relu"), L.MaxPooling2D(),
        L.Flatten(), L.Dropout(0.3), L.Dense(10, activation="softmax")])
    model.compile(optimizer=em.keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x[..., None], y, epochs=12, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test[..., None], y_test, batch_size=len(x_test), verbose=0)
    print(f"CNN: test accuracy {accuracy:.4f}, fit {seconds:.2f}s")
    assert accuracy >= 0.97


def test_evaluate_agrees_with_numpy_on_predictions(trained_mlp, digits):
    model, _, _ = trained_mlp
    _, (x_test, y_test) = digits
    probabilities = model.predict(x_test, batch_size=100, verbose=0)
    assert probabilities.shape == (len(x_test), 10)
    clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
    expected_loss = -np.mean(np.log(clipped[np.arange(len(y_test)), y_test]))
    expected_accuracy = np.mean(probabilities.argmax(1) == y_test)
    for batch_size in (len(x_test), 100):                 # one batch, and a short last batch
        logs = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0, return_dict=True)
        assert list(logs) == ["loss", "accuracy"]
        np.testing.assert_allclose(logs["loss"], expected_loss, rtol=1e-4)
        np.testing.assert_allclose(logs["accuracy"], expected_accuracy, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x_test[:7]), probabilities[:7], rtol=1e-5, atol=1e-7)
    loss, accuracy = model.test_on_batch(x_test, y_test)
    np.testing.assert_allclose([loss, accuracy], [expected_loss, expected_accuracy], rtol=1e-4)


def test_multi_output_losses_are_weighted():
    a, b = em.keras.Input((4,), name="a"), em.keras.Input((6,), name="b")
    merged = L.Concatenate()([a, b])
    model = em.keras.Model([a, b], {"reg": L.Dense(1, name="reg")(merged),
                                    "cls": L.Dense(3, activation="softmax", name="cls")(merged)})
    model.compile(optimizer="sgd", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"]})
    xa, xb = f32(40, 4), f32(40, 6, seed=1)
    targets = {"reg": f32(40, 1, seed=2), "cls": np.arange(40, dtype=np.int32) % 3}
    history = model.fit([xa, xb], targets, epochs=2, batch_size=16, verbose=0)
    assert list(history.history) == ["loss", "cls_accuracy"]
    out = model.predict([xa, xb], verbose=0)
    mse = np.mean((out["reg"] - targets["reg"]) ** 2)
    ce = -np.mean(np.log(np.clip(out["cls"][np.arange(40), targets["cls"]], 1e-7, 1)))
    logs = model.evaluate([xa, xb], targets, batch_size=40, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], 0.5 * mse + 2.0 * ce, rtol=1e-5)


# -- fit's options ---------------------------------------------------------------------------
def regression_model():
    em.keras.random.set_random_seed(3)
    model = em.keras.Sequential([em.keras.Input((5,)), L.Dense(8, activation="relu"), L.Dense(1)])
    model.compile(optimizer=em.keras.optimizers.SGD(0.05), loss="mse", metrics=["mse"])
    return model


def regression_data(n=100):
    x = f32(n, 5)
    return x, x @ np.arange(1, 6, dtype=np.float32)[:, None] * 0.2


def test_fit_validation_epochs_and_steps():
    x, y = regression_data()
    model = regression_model()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "mse", "val_loss", "val_mse"]
    assert history.epoch == [0, 1, 2] and model.history is history
    val = model.evaluate(x[80:], y[80:], verbose=0, return_dict=True)
    np.testing.assert_allclose(history.history["val_loss"][-1], val["loss"], rtol=1e-5)
    history = model.fit(x, y, epochs=4, initial_epoch=2, validation_data=(x[:10], y[:10]), verbose=0)
    assert history.epoch == [2, 3] and len(history.history["val_loss"]) == 2
    batches = []
    counter = em.keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    model.fit(x, y, epochs=2, batch_size=16, steps_per_epoch=3, callbacks=[counter], verbose=0)
    assert batches == [0, 1, 2, 0, 1, 2]


def test_callbacks_can_stop_training():
    x, y = regression_data()
    model = regression_model()
    stop = em.keras.callbacks.EarlyStopping(monitor="loss", min_delta=1e6, patience=1)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 2


def test_progress_output(capsys):
    x, y = regression_data()
    model = regression_model()
    model.fit(x, y, epochs=2, batch_size=25, verbose=1)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"4/4 \S+ \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4} - mse: \d+\.\d{4}", lines[1]), lines[1]
    model.fit(x, y, epochs=1, verbose=2, validation_split=0.2)
    line = capsys.readouterr().out.splitlines()[1]
    assert re.fullmatch(r"3/3 \d+s \d+(us|ms|s)/step - loss: \S+ - mse: \S+ - val_loss: \S+ - val_mse: \S+", line), line
    model.evaluate(x, y, verbose=1)
    assert re.fullmatch(r"4/4 \S+ \d+s \d+(us|ms|s)/step - loss: \S+ - mse: \S+\n", capsys.readouterr().out)
    model.fit(x, y, epochs=1, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_redraws_in_place_on_a_terminal():
    import io

    from ember.runtime.keras.progbar import Progbar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = Progbar(3, stream=stream, interval=0)
    for step in (1, 2, 3):
        bar.update(step, [("loss", 1.0 / step)])
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.count("\n") == 1 and text.endswith("\n")
    assert "\r1/3 " in text and "\r3/3 " in text and "/step - loss: 0.3333" in text
    assert "/step" not in text.split("\r")[1]                 # before the end: the ETA only


def test_custom_training_loop_with_a_subclassed_model():
    class TwoLayer(em.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = L.Dense(16, activation="tanh")
            self.out = L.Dense(1)

        def call(self, x, training=None):
            return self.out(self.hidden(x))

    em.keras.random.set_random_seed(0)
    model = TwoLayer()
    model.build((None, 5))
    optimizer = em.keras.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    loss_fn = em.keras.losses.MeanSquaredError()
    x, y = regression_data(64)

    @em.function
    def step(xb, yb):
        with em.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    losses = [float(step(x, y)) for _ in range(50)]
    assert losses[-1] < losses[0] / 4


# -- errors ----------------------------------------------------------------------------------
def test_fit_and_evaluate_need_compile():
    model = em.keras.Sequential([em.keras.Input((5,)), L.Dense(1)])
    x, y = regression_data(8)
    for call, name in ((lambda: model.fit(x, y), "fit"), (lambda: model.evaluate(x, y), "evaluate"),
                       (lambda: model.train_on_batch(x, y), "train_on_batch")):
        with pytest.raises(ValueError, match=rf"You must call compile\(\) before {name}\(\)"):
            call()
    assert model.predict(x, verbose=0).shape == (8, 1)        # predict needs no compile


def test_unknown_names_list_the_valid_ones():
    model = em.keras.Sequential([em.keras.Input((5,)), L.Dense(1)])
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamm'.*Valid names.*'adam'.*'sgd'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match=r"Unknown loss: 'mse2'.*Valid names.*'mean_squared_error'"):
        model.compile(optimizer="adam", loss="mse2")
    with pytest.raises(ValueError, match=r"Unknown metric: 'acuracy'.*Valid names.*'accuracy'"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match=r"Unrecognized arguments passed to compile\(\): \['jit'\]"):
        model.compile(optimizer="adam", loss="mse", jit=True)


def test_data_errors():
    model = regression_model()
    x, y = regression_data(20)
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous: 'x' sizes: 20 'y' sizes: 19"):
        model.fit(x, y[:19], verbose=0)
    with pytest.raises(ValueError, match=r"`batch_size` must be a positive integer. Received: batch_size=0"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"`validation_split` must be a float in \(0, 1\)"):
        model.fit(x, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match=r'Input 0 of layer "sequential.*" is incompatible with the layer: '
                                         r"expected shape=\(None, 5\), found shape=\(20, 3\)"):
        model.fit(x[:, :3], y, verbose=0)


def test_label_shape_mismatch_is_a_clear_error():
    model = em.keras.Sequential([em.keras.Input((5,)), L.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = f32(8, 5)
    labels = np.arange(8, dtype=np.int32) % 4                 # sparse labels for a one-hot loss
    with pytest.raises(ValueError, match=r"y_true.shape=\(8,\), y_pred.shape=\(8, 4\).*sparse_categorical") as err:
        model.fit(x, labels, batch_size=8, verbose=0)
    assert not isinstance(err.value, em.CompileError)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match=r"y_true.shape=\(8, 3\), y_pred.shape=\(8, 4\)"):
        model.evaluate(x, f32(8, 3), verbose=0)
