"""ember side by side with NumPy, PyTorch (eager, torch.compile), JAX (jax.jit) and Keras 3 on
TensorFlow (with and without XLA), at one thread count for everyone (issue 4).

    python bench/compare.py [--rows 1,3-5] [--threads N] [--repeats R] [--passes P | --quick]
                            [--frameworks ember,numpy,...] [--json FILE]

Each (row, framework) runs in its own process (`peers/child.py`), with every library's
thread settings in its environment, so imports and threads are clean and a crashing peer
costs one cell. It runs in `--passes` processes (default 3), the frameworks of a row taking
turns, and a cell is the median of the processes' medians: on these shared machines a
second core can be slow for a minute, and one process per cell put that minute in one
framework's cell alone (ember's conv2d measured 11.7 and 17.2 ms in two runs of one day).
Every result is checked against NumPy before it is timed. Prints per case
ember's median time, each peer's, the best peer, the ratio against the case's reference
(reference time / ember's time: ember is faster when > 1), the target and whether it is met.
A peer that is not installed shows n/a, with the reason under the table.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "peers", "child.py")
MARKER = "BENCH_RESULT "  # NOTE: the same as peers/child.py's, which this file does not import

FRAMEWORKS = ("ember", "numpy", "torch", "torch.compile", "jax.jit", "tf+xla", "tf")
KERNEL_PEERS = ("numpy", "torch", "torch.compile", "jax.jit", "tf+xla")
TRAIN_PEERS = ("torch", "torch.compile", "jax.jit", "tf+xla", "tf")
TORCH_JAX = ("torch", "torch.compile", "jax.jit")
LOSS_TOLERANCE = 0.02  # of the loss drop: Adam's epsilon differs (Keras vs torch/optax rules)


@dataclass(frozen=True)
class Target:
    """ember's goal for a case: at least `value` times as fast as the best of `against`, or,
    with no `against`, at most `value` seconds."""

    value: float
    against: tuple[str, ...] = ()

    def describe(self) -> str:
        if not self.against:
            return f"<= {self.value:g} s" if self.value >= 1e-3 else f"<= {self.value * 1e6:g} us"
        return f">= {self.value:.2f}x"

    def reference(self) -> str:
        if not self.against:
            return "(absolute)"
        if len(self.against) == 1:
            return self.against[0]
        return "best of " + ", ".join(self.against)

    def evaluate(self, ember_s: float | None, times: dict[str, float]):
        """(reference name, ratio = reference / ember, met) with None where unknown."""
        if not self.against:
            ratio = self.value / ember_s if ember_s else None
            return "limit", ratio, (ember_s <= self.value) if ember_s else None
        available = {name: times[name] for name in self.against if name in times}
        if not available:
            return None, None, None
        best = min(available, key=available.get)
        if not ember_s:
            return best, None, None
        ratio = available[best] / ember_s
        return best, ratio, ratio >= self.value


@dataclass(frozen=True)
class Case:
    name: str  # the key a peer reports it under
    target: Target
    only: tuple[str, ...] = ()  # the frameworks that run it, when not all of the row's


@dataclass(frozen=True)
class Row:
    number: int
    title: str
    kind: str  # the function each peer module defines for it
    frameworks: tuple[str, ...]
    cases: tuple[Case, ...]
    both_thread_counts: bool = False  # also run on 1 thread


ROWS = (
    Row(1, "f32 matmul 512, 1024, 2048 (1 thread and all)", "matmul",
        ("ember", "numpy", "torch", "jax.jit"),
        tuple(Case(f"matmul {n}", Target(0.95, ("numpy",))) for n in (512, 1024, 2048)),
        both_thread_counts=True),
    Row(2, "Dense forward relu(x @ w + b), 1024", "dense", ("ember",) + KERNEL_PEERS,
        (Case("dense 1024", Target(1.2, ("numpy",))),)),
    Row(3, "gelu_tanh(x*a + b) + x on 4M f32", "elementwise", ("ember",) + KERNEL_PEERS,
        (Case("chain 4M", Target(1.0, KERNEL_PEERS)),)),
    Row(4, "softmax, layernorm over the last axis of 4096x1024", "norms", ("ember",) + KERNEL_PEERS,
        (Case("softmax", Target(1.0, TORCH_JAX)), Case("layernorm", Target(1.0, TORCH_JAX)))),
    Row(5, "conv2d NHWC 64x28x28x32 -> 64, 3x3, same", "conv2d",
        ("ember", "torch", "torch.compile", "jax.jit", "tf+xla"),
        (Case("conv2d", Target(1.0, ("torch",))),)),
    Row(6, "MLP 784-512-512-10 train step, batch 128, Adam", "mlp_train", ("ember",) + TRAIN_PEERS,
        (Case("mlp train", Target(1.2, TRAIN_PEERS)),)),
    Row(7, "CNN Conv32-Pool-Conv64-Pool-Dense128-Dense10 train step, batch 64, Adam",
        "cnn_train", ("ember",) + TRAIN_PEERS,
        (Case("cnn train", Target(1.2, TRAIN_PEERS)),)),
    Row(8, "single-example MLP inference; call overhead of x + 1", "inference",
        ("ember",) + KERNEL_PEERS,
        (Case("mlp infer 1", Target(1.0, ("numpy",))), Case("call overhead", Target(5e-6)))),
    Row(9, "process start to first MLP train step done", "cold_start", ("ember",) + TRAIN_PEERS,
        (Case("cold start", Target(1.0)), Case("warm cache", Target(0.5), only=("ember",)))),
)
ROW_NUMBERS = tuple(row.number for row in ROWS)


def parse_rows(text: str) -> list[int]:
    """"1,3-5" -> [1, 3, 4, 5]; raises ValueError naming what is wrong."""
    rows: set[int] = set()
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        try:
            numbers = range(int(low), int(high if dash else low) + 1)
        except ValueError:
            raise ValueError(f"--rows: expected row numbers like 1,3-5, "
                             f"received {text!r}") from None
        if not numbers or numbers[0] not in ROW_NUMBERS or numbers[-1] not in ROW_NUMBERS:
            raise ValueError(f"--rows: rows are {ROW_NUMBERS[0]}-{ROW_NUMBERS[-1]}, "
                             f"received {part!r}")
        rows.update(numbers)
    return sorted(rows)


def parse_frameworks(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in FRAMEWORKS]
    if unknown or not names:
        raise ValueError(f"--frameworks: expected some of {', '.join(FRAMEWORKS)}, "
                         f"received {text!r}")
    return names


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # NOTE: not on every OS
        return os.cpu_count() or 1


# -- running one (row, framework) in its own process -------------------------------------------
def child_env(threads: int, base=None) -> dict[str, str]:
    """The environment of a child: one thread count for every library."""
    env = dict(os.environ if base is None else base)
    # NOTE: set on this machine; they make OpenBLAS pick kernels and blocking for another CPU.
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "EMBER_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = str(threads)
    eigen = "false" if threads == 1 else "true"
    xla = f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={threads}"
    env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {xla}".strip()
    env.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS="cpu")
    return env


def run_child(framework: str, kind: str, threads: int, repeats: int, timeout: float,
              extra_env=None, verbose: bool = False) -> dict:
    env = child_env(threads)
    env.update(extra_env or {})
    command = [sys.executable, CHILD, framework, kind, "--threads", str(threads),
               "--repeats", str(repeats)]
    env["BENCH_T0"] = repr(time.time())
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if verbose:
        sys.stderr.write(proc.stderr)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        code = proc.returncode
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        return {"error": f"{how}: {tail}"}
    return json.loads(lines[-1][len(MARKER):])


def merge_passes(reports: list[dict]) -> dict:
    """One (row, framework)'s report from the reports of its passes: each case's seconds the
    median of the passes' (their list under "passes"). A pass that failed, or a case that a
    pass got wrong or did not time, makes the whole cell that report: never a median of
    what is left."""
    for report in reports:
        if "results" not in report or "unavailable" in report:
            return report
    merged = dict(reports[0], results={})
    for case, entry in reports[0]["results"].items():
        entries = [report["results"].get(case, {}) for report in reports]
        bad = next((e for e in entries if "wrong" in e or not e.get("seconds")), None)
        if bad is not None:
            merged["results"][case] = bad
            continue
        times = [e["seconds"] for e in entries]
        merged["results"][case] = dict(entry, seconds=statistics.median(times), passes=times)
    return merged


def _seconds(report: dict, case: str):
    return report.get("results", {}).get(case, {}).get("seconds")


def run_cold_starts(frameworks, threads: int, repeats: int, timeout: float, verbose: bool) -> dict:
    """Row 9: `repeats` fresh processes per framework, each with empty compile caches; then
    ember `repeats` times more on the cache its last cold run filled ("warm cache")."""
    out = {}
    for framework in frameworks:
        cold, warm = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(prefix="ember-bench-cache-") as cache:
                env = {"EMBER_CACHE_DIR": cache, "TORCHINDUCTOR_CACHE_DIR": cache}
                report = run_child(framework, "cold_start", threads, 1, timeout, env, verbose)
                cold.append(_seconds(report, "cold start"))
                if cold[-1] is None:
                    break  # NOTE: n/a or failed: once is enough to say so
                if framework == "ember" and len(cold) == repeats:
                    warm = [_seconds(run_child(framework, "cold_start", threads, 1, timeout, env,
                                               verbose), "cold start") for _ in range(repeats)]
        if cold[-1] is not None:
            report["results"] = {case: {"seconds": statistics.median(times), "runs": times}
                                 for case, times in (("cold start", cold), ("warm cache", warm))
                                 if times and None not in times}
        out[framework] = report
        progress(f"row 9 {framework}: cold {cold}, warm {warm}")
    return out


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- checks across frameworks ------------------------------------------------------------------
def check_losses(case: str, by_framework: dict[str, dict]) -> None:
    """Marks wrong every framework whose last pre-timing loss is off the others' median by more
    than LOSS_TOLERANCE of the loss drop (the first loss was checked against NumPy already)."""
    entries = {fw: res["results"][case] for fw, res in by_framework.items()
               if case in res.get("results", {}) and res["results"][case].get("losses")
               and "wrong" not in res["results"][case]}
    if len(entries) < 2:
        return
    last = statistics.median(entry["losses"][-1] for entry in entries.values())
    first = statistics.median(entry["losses"][0] for entry in entries.values())
    for entry in entries.values():
        if abs(entry["losses"][-1] - last) > LOSS_TOLERANCE * max(abs(first - last), 1e-6):
            entry["wrong"] = (f"loss after {len(entry['losses']) - 1} steps "
                              f"{entry['losses'][-1]:.5f}, the frameworks' median {last:.5f}")


# -- the table ---------------------------------------------------------------------------------
def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def cell(framework: str, case: Case, row: Row, result: dict | None, notes: list[str]) -> tuple:
    """(text, seconds or None) of one framework's cell, adding a note for anything not timed."""
    if framework not in (case.only or row.frameworks) or result is None:
        return "-", None
    if "unavailable" in result:
        notes.append(f"{framework}: n/a, {result['unavailable']}")
        return "n/a", None
    entry = result.get("results", {}).get(case.name, {})
    if "wrong" in entry:
        notes.append(f"row {row.number} {case.name}, {framework}: WRONG, {entry['wrong']}")
        return "WRONG", None
    if entry.get("seconds"):
        return format_seconds(entry["seconds"]), entry["seconds"]
    notes.append(f"row {row.number} {case.name}, {framework}: "
                 f"{result.get('error', 'no result reported')}")
    return "ERR", None


SHORT = {"torch.compile": "t.compile"}  # NOTE: keeps the table within ~140 columns
COLUMNS = (("case", 22),) + tuple((SHORT.get(fw, fw), 9) for fw in FRAMEWORKS) + (
    ("best peer", 9), ("vs", 9), ("ratio", 6), ("target", 9), ("met", 4))


def _line(values) -> str:
    cells = [f"{value:<{width}}" if name == "case" else f"{value:>{width}}"
             for (name, width), value in zip(COLUMNS, values)]
    return " ".join(cells).rstrip()


def table(rows, results: dict, default_threads: int) -> str:
    """The table for `results[(row number, threads)][framework]` (the children's reports)."""
    notes: list[str] = []
    lines = [_line(name for name, _ in COLUMNS)]
    for row in rows:
        for threads in thread_counts(row, default_threads):
            by_framework = results.get((row.number, threads), {})
            for case in row.cases:
                label = f"{row.number} {case.name}"
                if row.both_thread_counts:
                    label += f" ({threads}t)"
                texts, times = [], {}
                for framework in FRAMEWORKS:
                    text, seconds = cell(framework, case, row, by_framework.get(framework), notes)
                    texts.append(text)
                    if seconds is not None:
                        times[framework] = seconds
                peers = {fw: s for fw, s in times.items() if fw != "ember"}
                best = min(peers, key=peers.get) if peers else "-"
                reference, ratio, met = case.target.evaluate(times.get("ember"), times)
                met_text = {True: "yes", False: "NO", None: "?"}[met]
                unmeasured = [fw for fw in case.target.against if fw not in times]
                if unmeasured and met is not None:
                    met_text += "*"
                    notes.append(f"* {row.number} {case.name}: judged without "
                                 f"{', '.join(unmeasured)} (not measured)")
                lines.append(_line([label] + texts + [
                    SHORT.get(best, best), SHORT.get(reference, reference or "-"),
                    f"{ratio:.2f}x" if ratio else "n/a", case.target.describe(), met_text]))
    lines.append("")
    lines.append("ratio = reference time / ember's time (ember is faster when > 1); references:")
    lines += [f"  {row.number} {case.name}: {case.target.describe()} {case.target.reference()}"
              for row in rows for case in row.cases]
    lines += [f"  {note}" for note in dict.fromkeys(notes)]
    return "\n".join(lines)


def thread_counts(row: Row, default_threads: int) -> tuple[int, ...]:
    if row.both_thread_counts and default_threads != 1:
        return (1, default_threads)
    return (default_threads,)


def versions(results: dict) -> str:
    seen = [result["version"] for by_framework in results.values()
            for result in by_framework.values() if "version" in result]
    return "; ".join(dict.fromkeys(seen))


# -- main --------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="rows:\n" + "\n".join(f"  {row.number}  {row.title}" for row in ROWS))
    parser.add_argument("--rows", default=",".join(map(str, ROW_NUMBERS)),
                        help="rows to run, e.g. 1,3-5 (default: all)")
    parser.add_argument("--threads", type=int, default=usable_cores(),
                        help="threads for every framework (default: every usable core)")
    parser.add_argument("--repeats", type=int,
                        help="timed samples per case (default 15, --quick 5)")
    parser.add_argument("--passes", type=int,
                        help="processes per (row, framework), taking turns (default 3, --quick 1)")
    parser.add_argument("--quick", action="store_true", help="fewer samples, passes and cold starts")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                        help=f"which of {','.join(FRAMEWORKS)} to run (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per child process")
    parser.add_argument("--json", help="also write the children's raw reports to this file")
    parser.add_argument("--verbose", action="store_true", help="show the children's stderr")
    args = parser.parse_args(argv)
    try:
        row_numbers, frameworks = parse_rows(args.rows), parse_frameworks(args.frameworks)
    except ValueError as exc:
        parser.error(str(exc))
    if args.threads < 1:
        parser.error(f"--threads: expected a positive count, received {args.threads}")
    repeats = args.repeats or (5 if args.quick else 15)
    passes = args.passes or (1 if args.quick else 3)
    if passes < 1:
        parser.error(f"--passes: expected a positive count, received {passes}")
    rows = [row for row in ROWS if row.number in row_numbers]

    results: dict = {}
    for row in rows:
        chosen = [fw for fw in row.frameworks if fw in frameworks]
        for threads in thread_counts(row, args.threads):
            if row.kind == "cold_start":
                results[(row.number, threads)] = run_cold_starts(
                    chosen, threads, 1 if args.quick else 3, args.timeout, args.verbose)
                continue
            by_framework = results.setdefault((row.number, threads), {})
            reports = {framework: [] for framework in chosen}
            for turn in range(passes):
                for framework in chosen:
                    start = time.perf_counter()
                    reports[framework].append(run_child(framework, row.kind, threads, repeats,
                                                        args.timeout, verbose=args.verbose))
                    progress(f"row {row.number} {framework} ({threads} thread(s)), pass "
                             f"{turn + 1}/{passes}: {time.perf_counter() - start:.1f} s")
            for framework in chosen:
                by_framework[framework] = merge_passes(reports[framework])
            for case in row.cases:
                if row.kind.endswith("_train"):
                    check_losses(case.name, by_framework)

    print(f"\nember vs peers: {args.threads} thread(s) (row 1 also 1), median of {passes} "
          f"process(es) per (row, framework), taking turns, each the median of {repeats} samples")
    print(table(rows, results, args.threads))
    print(f"versions: {versions(results)}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({f"{row} {threads}": value for (row, threads), value in results.items()},
                      file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
