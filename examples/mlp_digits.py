"""A multilayer perceptron on the 8x8 digits with em.keras: fit, evaluate, predict.

    python examples/mlp_digits.py

Each training step (forward pass, loss, backward pass and Adam update) is one compiled
`@em.function`; the script prints the model, the progress of training, the test accuracy
and the start of the fused IR of the training step.
"""
from __future__ import annotations

import time

import numpy as np

import ember as em

L = em.keras.layers


def main() -> None:
    em.keras.random.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = em.keras.datasets.digits.load_data()
    model = em.keras.Sequential([
        em.keras.Input(shape=(8, 8)),
        L.Flatten(),
        L.Dense(128, activation="relu"),
        L.Dropout(0.2),
        L.Dense(10, activation="softmax"),
    ], name="mlp")
    model.summary()
    model.compile(optimizer=em.keras.optimizers.Adam(0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.1)
    print(f"fit: {time.perf_counter() - start:.2f}s (compiling included)")

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} "
          f"(from predict: {np.mean(predicted == y_test):.4f})")

    fused = model.train_function.lower(x_train[:32], y_train[:32]).as_text("fused")
    print(f"\nthe compiled training step ({len(fused.splitlines())} lines of fused IR), its start:")
    print("\n".join(fused.splitlines()[:12]))


if __name__ == "__main__":
    main()
