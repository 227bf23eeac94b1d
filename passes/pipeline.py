"""Running passes: mixed textual pipelines of ember and upstream passes, and named stages.

The stages every backend starts with are written down here, once; a backend appends its
own (the CPU backend: `linalg`, `llvm`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dialects.verifier import mlir_error_to_verification
from ..frontend.errors import CompileError, EmberError
from .registry import PASSES


@dataclass(frozen=True)
class Stage:
    """A named point of the pipeline: the passes that lead from the previous stage to it."""

    name: str
    passes: tuple[str, ...]
    description: str


FRONT_STAGES = (
    Stage("ember", ("ember-verify",), "as traced: the ember dialect, verified"),
    Stage("fused", ("ember-canonicalize", "ember-fuse"),
          "canonicalised, elementwise chains grouped into `ember.fused` regions"),
)


def split_pipeline(text: str) -> list[str]:
    """Top-level elements of `builtin.module(a, b{opt=1}, func.func(c))` (or of `a, b`)."""
    text = text.strip()
    if text.startswith("builtin.module(") and text.endswith(")"):
        text = text[len("builtin.module("):-1]
    elements, depth, current = [], 0, ""
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            elements.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        elements.append(current.strip())
    return elements


def _element_name(element: str) -> str:
    for i, ch in enumerate(element):
        if ch in "({":
            return element[:i].strip()
    return element.strip()


class PassPipeline:
    """An MLIR PassManager built from pass elements; ember's Python passes report their
    own exceptions (not just MLIR's 'pass failed').

    `verify_each=True` verifies the IR after every pass, as `mlir-opt` does. Otherwise the
    IR is verified after each of ember's passes and once at the end, not after upstream
    passes: upstream passes keep valid IR valid (their own tests check it), and verifying a
    big module after each of them took a fifth of the pipeline's time (the Keras MLP train
    step's passes, medians of 6 processes each: 0.67 s verified after every pass, 0.54 s
    as here, 0.47 s not verified at all).
    """

    def __init__(self, elements: list[str], context, print_ir_after_all: bool = False,
                 verify_each: bool = False):
        from mlir.passmanager import PassManager

        self.errors: list[Exception] = []
        self.verify_each = verify_each
        with context:
            self.pm = PassManager("builtin.module")
            self.pm.enable_verifier(verify_each)
            for element in elements:
                info = PASSES.get(_element_name(element))
                if info is None:
                    self.pm.add(element)  # upstream; ValueError names an unknown pass
                elif element.strip() != info.name:
                    raise ValueError(f"pass '{info.name}' takes no options, received '{element}'")
                elif info.pipeline is not None:
                    self.pm.add(info.pipeline)
                else:
                    self.pm.add(self._wrap(info), info.name, argument=info.name,
                                description=info.description)
            if print_ir_after_all:
                self.pm.enable_ir_printing(print_after_all=True)

    def _wrap(self, info):
        def run(op, pass_):
            try:
                with op.context:  # NOTE: the PassManager's callback has no default context
                    info.run(op)
                    if not self.verify_each:
                        _verify_after(op, info.name)
            except Exception as err:  # re-raised by PassPipeline.run with its own traceback
                self.errors.append(err)
                pass_.signal_pass_failure()
        return run

    def run(self, module) -> None:
        from mlir import ir

        self.errors.clear()
        try:
            self.pm.run(module.operation)
        except ir.MLIRError as err:
            if self.errors:
                raise self.errors[0] from None
            raise mlir_error_to_verification(err) from None
        if self.errors:
            raise self.errors[0]
        if not self.verify_each:
            _verify_after(module.operation, "the pipeline")


def _verify_after(op, what: str) -> None:
    from mlir import ir

    try:
        op.verify()
    except ir.MLIRError as err:
        error = mlir_error_to_verification(err)
        raise CompileError(f"invalid IR after {what}: {error}") from None


def run_passes(module, elements: list[str]) -> None:
    PassPipeline(list(elements), module.context).run(module)


def run_stages(module, stages, on_stage=None) -> None:
    """Runs stages in order on `module`; `on_stage(stage, module)` is called after each."""
    for stage in stages:
        try:
            run_passes(module, stage.passes)
        except EmberError:
            raise
        except Exception as err:
            raise CompileError(f"stage '{stage.name}': {err}") from err
        if on_stage is not None:
            on_stage(stage, module)
