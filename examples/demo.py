"""ember's main job for now: trace a small model, print its IR at every stage, run it compiled.

    python examples/demo.py

The function is a dense layer with a GELU and a row reduction (matmul + bias + gelu +
scale + reduce_sum): five ops, traced once into the ember dialect, fused, lowered to
linalg and LLVM, JIT-compiled, and checked against NumPy.
"""
from __future__ import annotations

import time

import numpy as np
from scipy import special

import ember as em


@em.function
def dense_gelu_sum(x, w, b):
    h = em.nn.gelu(x @ w + b)
    return em.reduce_sum(h * 0.5, axis=1)


def numpy_reference(x, w, b):
    h = x @ w + b
    return (0.5 * h * (1 + special.erf(h / np.sqrt(2))) * 0.5).sum(axis=1)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 8)).astype(np.float32)
    w = rng.standard_normal((8, 16)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)

    lowered = dense_gelu_sum.lower(x, w, b)
    for stage in lowered.stage_names:
        text = lowered.as_text(stage)
        lines = text.splitlines()
        shown = lines if len(lines) <= 60 else lines[:40] + [f"  ... ({len(lines) - 40} more lines)"]
        print(f"// ===== stage '{stage}' =====")
        print("\n".join(shown))

    start = time.perf_counter()
    y = dense_gelu_sum(x, w, b)
    first = time.perf_counter() - start
    start = time.perf_counter()
    dense_gelu_sum(x, w, b)
    second = time.perf_counter() - start
    want = numpy_reference(x, w, b)
    err = float(np.max(np.abs(y.numpy() - want)))
    print(f"// compiled result: {np.array2string(y.numpy(), precision=4)}")
    print(f"// NumPy reference: {np.array2string(want.astype(np.float32), precision=4)}")
    print(f"// max abs difference {err:.2e}; first call (trace + compile) {first * 1e3:.1f} ms, "
          f"second call {second * 1e6:.0f} us")
    if not np.allclose(y.numpy(), want, rtol=1e-4, atol=1e-5):
        raise SystemExit("compiled result differs from NumPy")


if __name__ == "__main__":
    main()
