"""The `ember` dialect as IRDL, generated from the primitive registry, and its loading.

`dialects/ember.irdl.mlir` is this text written out (a test keeps it current), so the
dialect can be read in one file and used with `mlir-opt --irdl-file=...`.
"""
from __future__ import annotations

from . import ops  # registers the primitives
from .primitive import REGISTRY

_HEADER = """\
// The `ember` dialect. Generated from ember/dialects/ops/*.py; do not edit by hand.
// Regenerate with `ember-opt --print-dialect > dialects/ember.irdl.mlir`.
// IRDL checks that operands and results are tensors and that attributes have the
// right kind; ember's verifier (dialects/verifier.py) checks shapes and dtypes.
"""


def irdl_text() -> str:
    lines = [_HEADER.rstrip("\n"), "irdl.dialect @ember {"]
    for name in sorted(REGISTRY):
        prim = REGISTRY[name]
        lines.append(f"  // {prim.op_name}: {prim.doc}")
        lines.append(f"  irdl.operation @{name} {{")
        operands = []
        for i, operand in enumerate(prim.operands):
            lines.append(f'    %{operand} = irdl.base "!builtin.tensor"')
            operands.append(f"{operand}: %{operand}")
        lines.append('    %result = irdl.base "!builtin.tensor"')
        attrs = []
        for attr, spec in prim.attrs.items():
            lines.append(f'    %attr_{attr} = irdl.base "{spec.irdl_base}"')
            attrs.append(f'"{attr}" = %attr_{attr}')
        lines.append(f"    irdl.operands({', '.join(operands)})")
        lines.append("    irdl.results(result: %result)")
        if attrs:
            lines.append(f"    irdl.attributes {{{', '.join(attrs)}}}")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def load(context) -> None:
    """Registers the ember dialect in an MLIR context."""
    from mlir import ir
    from mlir.dialects import irdl

    with context:
        irdl.load_dialects(ir.Module.parse(irdl_text()))


if __name__ == "__main__":
    print(irdl_text(), end="")
