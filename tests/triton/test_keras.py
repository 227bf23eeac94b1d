"""A Keras MLP trains under `with em.device("gpu")`: its train step compiled by the triton
backend, matching the CPU backend step for step."""
from __future__ import annotations

import numpy as np

import ember as em
from gpu_testing import pytestmark  # noqa: F401


def _model():
    em.keras.utils.set_random_seed(3) if hasattr(em.keras.utils, "set_random_seed") else None
    model = em.keras.Sequential([em.keras.Input((8, 8)), em.keras.layers.Flatten(),
                                 em.keras.layers.Dense(32, activation="relu"), em.keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=em.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def test_keras_mlp_fit_runs_on_the_triton_backend():
    rng = np.random.default_rng(0)
    x = rng.random((96, 8, 8)).astype(np.float32)
    y = (x.reshape(96, -1).sum(1) * 7 % 10).astype(np.int32)
    cpu_model, gpu_model = _model(), _model()
    gpu_model.set_weights(cpu_model.get_weights())
    cpu = cpu_model.fit(x, y, epochs=2, batch_size=32, verbose=0, shuffle=False).history
    with em.device("gpu"):
        gpu = gpu_model.fit(x, y, epochs=2, batch_size=32, verbose=0, shuffle=False).history
        text = gpu_model.train_function.lower(x[:32], y[:32]).as_text("triton")
        assert gpu_model.train_function.get_concrete_function(x[:32], y[:32]).backend.name == "triton"
    assert "tl.dot(" in text
    np.testing.assert_allclose(gpu["loss"], cpu["loss"], rtol=1e-4)
    for a, b in zip(gpu_model.get_weights(), cpu_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
