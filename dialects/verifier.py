"""ember's verifier: MLIR's own checks (IRDL: operand kinds, attribute kinds), then each
ember op's shape/dtype rule against the types written in the IR."""
from __future__ import annotations

from ..frontend.errors import EmberError, VerificationError
from .locations import format_location, walk
from .primitive import OpView, lookup


def mlir_error_to_verification(err, default_location: str = "<unknown>:0:0") -> VerificationError:
    """The first error diagnostic of an `MLIRError` as a VerificationError."""
    diags = list(getattr(err, "error_diagnostics", []) or [])
    if not diags:
        return VerificationError(default_location, str(err))
    first = diags[0]
    return VerificationError(format_location(first.location), first.message)


def verify(module) -> None:
    """Raises VerificationError (`FILE:LINE:COL: error: ...`) at the first broken rule."""
    from mlir import ir

    root = module.operation
    try:
        root.verify()
    except ir.MLIRError as err:
        raise mlir_error_to_verification(err) from None
    with root.context:  # NOTE: the messages build MLIR types, which need a default context
        _verify_ember_ops(root)


def _verify_ember_ops(root) -> None:
    for op in walk(root):
        if lookup(op.name) is None:
            continue
        view = OpView(op)
        try:
            expected = view.prim.infer(view.in_avals, view.attrs)
            actual = view.out_aval
        except EmberError as err:
            raise VerificationError(format_location(op.location), f"'{op.name}' op {err}") from None
        if expected != actual:
            raise VerificationError(
                format_location(op.location),
                f"'{op.name}' op result type {actual.mlir_type()} does not match the "
                f"inferred type {expected.mlir_type()}")
