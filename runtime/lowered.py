"""`Lowered`: a traced function's IR at every stage of its backend's pipeline.

Example:
    >>> lowered = f.lower(x, w)
    >>> lowered.stage_names
    ['ember', 'fused', 'linalg', 'llvm']
    >>> print(lowered.as_text("fused"))
"""
from __future__ import annotations

from ..dialects.context import make_context
from ..dialects.primitive import AVal
from ..frontend.errors import EmberError
from ..passes.pipeline import run_stages


def parse(module_text: str):
    """A module of ember IR in a fresh context (with the dialect loaded)."""
    from mlir import ir

    return ir.Module.parse(module_text, make_context())


def signature(module, symbol: str):
    """(input avals, output avals) of `func.func @symbol`."""
    from mlir import ir

    for op in module.body.operations:
        if op.operation.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == symbol:
            ftype = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
            return [AVal.of_type(t) for t in ftype.inputs], [AVal.of_type(t) for t in ftype.results]
    raise EmberError(f"function '{symbol}' not found in the module")


class Lowered:
    """Runs every stage of `backend` on a copy of the traced module and keeps each one's IR."""

    def __init__(self, backend, module_text: str, symbol: str):
        self.backend = backend
        self.symbol = symbol
        self._texts: dict[str, tuple[str, str]] = {}
        module = parse(module_text)
        self.in_avals, self.out_avals = signature(module, symbol)

        # NOTE: a backend may give a stage a text of its own (the triton backend's generated
        # source) through `stage_text(stage, module, symbol)`; other stages print as MLIR.
        stage_text = getattr(backend, "stage_text", None)

        def keep(stage, mod):
            text = stage_text(stage, mod, symbol) if stage_text is not None else None
            if text is not None:
                self._texts[stage.name] = (text, text)
                return
            op = mod.operation
            self._texts[stage.name] = (op.get_asm(), op.get_asm(enable_debug_info=True))

        with module.context:
            run_stages(module, backend.stages(), keep)
        self._module = module

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.backend.stages()]

    def as_text(self, stage: str = "ember", debug_info: bool = False) -> str:
        """The IR after `stage`; `debug_info=True` prints each op's location (your file:line)."""
        if stage not in self._texts:
            raise EmberError(f"unknown stage '{stage}'; the {self.backend.name} backend's stages "
                             f"are: {', '.join(self.stage_names)}")
        return self._texts[stage][1 if debug_info else 0]

    def compile(self):
        """The executable (a callable on NumPy arrays) of the last stage's module."""
        return self.backend.compile(self._module, self.symbol, self.in_avals, self.out_avals)
