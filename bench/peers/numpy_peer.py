"""NumPy: the reference rows (matmul, Dense forward, elementwise chain, softmax, layernorm,
single-example forward), timed as written in `common.py`."""
from __future__ import annotations

import numpy as np

from . import common as c


def setup(threads: int) -> None:
    pass  # NOTE: OpenBLAS reads OPENBLAS_NUM_THREADS, set by the parent, when NumPy loads


def version() -> str:
    return f"numpy {np.__version__}"


def matmul(b) -> None:
    for n in c.MATMUL_SIZES:
        x, y = c.matmul_inputs(n)
        b.time(f"matmul {n}", lambda: x @ y)


def dense(b) -> None:
    x, w, bias = c.dense_inputs()
    b.time("dense 1024", lambda: c.dense(x, w, bias))


def elementwise(b) -> None:
    x = c.chain_input()
    b.time("chain 4M", lambda: c.chain(x))


def norms(b) -> None:
    x, gamma, beta = c.norm_inputs()
    b.time("softmax", lambda: c.softmax(x))
    b.time("layernorm", lambda: c.layernorm(x, gamma, beta))


def inference(b) -> None:
    weights = c.mlp_weights()
    x, _ = c.mlp_batch(1)
    b.time("mlp infer 1", lambda: c.mlp_forward(weights, x))
    one = np.ones(1, np.float32)
    b.time("call overhead", lambda: one + np.float32(1))
