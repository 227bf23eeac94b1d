"""A subclassed em.keras model trained by a custom loop: GradientTape inside @em.function.

    python examples/custom_training_loop.py

The step (forward pass, loss, gradients, optimizer update, metric update) is written by
hand and compiled once; the model's weights, the optimizer's slots and the metric's totals
are Variables, which the compiled step reads and writes back after each call.
"""
from __future__ import annotations

import time

import numpy as np

import ember as em

L = em.keras.layers


class DigitClassifier(em.keras.Model):
    """Flatten -> Dense(relu) -> Dropout -> Dense(logits)."""

    def __init__(self, hidden: int = 128, **kwargs):
        super().__init__(**kwargs)
        self.flatten = L.Flatten()
        self.hidden = L.Dense(hidden, activation="relu")
        self.dropout = L.Dropout(0.2)
        self.logits = L.Dense(10)

    def call(self, images, training=None):
        x = self.hidden(self.flatten(images))
        return self.logits(self.dropout(x, training=training))


def batches(x, y, batch_size, rng):
    order = rng.permutation(len(x))
    for start in range(0, len(x) - batch_size + 1, batch_size):   # full batches: one trace
        index = order[start:start + batch_size]
        yield x[index], y[index]


def main() -> None:
    em.keras.random.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = em.keras.datasets.digits.load_data()
    model = DigitClassifier()
    model.build((None, 8, 8))
    optimizer = em.keras.optimizers.Adam(0.003)
    optimizer.build(model.trainable_variables)
    loss_fn = em.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_accuracy = em.keras.metrics.SparseCategoricalAccuracy()

    @em.function
    def train_step(images, labels):
        with em.GradientTape() as tape:
            logits = model(images, training=True)
            loss = loss_fn(labels, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        train_accuracy.update_state(labels, logits)
        return loss

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for epoch in range(15):
        train_accuracy.reset_state()
        losses = [float(train_step(xb, yb)) for xb, yb in batches(x_train, y_train, 32, rng)]
        print(f"epoch {epoch + 1:2d}: loss {np.mean(losses):.4f}, "
              f"accuracy {float(train_accuracy.result()):.4f}")
    print(f"training: {time.perf_counter() - start:.2f}s, "
          f"{train_step._trace_count} trace of the step")

    predicted = np.argmax(model(x_test).numpy(), axis=1)
    print(f"test accuracy {np.mean(predicted == y_test):.4f}")


if __name__ == "__main__":
    main()
