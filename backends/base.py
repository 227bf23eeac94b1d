"""What a backend provides. Built-in backends register exactly as plugins do."""
from __future__ import annotations

from typing import Protocol, Sequence

from ..passes.pipeline import Stage


class Executable(Protocol):
    def __call__(self, arrays: Sequence) -> list: ...   # NumPy arrays in, NumPy arrays out


class Backend(Protocol):
    name: str

    def is_available(self) -> bool: ...              # cheap: no device start-up
    def stages(self) -> Sequence[Stage]: ...         # ordered and named, FRONT_STAGES first
    def options_key(self) -> tuple: ...              # what else decides the compiled code
    def compile(self, module, symbol: str, in_avals, out_avals) -> Executable: ...  # module at its last stage
