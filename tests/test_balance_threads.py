"""`ember-balance-threads`: OpenMP loops with many iterations per thread get the guided
schedule; one-chunk-per-thread loops keep the static one. The results, against NumPy, on
row counts that no chunk size divides."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
from conftest import rng_for, using_threads
from ember.passes.balance_threads import MIN_ITERATIONS_PER_THREAD


def _llvm(fn, *args):
    return em.function(fn).lower(*args).as_text("llvm")


def _schedules(text: str) -> list[str]:
    """The schedule of each omp.wsloop, in order ('' when none is given: static)."""
    return [m.group(1) or "" for m in re.finditer(r"omp\.wsloop(?: schedule\((\w+)\))?", text)]


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("rows", [4096, 1031, 97])
def test_row_tiles_are_guided_and_match_numpy(threads, rows):
    x = rng_for("balance_threads", rows, threads).standard_normal((rows, 300)).astype(np.float32)
    with using_threads(threads):
        text = _llvm(lambda x: em.nn.softmax(x, axis=-1), x)
        got = em.function(lambda x: em.nn.softmax(x, axis=-1))(x).numpy()
    assert "guided" in _schedules(text)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(axis=-1, keepdims=True), rtol=2e-6, atol=1e-7)


def test_one_chunk_per_thread_stays_static():
    x = np.ones((256, 256), np.float32)
    with using_threads(2):
        text = _llvm(lambda x, y: x @ y, x, x)
    assert _schedules(text) and set(_schedules(text)) == {""}


_LOOPS = """
func.func @f() {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %n = arith.constant {rows} : index
  omp.parallel {{
    omp.wsloop {{
      omp.loop_nest (%i, %j) : index = (%c0, %c0) to (%n, %c3) step (%c1, %c1) {{
        omp.yield
      }}
    }}
    omp.terminator
  }}
  return
}}
"""


@pytest.mark.parametrize("threads", [2, 3])
def test_the_iterations_per_thread_decide(threads):
    from mlir import ir

    from ember.dialects import make_context
    from ember.dialects.locations import walk
    from ember.passes import run_passes
    from ember.passes.balance_threads import trip_count

    least = MIN_ITERATIONS_PER_THREAD * threads   # iterations of the 2-D nest: rows * 3
    for rows, guided in [(-(-least // 3), True), (least // 3 - 1, False), (0, False)]:
        with make_context(), using_threads(threads):
            module = ir.Module.parse(_LOOPS.format(rows=rows))
            nest = next(op for op in walk(module.operation) if op.name == "omp.loop_nest")
            assert trip_count(nest) == rows * 3
            run_passes(module, ["ember-balance-threads"])
            assert ("schedule(guided)" in str(module)) == guided, (rows, threads)
