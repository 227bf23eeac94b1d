"""`em.keras`: the Keras API on ember (layers, models, optimizers, losses, metrics, callbacks).

`Model.fit` compiles one training step per input signature (forward, loss, gradients and
optimizer update in one `@em.function`), so training runs as compiled code;
`model.train_function.lower(x, y).as_text("fused")` shows it.

Example:
    >>> import ember as em
    >>> (x_train, y_train), (x_test, y_test) = em.keras.datasets.digits.load_data()
    >>> model = em.keras.Sequential([
    ...     em.keras.Input(shape=(8, 8)),
    ...     em.keras.layers.Flatten(),
    ...     em.keras.layers.Dense(64, activation="relu"),
    ...     em.keras.layers.Dense(10, activation="softmax"),
    ... ])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(x_train, y_train, epochs=10, validation_split=0.1)
"""
from . import (callbacks, datasets, initializers, layers, losses, metrics, models, optimizers,
               random, utils)
from .layers import Input
from .layers.naming import clear_session
from .models import Model, Sequential

__all__ = ["callbacks", "datasets", "initializers", "layers", "losses", "metrics", "models",
           "optimizers", "random", "utils", "Input", "Model", "Sequential", "clear_session"]
