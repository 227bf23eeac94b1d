"""bench/compare.py's driver logic on fake reports: --rows parsing, targets, the table, the
loss check across frameworks and the children's environment. No peer is imported or run."""
from __future__ import annotations

import importlib.util
import os
import sys

import pytest

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench",
                     "compare.py")
_spec = importlib.util.spec_from_file_location("bench_compare", _PATH)
compare = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = compare  # NOTE: dataclasses look their module up there
_spec.loader.exec_module(compare)


def test_compare_imports_no_peer():
    for name in ("torch", "jax", "tensorflow", "keras"):
        assert not hasattr(compare, name)
    assert "peers.child" not in sys.modules


@pytest.mark.parametrize("text, rows", [
    ("1", [1]), ("1,3-5", [1, 3, 4, 5]), ("9, 2", [2, 9]), ("1-9", list(range(1, 10))),
    ("4,4,3-4", [3, 4]),
])
def test_parse_rows(text, rows):
    assert compare.parse_rows(text) == rows


@pytest.mark.parametrize("text", ["0", "10", "1-10", "a", "3-", "5-3", ""])
def test_parse_rows_refuses(text):
    with pytest.raises(ValueError, match="--rows"):
        compare.parse_rows(text)


def cells(line: str) -> list[str]:
    """The table line's cells, cut at the column widths."""
    out, start = [], 0
    for _, width in compare.COLUMNS:
        out.append(line[start:start + width].strip())
        start += width + 1
    return out


def test_parse_frameworks():
    assert compare.parse_frameworks("ember, jax.jit") == ("ember", "jax.jit")
    with pytest.raises(ValueError, match="--frameworks"):
        compare.parse_frameworks("ember,pytorch")


def test_speedup_target_against_best_of_its_references():
    target = compare.Target(1.2, ("torch", "jax.jit"))
    # numpy is faster but is not one of this target's references
    times = {"ember": 1.0, "numpy": 0.1, "torch": 1.5, "jax.jit": 1.3}
    reference, ratio, met = target.evaluate(times["ember"], times)
    assert reference == "jax.jit" and ratio == pytest.approx(1.3) and met is True
    assert target.evaluate(1.2, times)[2] is False
    assert target.evaluate(None, times) == ("jax.jit", None, None)
    assert target.evaluate(1.0, {"numpy": 0.1}) == (None, None, None)


def test_absolute_target():
    target = compare.Target(5e-6)
    assert target.evaluate(4e-6, {})[1:] == (pytest.approx(1.25), True)
    assert target.evaluate(6e-6, {})[2] is False
    assert target.describe() == "<= 5 us"
    assert compare.Target(0.5).describe() == "<= 0.5 s"


def test_table_marks_met_missed_na_error_and_wrong():
    row = next(row for row in compare.ROWS if row.number == 4)
    def ok(seconds):
        return {"version": "1", "results": {"softmax": {"seconds": seconds},
                                            "layernorm": {"seconds": seconds}}}

    results = {(4, 2): {
        "ember": {"version": "0.1", "results": {"softmax": {"seconds": 1e-3},
                                                 "layernorm": {"seconds": 4e-3}}},
        "numpy": ok(5e-3),
        "torch": ok(2e-3),
        "torch.compile": {"unavailable": "not installed (No module named 'torch')"},
        "jax.jit": {"version": "1", "results": {"softmax": {"seconds": 3e-3},
                                                 "layernorm": {"wrong": "max error 1e-1"}}},
        "tf+xla": {"error": "RuntimeError: boom"},
    }}
    text = compare.table([row], results, 2)
    softmax = next(line for line in text.splitlines() if line.startswith("4 softmax"))
    layernorm = next(line for line in text.splitlines() if line.startswith("4 layernorm"))
    assert "1.00 ms" in softmax and "n/a" in softmax and "ERR" in softmax
    assert cells(softmax)[-4:] == ["torch", "2.00x", ">= 1.00x", "yes*"]  # vs, ratio, target, met
    assert cells(softmax)[-5] == "torch"  # best peer (numpy is no reference here, and slower)
    assert "WRONG" in layernorm and cells(layernorm)[-4:] == ["torch", "0.50x", ">= 1.00x", "NO*"]
    assert "torch.compile: n/a, not installed (No module named 'torch')" in text
    assert "jax.jit: WRONG, max error 1e-1" in text
    assert "tf+xla: RuntimeError: boom" in text
    assert cells(softmax)[7] == "-"  # tf does not run this row


def test_table_without_ember_result_is_not_met():
    row = next(row for row in compare.ROWS if row.number == 3)
    results = {(3, 2): {"ember": {"error": "CompileError: x"},
                        "numpy": {"version": "1", "results": {"chain 4M": {"seconds": 0.01}}}}}
    line = compare.table([row], results, 2).splitlines()[1]
    assert cells(line)[1] == "ERR" and cells(line)[-3:] == ["n/a", ">= 1.00x", "?"]


def test_met_is_starred_when_a_reference_peer_was_not_measured():
    row = next(row for row in compare.ROWS if row.number == 3)
    results = {(3, 2): {"ember": {"results": {"chain 4M": {"seconds": 0.001}}},
                        "numpy": {"results": {"chain 4M": {"seconds": 0.01}}}}}
    text = compare.table([row], results, 2)
    assert cells(text.splitlines()[1])[-1] == "yes*"
    assert "judged without torch, torch.compile, jax.jit, tf+xla (not measured)" in text


def test_matmul_row_runs_on_one_thread_and_all():
    row = compare.ROWS[0]
    assert compare.thread_counts(row, 4) == (1, 4)
    assert compare.thread_counts(row, 1) == (1,)
    assert compare.thread_counts(compare.ROWS[1], 4) == (4,)
    report = {"results": {f"matmul {n}": {"seconds": 0.1} for n in (512, 1024, 2048)}}
    results = {(1, t): {"ember": report, "numpy": report} for t in (1, 4)}
    lines = compare.table([row], results, 4).splitlines()
    assert [line.split(")")[0] + ")" for line in lines[1:7]] == [
        f"1 matmul {n} ({t}t)" for t in (1, 4) for n in (512, 1024, 2048)]
    assert all(line.endswith("yes") for line in lines[1:7])


def test_loss_check_flags_the_framework_that_disagrees():
    losses = {"ember": [2.6, 1.39, 0.72], "torch": [2.6, 1.386, 0.719],
              "jax.jit": [2.6, 1.386, 0.719], "tf": [2.6, 2.0, 1.5]}
    reports = {fw: {"results": {"mlp train": {"losses": values, "seconds": 1.0}}}
               for fw, values in losses.items()}
    compare.check_losses("mlp train", reports)
    flagged = {fw for fw, r in reports.items() if "wrong" in r["results"]["mlp train"]}
    assert flagged == {"tf"}


def test_child_env_sets_one_thread_count_and_drops_openblas_tuning():
    base = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1", "PATH": "/bin"}
    env = compare.child_env(1, base)
    assert "OPENBLAS_CORETYPE" not in env and "OPENBLAS_L2_SIZE" not in env
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "EMBER_NUM_THREADS"):
        assert env[var] == "1"
    assert "--xla_cpu_multi_thread_eigen=false" in env["XLA_FLAGS"]
    assert "intra_op_parallelism_threads=1" in env["XLA_FLAGS"]
    assert "OPENBLAS_CORETYPE" in base  # the parent's environment is left alone
    assert compare.child_env(4, base)["EMBER_NUM_THREADS"] == "4"


def test_format_seconds():
    assert compare.format_seconds(2.5) == "2.50 s"
    assert compare.format_seconds(0.0123) == "12.30 ms"
    assert compare.format_seconds(4.2e-6) == "4.2 us"


def _report(**cases):
    return {"framework": "ember", "results": {name: dict(entry) for name, entry in cases.items()}}


def test_passes_merge_into_the_median_of_each_case():
    reports = [_report(softmax={"seconds": 3.0}, layernorm={"seconds": 1.0, "losses": [1.0]}),
               _report(softmax={"seconds": 2.0}, layernorm={"seconds": 5.0}),
               _report(softmax={"seconds": 9.0}, layernorm={"seconds": 2.0})]
    merged = compare.merge_passes(reports)["results"]
    assert merged["softmax"] == {"seconds": 3.0, "passes": [3.0, 2.0, 9.0]}
    assert merged["layernorm"]["seconds"] == 2.0 and merged["layernorm"]["losses"] == [1.0]
    assert compare.merge_passes(reports[:1])["results"]["softmax"]["seconds"] == 3.0


def test_a_failed_or_wrong_pass_is_the_cell_not_left_out_of_the_median():
    ok = _report(softmax={"seconds": 3.0})
    crashed = {"error": "exit code 1: Segmentation fault"}
    assert compare.merge_passes([ok, crashed, ok]) is crashed
    wrong = _report(softmax={"seconds": 1.0, "wrong": "max error 0.5"})
    assert compare.merge_passes([ok, wrong])["results"]["softmax"] == wrong["results"]["softmax"]
    untimed = _report(softmax={})
    assert "seconds" not in compare.merge_passes([ok, untimed])["results"]["softmax"]
    missing = {"unavailable": "torch is not installed"}
    assert compare.merge_passes([missing, missing]) is missing
