"""A small convolutional network on the 8x8 digits with em.keras.

    python examples/cnn_digits.py

Two Conv2D + MaxPooling2D blocks and a softmax layer; the convolutions' backward pass
(conv2d_backprop_input / conv2d_backprop_filter) is compiled into the training step with
the rest. Prints the model, training progress and the test accuracy.
"""
from __future__ import annotations

import time

import ember as em

L = em.keras.layers


def main() -> None:
    em.keras.random.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = em.keras.datasets.digits.load_data()
    x_train, x_test = x_train[..., None], x_test[..., None]      # NHWC: one channel
    model = em.keras.Sequential([
        em.keras.Input(shape=(8, 8, 1)),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(64, 3, padding="same", activation="relu"),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dropout(0.3),
        L.Dense(10, activation="softmax"),
    ], name="cnn")
    model.summary()
    model.compile(optimizer=em.keras.optimizers.Adam(0.005),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=12, batch_size=32, validation_split=0.1)
    print(f"fit: {time.perf_counter() - start:.2f}s (compiling included)")

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
