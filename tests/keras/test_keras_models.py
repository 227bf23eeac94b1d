"""em.keras models: Sequential, functional and subclassed models agree; summary(); weights
get/set; weight files (round trip, atomic writes); model files; graph errors."""
from __future__ import annotations

import os

import numpy as np
import pytest

import ember as em

L = em.keras.layers


def f32(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def sequential(name=None):
    return em.keras.Sequential([em.keras.Input((64,)), L.Dense(32, activation="relu", name="hidden"),
                                L.BatchNormalization(name="norm"), L.Dense(10, name="logits")],
                               name=name)


def functional():
    inputs = em.keras.Input((64,))
    x = L.Dense(32, activation="relu")(inputs)
    x = L.BatchNormalization()(x)
    return em.keras.Model(inputs, L.Dense(10)(x))


class Subclassed(em.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = L.Dense(32, activation="relu")
        self.norm = L.BatchNormalization()
        self.logits = L.Dense(10)

    def call(self, x, training=None):
        return self.logits(self.norm(self.hidden(x)))


def test_three_ways_to_build_a_model_agree():
    x = f32(6, 64)
    seq, fun, sub = sequential(), functional(), Subclassed()
    sub.build((None, 64))
    assert type(fun).__name__ == "Functional" and isinstance(fun, em.keras.Model)
    weights = [w + np.float32(0.1 * i) for i, w in enumerate(seq.get_weights())]   # non-trivial BN stats
    seq.set_weights(weights)
    fun.set_weights(weights)
    sub.set_weights(weights)
    expected = seq(x).numpy()
    for model in (fun, sub):
        np.testing.assert_array_equal(model(x).numpy(), expected)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    for model in (seq, fun, sub):
        assert [w.shape for w in model.weights] == [(64, 32), (32,), (32,), (32,), (32,), (32,), (32, 10), (10,)]
        assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2


def test_sequential_builds_lazily_without_input():
    model = em.keras.Sequential([L.Dense(8), L.Dense(2)])
    assert not model.built and model.weights == []
    assert model(f32(3, 5)).shape == (3, 2)
    assert model.built and [w.shape for w in model.weights] == [(5, 8), (8,), (8, 2), (2,)]
    assert model.layers[0].output_shape == (None, 8)
    with_shape = em.keras.Sequential([L.Dense(4, input_shape=(3,))])
    assert with_shape.built and with_shape.output_shape == (None, 4)


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of a summary table (a long name wraps onto more lines)."""
    rows, current = [], None
    for line in text.splitlines():
        if line.startswith("│"):
            parts = [c.strip() for c in line.strip("│").split("│")]
            current = parts if current is None else [a + b for a, b in zip(current, parts)]
        elif line.startswith(("├", "└")) and current is not None:
            rows.append(current)
            current = None
    return rows


def test_summary_of_a_sequential_model():
    em.keras.clear_session()
    model = em.keras.Sequential([em.keras.Input((8, 8, 1)), L.Conv2D(16, 3, activation="relu"),
                                 L.MaxPooling2D(), L.Flatten(), L.BatchNormalization(),
                                 L.Dense(10, activation="softmax")], name="digits")
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert table_rows(text) == [["conv2d (Conv2D)", "(None, 6, 6, 16)", "160"],
                     ["max_pooling2d (MaxPooling2D)", "(None, 3, 3, 16)", "0"],
                     ["flatten (Flatten)", "(None, 144)", "0"],
                     ["batch_normalization (BatchNormalization)", "(None, 144)", "576"],
                     ["dense (Dense)", "(None, 10)", "1,450"]]
    assert text.splitlines()[0] == 'Model: "digits"'
    assert "┃ Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert " Total params: 2,186 (8.54 KB)" in text
    assert " Trainable params: 1,898 (7.41 KB)" in text
    assert " Non-trainable params: 288 (1.12 KB)" in text
    assert len({len(line) for line in text.splitlines()[1:-3]}) == 1      # a rectangular table


def test_summary_of_a_branching_functional_model_shows_connections():
    em.keras.clear_session()
    a, b = em.keras.Input((4,), name="a"), em.keras.Input((6,), name="b")
    merged = L.Concatenate()([a, b])
    model = em.keras.Model([a, b], [L.Dense(1, name="reg")(merged), L.Dense(3, name="cls")(merged)])
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert "Connected to" in text
    assert "a[0][0], b[0][0]" in text and "concatenate[0][0]" in text
    assert " Total params: 44 (176.00 B)" in text
    unbuilt = em.keras.Sequential([L.Dense(3)])
    lines = []
    unbuilt.summary(print_fn=lines.append)
    assert "0 (unbuilt)" in lines[0] and " Total params: 0 (0.00 B)" in lines[0]


def test_get_and_set_weights():
    model = sequential()
    new = [f32(*w.shape, seed=i) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    got = model.get_weights()
    got[0][...] = 0                                          # copies: the model is unchanged
    np.testing.assert_array_equal(model.get_weights()[0], new[0])
    with pytest.raises(ValueError, match=r"weight list of length 7, but the layer was expecting 8"):
        model.set_weights(new[:-1])
    bad = list(new)
    bad[6] = np.zeros((10, 32), np.float32)
    with pytest.raises(ValueError, match=r"logits/kernel.*shape \(32, 10\).*provided weight shape \(10, 32\)"):
        model.set_weights([np.zeros_like(w) for w in bad[:6]] + bad[6:])
    np.testing.assert_array_equal(model.get_weights()[0], new[0])      # all or nothing


def test_save_and_load_weights_round_trip(tmp_path):
    model, other = sequential(), sequential()
    x = f32(5, 64)
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    other.load_weights(path)
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())
    with pytest.raises(ValueError, match=r"must end in `\.weights\.npz` or `\.npz`.*Received: filepath="):
        model.save_weights(tmp_path / "model.h5")
    small = em.keras.Sequential([em.keras.Input((64,)), L.Dense(32), L.BatchNormalization(), L.Dense(3)])
    with pytest.raises(ValueError, match=r"dense.*/kernel' has shape \(32, 3\), but the file's weight "
                                         r"'logits/kernel' has shape \(32, 10\)"):
        small.load_weights(path)
    with pytest.raises(ValueError, match=r"holds 8 weights but model .* has 4"):
        em.keras.Sequential([em.keras.Input((64,)), L.Dense(3), L.Dense(2)]).load_weights(path)


def test_a_failing_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    model = sequential()
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    before, saved = path.read_bytes(), model.get_weights()
    model.set_weights([w + 1 for w in saved])

    def savez_then_fail(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", savez_then_fail)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.weights.npz"]       # no temporary file left behind
    restored = sequential()
    restored.load_weights(path)
    for got, want in zip(restored.get_weights(), saved):
        np.testing.assert_array_equal(got, want)


def test_save_and_load_model(tmp_path):
    x = f32(4, 64)
    for model in (sequential(), functional()):
        model.set_weights([w + 0.5 for w in model.get_weights()])
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        restored = em.keras.models.load_model(path)
        assert type(restored) is type(model) and restored.name == model.name
        np.testing.assert_array_equal(restored(x).numpy(), model(x).numpy())
    sub = Subclassed()
    sub(x)
    with pytest.warns(UserWarning, match="holds the weights only"):
        sub.save(tmp_path / "sub.keras")
    with pytest.raises(ValueError, match=r"without get_config\(\)"):
        em.keras.models.load_model(tmp_path / "sub.keras")


def test_functional_multi_input_and_output():
    a, b = em.keras.Input((4,), name="a"), em.keras.Input((6,), name="b")
    merged = L.Concatenate()([a, b])
    model = em.keras.Model({"a": a, "b": b}, {"reg": L.Dense(1, name="reg")(merged),
                                              "cls": L.Dense(3, activation="softmax", name="cls")(merged)})
    out = model({"a": f32(2, 4), "b": f32(2, 6)})
    assert sorted(out) == ["cls", "reg"] and out["reg"].shape == (2, 1) and out["cls"].shape == (2, 3)
    assert [layer.name for layer in model.layers[:2]] == ["a", "b"]
    assert model.get_layer("cls").units == 3 and model.get_layer(index=0).name == "a"
    with pytest.raises(ValueError, match=r"No such layer: nope"):
        model.get_layer("nope")


def test_graph_errors():
    x = em.keras.Input((4,))
    y = L.Dense(2)(x)
    other = em.keras.Input((4,))
    with pytest.raises(ValueError, match=r"Graph disconnected"):
        em.keras.Model(other, y)
    with pytest.raises(ValueError, match=r"must be KerasTensors"):
        em.keras.Model(x, np.ones(3))
    with pytest.raises(TypeError, match=r"KerasTensor is symbolic"):
        np.asarray(x)


def test_wrong_input_shapes_name_the_layer_and_both_shapes():
    seq, fun, sub = sequential(), functional(), Subclassed()
    sub(f32(2, 64))
    bad = f32(3, 10)
    with pytest.raises(ValueError, match=r'Input 0 of layer "sequential.*" is incompatible with the '
                                         r"layer: expected shape=\(None, 64\), found shape=\(3, 10\)"):
        seq.predict(bad, verbose=0)
    with pytest.raises(ValueError, match=r'Input 0 of layer "functional.*" .*expected shape=\(None, 64\), '
                                         r"found shape=\(3, 10\)"):
        fun(bad)
    with pytest.raises(ValueError, match=r'Input 0 of layer "dense.*" .*value 64, but received input '
                                         r"with shape \(3, 10\)"):
        sub.predict(bad, verbose=0)


def test_freezing_a_layer():
    model = sequential()
    model.get_layer("hidden").trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 4
    frozen = model.get_layer("hidden").get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(f32(16, 64), f32(16, 10), epochs=1, verbose=0)
    for got, want in zip(model.get_layer("hidden").get_weights(), frozen):
        np.testing.assert_array_equal(got, want)
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
