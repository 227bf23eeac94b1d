"""ember's passes by flag name. A pass is a Python function over the module operation or a
textual pipeline of upstream MLIR passes; both run inside one MLIR PassManager."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class PassInfo:
    name: str                                   # the flag: `ember-opt --<name>`
    description: str
    run: Callable | None = None                 # run(module_op) -> None; raises EmberError
    pipeline: str | None = None                 # or upstream passes, e.g. "canonicalize,cse"


PASSES: dict[str, PassInfo] = {}


def register_pass(name: str, description: str, *, pipeline: str | None = None):
    """Registers a pass; used as a decorator on run functions, or called with `pipeline=`."""
    def add(run=None):
        if name in PASSES:
            raise ValueError(f"pass '{name}' is already registered")
        PASSES[name] = PassInfo(name, description, run, pipeline)
        return run

    if pipeline is not None:
        return add()
    return add
