"""Runs one row of bench/compare.py for one framework, in this fresh process.

    python bench/peers/child.py FRAMEWORK ROW_KIND --threads N --repeats R

The parent has set the thread variables of every library in this process's environment
(see `compare.child_env`); when fewer threads than usable cores are asked for, this process
is also pinned to that many cores, so that no library's helper threads use more. The last
line printed is `BENCH_RESULT <json>`: the framework's version and, per case, the median
time, the check, or why the framework is n/a or failed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

MARKER = "BENCH_RESULT "

# framework name -> (module in bench/peers, keyword options of its row functions)
FRAMEWORKS = {
    "ember": ("ember_peer", {}),
    "numpy": ("numpy_peer", {}),
    "torch": ("torch_peer", {"compiled": False}),
    "torch.compile": ("torch_peer", {"compiled": True}),
    "jax.jit": ("jax_peer", {}),
    "tf+xla": ("tf_peer", {"xla": True}),
    "tf": ("tf_peer", {"xla": False}),
}


def _pin_cores(threads: int) -> None:
    cores = sorted(os.sched_getaffinity(0))
    if threads < len(cores):
        os.sched_setaffinity(0, cores[:threads])


def run(framework: str, kind: str, threads: int, repeats: int, t0: float) -> dict:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import importlib

    from peers.harness import Bench

    module_name, options = FRAMEWORKS[framework]
    try:
        module = importlib.import_module(f"peers.{module_name}")
    except ImportError as exc:
        return {"unavailable": f"not installed ({exc})"}
    row = getattr(module, kind, None)
    if row is None:
        return {"unavailable": f"no {framework} version of this row"}
    module.setup(threads)
    bench = Bench(repeats, t0)
    out = {"version": module.version(), "results": bench.results}
    try:
        row(bench, **options)
    except Exception as exc:  # NOTE: reported in the table; the other cases keep their results
        import traceback

        traceback.print_exc()
        first_line = (str(exc).strip().splitlines() or [""])[0]
        out["error"] = f"{type(exc).__name__}: {first_line}"
    return out


def main(argv=None) -> int:
    t0 = float(os.environ.get("BENCH_T0", time.time()))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=sorted(FRAMEWORKS))
    parser.add_argument("kind")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    _pin_cores(args.threads)
    result = run(args.framework, args.kind, args.threads, args.repeats, t0)
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
