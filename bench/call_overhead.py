"""What calling a compiled function costs beyond its kernels: ember against NumPy.

    python bench/call_overhead.py [--calls N] [--threads T]

Rows: a trivial `@em.function` (`a + 1.0` on 4 float32), and the single-example inference
of an MLP 784-512-512-10 (ReLU) as an `@em.function` forward on Variables and as Keras
`model.predict_on_batch`. Columns: the median microseconds per call of ember's call, of
the compiled code alone (its entry point called with its arguments prepared once: the
kernels), their difference (the call overhead), and of the same computation in NumPy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


ROUNDS = 9


def round_us(fn, calls: int) -> float:
    """The mean time of `calls` calls of `fn`, in microseconds."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def medians_us(fns, calls: int) -> list:
    """The median over ROUNDS rounds of each function's mean time; the functions take turns
    within each round, so that a busy machine slows them alike."""
    for fn in fns:
        fn()
    rounds = [[round_us(fn, calls) for fn in fns] for _ in range(ROUNDS)]
    return [statistics.median(r[i] for r in rounds) for i in range(len(fns))] + [
        statistics.median(r[0] - r[1] for r in rounds) if len(fns) > 1 else None]


def kernels_only(concrete, arrays):
    """A callable running the compiled code of `concrete` on `arrays` (and its captures)
    with its argument array prepared once: what a call costs without Python around it."""
    executable = concrete.executable
    inputs = list(arrays) + [c.numpy() for c in concrete.captures]
    outputs = executable(inputs)
    objects = [id(inputs[i]) for i in executable._inputs]
    objects += [id(outputs[j]) for j in executable._outputs]
    packed, offset, entry = executable._objects(*objects), executable._offset, executable._entry

    def run():
        # NOTE: `packed` holds the arrays' addresses: `inputs` and `outputs` must stay alive
        entry(packed, offset)
        return inputs, outputs

    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import numpy as np

    import ember as em

    em.config.set_threads(args.threads)
    rng = np.random.default_rng(0)
    rows = []

    @em.function
    def plus_one(a):
        return a + 1.0

    a = np.ones(4, np.float32)
    rows.append(("trivial a + 1.0, 4 x float32", lambda: plus_one(a),
                 kernels_only(plus_one.get_concrete_function(a), [a]), lambda: a + np.float32(1.0)))

    sizes = [784, 512, 512, 10]
    ws = [(rng.standard_normal((m, n)) * 0.05).astype(np.float32) for m, n in zip(sizes, sizes[1:])]
    bs = [np.zeros(n, np.float32) for n in sizes[1:]]
    weights = [(em.Variable(w), em.Variable(b)) for w, b in zip(ws, bs)]
    x = rng.standard_normal((1, 784)).astype(np.float32)

    @em.function
    def forward(x):
        for i, (w, b) in enumerate(weights):
            x = x @ w + b
            x = em.nn.relu(x) if i < len(weights) - 1 else x
        return x

    def numpy_forward():
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w + b
            h = np.maximum(h, 0) if i < len(ws) - 1 else h
        return h

    np.testing.assert_allclose(forward(x).numpy(), numpy_forward(), rtol=1e-4, atol=1e-5)
    rows.append(("MLP 784-512-512-10, 1 example, @em.function", lambda: forward(x),
                 kernels_only(forward.get_concrete_function(x), [x]), numpy_forward))

    keras = em.keras
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10)])
    for layer, w, b in zip(model.layers, ws, bs):
        layer.set_weights([w, b])
    np.testing.assert_allclose(model.predict_on_batch(x), numpy_forward(), rtol=1e-4, atol=1e-5)
    rows.append(("MLP, Keras model.predict_on_batch", lambda: model.predict_on_batch(x),
                 None, numpy_forward))

    print(f"Call overhead, {args.threads} thread(s); median of {ROUNDS} rounds of {args.calls} "
          f"calls, microseconds per call (overhead: median of the rounds' differences)")
    print(f"{'function':<46}{'ember':>9}{'kernels':>9}{'overhead':>10}{'numpy':>9}")
    for name, call, kernels, reference in rows:
        if kernels is None:
            total, numpy_us, _ = medians_us([call, reference], args.calls)
            print(f"{name:<46}{total:>9.2f}{'':>9}{'':>10}{numpy_us:>9.2f}")
            continue
        total, kernel_us, numpy_us, _ = medians_us([call, kernels, reference], args.calls)
        overhead = medians_us([call, kernels], args.calls)[2]
        print(f"{name:<46}{total:>9.2f}{kernel_us:>9.2f}{overhead:>10.2f}{numpy_us:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
