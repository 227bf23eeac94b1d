"""Cold start: from process start to the first Keras train step done, in fresh processes.

    python bench/cold_start.py [--runs N] [--threads T] [--profile cold|warm]

The model is the MLP 784-512-512-10 (batch 128, Adam, SparseCategoricalCrossentropy with
logits). Each run is a new `python -c` process; "cold" runs start with an empty disk compile
cache (a fresh EMBER_CACHE_DIR), "warm" runs with the entry a previous process wrote. Times
are taken on the system's monotonic clock (the same in parent and child): from just before
the child is spawned to the end of its first step, and inside the child per phase. Prints
the median of each. `--profile` prints the child's cProfile (cumulative) for one run.

NOTE: children run with bytecode caching on (PYTHONDONTWRITEBYTECODE unset), as on a user's
machine, and one untimed run first fills the bytecode and OS file caches.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = """
import time
start = time.perf_counter()
import numpy as np
import ember as em
imported = time.perf_counter()
keras = em.keras
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                          keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10)])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
rng = np.random.default_rng(0)
x = rng.standard_normal((128, 784)).astype(np.float32)
y = rng.integers(0, 10, 128)
built = time.perf_counter()
loss = model.train_on_batch(x, y)
done = time.perf_counter()
assert np.isfinite(float(np.asarray(loss).ravel()[0]))
import json
print(json.dumps({"start": start, "imported": imported, "built": built, "done": done}))
"""

PROFILED = """
import cProfile, pstats, io
profile = cProfile.Profile()
profile.enable()
exec(compile({child!r}, "<cold_start child>", "exec"))
profile.disable()
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
print(out.getvalue())
"""


def run_child(cache_dir: str, threads: int, profile: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(EMBER_CACHE_DIR=cache_dir, EMBER_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    code = PROFILED.format(child=CHILD) if profile else CHILD
    spawned = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"the child process failed:\n{done.stderr[-3000:]}")
    if profile:
        print(done.stdout)
        return {}
    times = json.loads(done.stdout.strip().splitlines()[-1])
    return {"total": times["done"] - spawned,
            "python + import ember": times["imported"] - spawned,
            "build the model": times["built"] - times["imported"],
            "first train step": times["done"] - times["built"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--profile", choices=["cold", "warm"])
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ember-cold-start-") as root:
        warm_dir = os.path.join(root, "warm")
        run_child(warm_dir, args.threads)             # untimed: fills the caches
        if args.profile:
            cache_dir = warm_dir if args.profile == "warm" else os.path.join(root, "profiled")
            run_child(cache_dir, args.threads, profile=True)
            return 0
        results = {"cold": [], "warm": []}
        for i in range(args.runs):
            results["cold"].append(run_child(os.path.join(root, f"cold-{i}"), args.threads))
            results["warm"].append(run_child(warm_dir, args.threads))

    print(f"Cold start to the first Keras MLP train step, {args.threads} thread(s), "
          f"median of {args.runs} fresh processes, seconds")
    phases = list(results["cold"][0])
    print(f"{'cache':<8}" + "".join(f"{p:>24}" for p in phases))
    for kind, runs in results.items():
        medians = [statistics.median(r[p] for r in runs) for p in phases]
        print(f"{kind:<8}" + "".join(f"{m:>24.3f}" for m in medians))
    return 0


if __name__ == "__main__":
    sys.exit(main())
