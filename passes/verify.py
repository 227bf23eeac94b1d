"""`ember-verify`: MLIR's verifier plus each ember op's shape and dtype rule."""
from __future__ import annotations

from ..dialects.verifier import verify
from .registry import register_pass


@register_pass("ember-verify", "Check every ember op's operands, attributes and result type")
def verify_pass(module_op) -> None:
    verify(module_op)
