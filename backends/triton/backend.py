"""The triton backend: the common front stages, then a `triton` stage whose text is the
generated program (Triton kernels and the host code launching them).

Available where `triton` and `torch` import and either a CUDA device is present or
Triton's interpreter is on (`TRITON_INTERPRET=1`: kernels run on the CPU, on torch CPU
tensors; that is how the tests run without a GPU). Compiling the generated kernels for a
GPU that is not there (`aot.compile_program`) needs neither.
"""
from __future__ import annotations

from ...frontend.errors import CompileError
from ...passes.pipeline import FRONT_STAGES, Stage

STAGES = FRONT_STAGES + (
    Stage("triton", (), "generated Triton source: one @triton.jit kernel per fusion group "
                        "(matmul epilogues and row reductions merged), and the host code"),
)


def importable() -> bool:
    try:
        import torch  # noqa: F401
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


class TritonBackend:
    name = "triton"

    def is_available(self) -> bool:
        if not importable():
            return False
        from .runtime import interpreting
        import torch

        return interpreting() or torch.cuda.is_available()

    def stages(self):
        return STAGES

    def target(self) -> str:
        from .runtime import device, interpreting

        return "interpret" if interpreting() or device().type != "cuda" else "cuda"

    def options_key(self) -> tuple:
        return ("target", self.target())

    def generate(self, module, symbol: str, target: str | None = None):
        """The generated program (`program.Program`) of a module at the `fused` stage;
        `target` "cuda" or "interpret" (default: this machine's)."""
        from .program import generate

        try:
            return generate(module, symbol, target or self.target())
        except CompileError:
            raise
        except Exception as err:
            raise CompileError(f"triton code generation for '{symbol}' failed: {err}") from err

    def stage_text(self, stage, module, symbol: str) -> str | None:
        """The text of a stage that is not MLIR (`triton`), else None."""
        return self.generate(module, symbol).text if stage.name == "triton" else None

    def compile(self, module, symbol: str, in_avals, out_avals):
        """`module` is at the `triton` stage (the fused IR): generate, load, wrap."""
        from .runtime import TritonExecutable, load_source

        program = self.generate(module, symbol)
        loaded = load_source(program.text, f"ember_triton_{symbol}_{_next_id()}")
        return TritonExecutable(program, loaded, symbol, in_avals, out_avals)


_ids = [0]


def _next_id() -> int:
    _ids[0] += 1
    return _ids[0]
