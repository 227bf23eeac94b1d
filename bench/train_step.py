"""Keras train steps: ember's compiled step (one @em.function) against the same step run eagerly.

    python bench/train_step.py [--steps N] [--threads T]

Rows: the MLP 784-512-512-10 (batch 128, Adam) and a small CNN
(Conv32-Pool-Conv64-Pool-Dense128-Dense10 on 28x28x1, batch 64, Adam), each trained
with `train_on_batch` on random data. Prints the median steps/second of each mode and the
ratio (compiled over eager; > 1 means the compiled step is faster).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _set_threads(threads: int) -> None:
    # NOTE: idle OpenBLAS threads spin on the other core: give every library one count.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def mlp(keras):
    return keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10),
    ])


def cnn(keras):
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])


def steps_per_second(build, x, y, run_eagerly: bool, steps: int) -> float:
    import ember as em

    model = build(em.keras)
    model.compile(optimizer="adam", run_eagerly=run_eagerly,
                  loss=em.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.train_on_batch(x, y)  # trace and compile (or warm up eager caches)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - start)
    return 1.0 / statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    _set_threads(args.threads)

    import numpy as np

    rng = np.random.default_rng(0)
    rows = [
        ("MLP 784-512-512-10, batch 128, Adam", mlp,
         rng.standard_normal((128, 784)).astype(np.float32), rng.integers(0, 10, 128)),
        ("CNN 28x28x1, batch 64, Adam", cnn,
         rng.standard_normal((64, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, 64)),
    ]
    print(f"Keras train steps, {args.threads} thread(s), median of {args.steps} steps")
    print(f"{'model':<38}{'compiled steps/s':>18}{'eager steps/s':>15}{'ratio':>8}")
    for name, build, x, y in rows:
        compiled = steps_per_second(build, x, y, False, args.steps)
        eager = steps_per_second(build, x, y, True, args.steps)
        print(f"{name:<38}{compiled:>18.1f}{eager:>15.1f}{compiled / eager:>7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
