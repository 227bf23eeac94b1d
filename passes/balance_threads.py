"""`ember-balance-threads`: OpenMP loops of many iterations handed out as the threads ask (CPU).

`ember-tile-rows` makes one `scf.forall` iteration per row tile (e.g. 1,024 tiles of 4 rows
for a 4096x1024 softmax), and `convert-scf-to-openmp` turns it into an `omp.wsloop` with
OpenMP's default static schedule: each thread gets an equal, fixed share. When one core runs
slower than the other (another process on it, a VM's neighbour, a hybrid CPU's efficiency
core), the fast thread finishes its share and waits at the loop's end; perf of the 2-thread
layernorm of bench row 4 on this machine, at a time when one core was slow, showed 20% of
the samples in libiomp5's wait.

This pass gives such loops the `guided` schedule: threads take chunks as they come free,
each chunk a share of what is left (large first, smaller towards the end), so that a faster
core takes more of them and both finish together, at a few dispatches per thread. Loops with
few iterations per thread (`ember-parallelize`'s one chunk per thread: a matmul's rows, each
with its own packing) keep the static schedule, where a thread that starts late would
otherwise leave its chunk to the other.
"""
from __future__ import annotations

import math

from ..dialects.locations import walk
from ..dialects.values import scalar_constant
from .registry import register_pass

MIN_ITERATIONS_PER_THREAD = 8   # below this, a loop's iterations are not worth re-dealing


def trip_count(nest) -> int | None:
    """The static number of iterations of an `omp.loop_nest`, or None."""
    operands = list(nest.operands)
    rank = len(operands) // 3   # lower bounds, upper bounds, steps
    values = [scalar_constant(value) for value in operands]
    if None in values:
        return None
    lows, highs, steps = values[:rank], values[rank:2 * rank], values[2 * rank:]
    return math.prod(max(0, -(-(h - l) // s)) for l, h, s in zip(lows, highs, steps))


@register_pass("ember-balance-threads",
               "Schedule OpenMP loops of many iterations per thread as guided, not static (CPU)")
def balance_threads(module_op) -> None:
    from mlir import ir

    from ..runtime.config import get_threads

    threads = get_threads()
    for op in walk(module_op):
        if op.name != "omp.wsloop" or "schedule_kind" in op.attributes:
            continue
        nest = op.regions[0].blocks[0].operations[0]
        if nest.name != "omp.loop_nest":
            continue
        trips = trip_count(nest)
        if trips is not None and trips >= MIN_ITERATIONS_PER_THREAD * threads:
            op.attributes["schedule_kind"] = ir.Attribute.parse("#omp<schedulekind guided>")
