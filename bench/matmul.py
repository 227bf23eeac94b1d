"""Matmul on one thread: ember compiled (tiled and vectorized, `ember-tile-matmul`) vs NumPy.

    python bench/matmul.py [--repeats R] [--threads T]

Prints median times (ms) and GFLOP/s for 128x784x512 (an MLP layer) and 512^3, 1024^3,
in float32 and float64.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

SIZES = [(128, 784, 512), (512, 512, 512), (1024, 1024, 1024)]


def _set_threads(threads: int) -> None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def median_s(fn, repeats: int) -> float:
    fn()  # warm-up (and compilation for ember)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    _set_threads(args.threads)

    import numpy as np

    import ember as em

    print(f"matmul, {args.threads} thread(s), median of {args.repeats}")
    print(f"{'':<26}{'ember ms':>10}{'GFLOP/s':>9}{'numpy ms':>10}{'GFLOP/s':>9}{'ratio':>7}")
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        for m, k, n in SIZES:
            x = rng.standard_normal((m, k)).astype(dtype)
            y = rng.standard_normal((k, n)).astype(dtype)
            compiled = em.function(lambda a, b: em.matmul(a, b))
            if not np.allclose(compiled(x, y).numpy(), x @ y, rtol=1e-4, atol=1e-3):
                print(f"ember's {m}x{k}x{n} {dtype} result differs from NumPy's", file=sys.stderr)
                return 1
            flop = 2 * m * k * n / 1e9
            ember_s = median_s(lambda: compiled(x, y), args.repeats)
            numpy_s = median_s(lambda: x @ y, args.repeats)
            print(f"{f'{m}x{k}x{n} {dtype}':<26}{ember_s * 1e3:>10.2f}{flop / ember_s:>9.1f}"
                  f"{numpy_s * 1e3:>10.2f}{flop / numpy_s:>9.1f}{numpy_s / ember_s:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
