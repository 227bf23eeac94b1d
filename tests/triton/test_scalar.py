"""Every elementwise primitive has a Triton form: its scalar body runs on the Triton builder."""
from __future__ import annotations

import pytest

from ember.dialects.primitive import ELEMENTWISE, REGISTRY
from ember.frontend import dtypes
from gpu_testing import pytestmark  # noqa: F401

ELEMENTWISE_PRIMS = sorted(name for name, p in REGISTRY.items() if p.kind == ELEMENTWISE)


@pytest.mark.parametrize("name", ELEMENTWISE_PRIMS)
def test_every_elementwise_primitive_renders_to_triton(name):
    from ember.backends.triton.scalar import Expr, TritonBuilder, apply_scalar

    prim = REGISTRY[name]
    rendered = 0
    for dtype in dtypes.ALL:
        args = [Expr(f"x{i}", dtype) for i in range(len(prim.operands))]
        attrs = {}
        if "predicate" in prim.attrs:
            attrs["predicate"] = "lt"
        if "dtype" in prim.attrs:
            attrs["dtype"] = dtypes.float32
        if name == "select":
            args[0] = Expr("c", dtypes.bool_)
        try:
            avals = prim.infer(tuple(_aval(a.dtype) for a in args), attrs)
        except Exception:
            continue        # the primitive does not accept this dtype
        lines = []
        result = apply_scalar(TritonBuilder(lines), prim, args, attrs)
        assert result.dtype == avals.dtype, f"{name} {dtype.name}: {result.dtype} != {avals.dtype}"
        assert all("tl." in line or " " in line for line in lines)
        rendered += 1
    assert rendered, f"ember.{name} rendered for no dtype"


def _aval(dtype):
    from ember.dialects.primitive import AVal

    return AVal((2,), dtype)


def test_float16_transcendentals_are_computed_in_float32():
    from ember.backends.triton.scalar import Expr, TritonBuilder

    lines = []
    TritonBuilder(lines).exp(Expr("x", dtypes.float16))
    assert lines == ["t0 = (tl.exp(x.to(tl.float32))).to(tl.float16)"]
