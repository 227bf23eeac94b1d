"""`Bench`: what a peer function records for each case (checks, losses, median time).

A case is checked before it is timed: `check` compares a result with the NumPy reference,
`check_losses` the first train-step loss with NumPy's forward pass; a case that fails its
check is reported wrong and never timed.
"""
from __future__ import annotations

import gc
import statistics
import time

import numpy as np

MIN_SAMPLE_S = 2e-3  # fast calls are looped so that one timed sample lasts at least this long
MAX_INNER = 10_000
# NOTE: the checks compute NumPy references; OpenBLAS's worker threads then spin for about
# 2^28 cycles (~0.1 s) before they sleep, holding the cores a multi-threaded framework timed
# next needs (measured: ember's 512^3 matmul on 2 threads, 0.83 ms after a pause, 3.5-8 ms
# right after NumPy's). Every case, of every framework, is timed after this pause.
IDLE_BEFORE_TIMING_S = 0.3


def median_per_call(fn, repeats: int) -> tuple[float, int]:
    """The median over `repeats` samples of one call's time, after two warm-up calls; calls
    shorter than MIN_SAMPLE_S are looped inside a sample. Returns (seconds, calls per sample)."""
    fn()
    fn()
    once = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        once = min(once, time.perf_counter() - start)
    inner = max(1, min(MAX_INNER, int(MIN_SAMPLE_S / max(once, 1e-9))))
    time.sleep(IDLE_BEFORE_TIMING_S)
    samples = []
    gc_was_enabled = gc.isenabled()
    gc.disable()  # NOTE: as timeit does; a collection inside one sample is noise, not cost
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - start) / inner)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(samples), inner


class Bench:
    """Collects one child process's results: `results[case]` is a dict with `seconds` (the
    median), `error` (relative max error vs NumPy), `losses`, or `wrong` (why the check failed).
    """

    def __init__(self, repeats: int, t0: float):
        self.repeats = repeats
        self.t0 = t0  # time.time() when the parent started this process (for cold starts)
        self.results: dict[str, dict] = {}

    def _case(self, case: str) -> dict:
        return self.results.setdefault(case, {})

    def check(self, case: str, got, want, tol: float = 1e-4) -> bool:
        """Whether `got` matches `want` (max abs difference over max abs of `want` <= tol)."""
        got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
        entry = self._case(case)
        if got.shape != want.shape:
            entry["wrong"] = f"shape {got.shape}, NumPy's {want.shape}"
            return False
        err = float(np.max(np.abs(got - want)) / max(float(np.max(np.abs(want))), 1e-30))
        entry["error"] = err
        if not err <= tol:  # NOTE: also catches NaN
            entry["wrong"] = f"max error {err:.2e} relative to NumPy's result (tolerance {tol:.0e})"
            return False
        return True

    def check_losses(self, case: str, losses, first_want: float, tol: float = 1e-4) -> bool:
        """Records the losses of the first train steps; the first (before any update) must
        match NumPy's forward pass from the same weights."""
        losses = [float(loss) for loss in losses]
        entry = self._case(case)
        entry["losses"] = losses
        err = abs(losses[0] - first_want) / abs(first_want)
        entry["error"] = err
        if not err <= tol:
            entry["wrong"] = f"first loss {losses[0]:.6f}, NumPy's {first_want:.6f}"
            return False
        return True

    def time(self, case: str, fn) -> None:
        """Times `fn` (one call = one run of the case) unless the case failed its check."""
        entry = self._case(case)
        if "wrong" in entry:
            return
        entry["seconds"], entry["calls_per_sample"] = median_per_call(fn, self.repeats)

    def record(self, case: str, seconds: float) -> None:
        """Records a time measured once (a cold start)."""
        self._case(case)["seconds"] = seconds
