"""Fused elementwise chain on 4M float32: ember compiled vs ember eager vs NumPy.

    python bench/elementwise_chain.py [--size N] [--repeats R] [--threads T]

Prints one table of median times (ms) and ratios (ember is faster when the ratio > 1).
The chain is `gelu_tanh(x * a + b) + x`, the elementwise row of the CPU benchmark.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _set_threads(threads: int) -> None:
    # NOTE: idle OpenBLAS threads spin on the other core and slow everything else down;
    # give every library the same thread count.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up (and compilation for ember)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    _set_threads(args.threads)

    import numpy as np

    import ember as em

    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.size).astype(np.float32)
    a, b = np.float32(1.5), np.float32(0.25)
    c = np.float32(np.sqrt(2 / np.pi))

    def chain(x):
        return em.nn.gelu(x * a + b, approximate=True) + x

    def numpy_chain():
        y = x * a + b
        return 0.5 * y * (1 + np.tanh(c * (y + np.float32(0.044715) * y * y * y))) + x

    compiled = em.function(chain)
    got = compiled(x).numpy()
    want = numpy_chain()
    err = float(np.max(np.abs(got - want)))
    if not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        print(f"ember's result differs from NumPy's (max abs error {err})", file=sys.stderr)
        return 1
    ex = em.constant(x)
    rows = [
        ("numpy", median_ms(numpy_chain, args.repeats)),
        ("ember eager", median_ms(lambda: chain(ex), max(3, args.repeats // 4))),
        ("ember compiled", median_ms(lambda: compiled(x), args.repeats)),
    ]
    ember_ms = rows[-1][1]
    print(f"elementwise chain gelu_tanh(x*a+b)+x on {args.size} float32, {args.threads} thread(s), "
          f"median of {args.repeats}; max abs error vs NumPy {err:.2e}")
    print(f"{'':<16}{'ms':>10}{'ember compiled speedup':>26}")
    for name, ms in rows:
        print(f"{name:<16}{ms:>10.2f}{ms / ember_ms:>25.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
