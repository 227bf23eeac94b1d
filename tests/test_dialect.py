"""The ember dialect: IRDL generated from the primitives, parsing, and ember's verifier."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mlir import ir

import ember as em
from ember.dialects import REGISTRY, AVal, OpView, Primitive, lookup, make_context, verify
from ember.dialects.irdl import irdl_text
from ember.dialects.primitive import ELEMENTWISE, REDUCTION, STRUCTURED

IRDL_FILE = os.path.join(os.path.dirname(em.__file__), "dialects", "ember.irdl.mlir")


def func(body: str, args: str = "%x: tensor<4xf32>", results: str = "tensor<4xf32>") -> str:
    return f"func.func @f({args}) -> ({results}) {{\n{body}\n}}"


def parse(text: str):
    return ir.Module.parse(text, make_context())


# -- the IRDL definition -----------------------------------------------------------------------
def test_committed_irdl_file_is_current():
    with open(IRDL_FILE) as f:
        committed = f.read()
    assert committed == irdl_text(), ("dialects/ember.irdl.mlir is stale; regenerate it from "
                                      "ember.dialects.irdl.irdl_text()")


def test_irdl_defines_every_primitive_with_its_attributes():
    text = irdl_text()
    for name, prim in REGISTRY.items():
        assert f"irdl.operation @{name} {{" in text
        for attr in prim.attrs:
            assert f'"{attr}" = %attr_{attr}' in text


def test_every_primitive_has_its_rules():
    for name, prim in REGISTRY.items():
        assert prim.op_name == f"ember.{name}" and prim.doc, name
        assert prim.shape_rule is not None and prim.eager_rule is not None, name
        if prim.kind == ELEMENTWISE:
            assert prim.scalar_rule is not None, f"{name} has no scalar body"
        elif prim.kind == REDUCTION:
            assert prim.combine is not None and prim.identity is not None, name
        else:
            assert prim.kind == STRUCTURED and prim.lower_rule is not None, f"{name} has no lowering"


def test_a_primitive_name_is_registered_once():
    with pytest.raises(ValueError, match="ember.add"):
        Primitive("add", kind=ELEMENTWISE, operands=("x",), doc="again", shape=lambda x: x)


def test_lookup():
    assert lookup("ember.add") is REGISTRY["add"]
    assert lookup("arith.addf") is None and lookup("ember.nosuch") is None


# -- parsing and verifying ---------------------------------------------------------------------
def test_ember_ir_parses_and_verifies():
    module = parse(func("""
  %c = arith.constant dense<2.0> : tensor<f32>
  %0 = "ember.mul"(%x, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "ember.reduce_sum"(%0) {axes = array<i64: 0>, keepdims = true} : (tensor<4xf32>) -> tensor<1xf32>
  %2 = "ember.broadcast_to"(%1) {shape = array<i64: 4>} : (tensor<1xf32>) -> tensor<4xf32>
  %3 = "ember.compare"(%2, %x) {predicate = "lt"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = "ember.select"(%3, %x, %2) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = "ember.cast"(%4) {dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
  %6 = "ember.cast"(%5) {dtype = f32} : (tensor<4xf64>) -> tensor<4xf32>
  return %6 : tensor<4xf32>"""))
    verify(module)
    ops = [op for op in module.body.operations[0].regions[0].blocks[0].operations]
    view = OpView(ops[2])
    assert view.prim is REGISTRY["reduce_sum"]
    assert view.attrs == {"axes": (0,), "keepdims": True}
    assert view.in_avals == (AVal((4,), em.float32),) and view.out_aval == AVal((1,), em.float32)
    assert OpView(ops[4]).attrs == {"predicate": "lt"}
    assert OpView(ops[6]).attrs == {"dtype": em.float64}


def test_traced_ir_reparses_and_verifies():
    @em.function
    def f(x, w):
        return em.nn.softmax(em.nn.gelu(x @ w), axis=0)[1:, None]

    import numpy as np

    text = f.get_concrete_function(np.ones((3, 4), np.float32), np.ones((4, 5), np.float32)).module_text
    verify(parse(text))


def test_a_scalar_operand_fails_with_the_irdl_diagnostic():
    with pytest.raises(ir.MLIRError, match="expected base type 'builtin.tensor' but got 'builtin.f32'"):
        parse(func('%0 = "ember.exp"(%x) : (f32) -> f32\n return %0 : f32', "%x: f32", "f32"))


def test_the_verifier_reports_the_irdl_diagnostic_at_its_location():
    ctx = make_context()
    with ctx, ir.Location.file("model.py", 7, 3):
        module = ir.Module.create()
        f32 = ir.F32Type.get()
        with ir.InsertionPoint(module.body):
            from mlir.dialects import func as func_dialect

            fn = func_dialect.FuncOp("f", ([f32], [f32]))
            block = fn.add_entry_block()
            with ir.InsertionPoint(block):
                op = ir.Operation.create("ember.exp", results=[f32], operands=[block.arguments[0]])
                func_dialect.ReturnOp([op.result])
    with pytest.raises(em.VerificationError) as err:
        verify(module)
    assert str(err.value).startswith("model.py:7:3: error: ")
    assert "builtin.tensor" in str(err.value) and err.value.location == "model.py:7:3"


@pytest.mark.parametrize("body, message", [
    ('%0 = "ember.reduce_sum"(%x) : (tensor<4xf32>) -> tensor<4xf32>',
     'attribute "(axes|keepdims)" is expected but not provided'),
    ('%0 = "ember.reduce_sum"(%x) {axes = 0 : i64, keepdims = false} : (tensor<4xf32>) -> tensor<4xf32>',
     "expected base attribute 'builtin.dense_array'"),
    ('%0 = "ember.exp"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>',
     "expects exactly 1 operands"),
    ('%0 = "ember.nosuch"(%x) : (tensor<4xf32>) -> tensor<4xf32>', "unregistered operation 'ember.nosuch'"),
])
def test_irdl_rejects_malformed_ops(body, message):
    with pytest.raises(ir.MLIRError, match=message):
        parse(func(body + "\n return %0 : tensor<4xf32>"))


def test_a_wrong_result_shape_fails_embers_verifier_at_its_location():
    module = parse(func('%0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<3xf32> loc("model.py":12:5)\n'
                        ' return %0 : tensor<3xf32>', results="tensor<3xf32>"))
    with pytest.raises(em.VerificationError) as err:
        verify(module)
    assert str(err.value) == ("model.py:12:5: error: 'ember.exp' op result type tensor<3xf32> does not "
                              "match the inferred type tensor<4xf32>")
    assert err.value.location == "model.py:12:5"


@pytest.mark.parametrize("body, result, message", [
    ('%0 = "ember.add"(%x, %y) : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>', "tensor<4xf32>",
     "'ember.add' op add: operands must have the same dtype, received float32 and float64"),
    ('%0 = "ember.compare"(%x, %x) {predicate = "foo"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>',
     "tensor<4xi1>", "predicate must be one of eq, ne, lt, le, gt, ge, received 'foo'"),
    ('%0 = "ember.reduce_max"(%x) {axes = array<i64: 1>, keepdims = false} : '
     '(tensor<4xf32>) -> tensor<4xf32>', "tensor<4xf32>", "axes must be sorted, distinct and within [0, 1)"),
    ('%0 = "ember.exp"(%i) : (tensor<4xi32>) -> tensor<4xi32>', "tensor<4xi32>",
     "exp: expected floating-point tensors, received int32"),
    ('%0 = "ember.matmul"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>', "tensor<4xf32>",
     "rank >= 2"),
    ('%0 = "ember.reshape"(%x) {shape = array<i64: 3>} : (tensor<4xf32>) -> tensor<3xf32>', "tensor<3xf32>",
     "cannot reshape a tensor of shape (4,)"),
])
def test_embers_verifier_checks_each_ops_rule(body, result, message):
    text = func(body + ' loc("net.py":4:2)\n return %0 : ' + result,
                "%x: tensor<4xf32>, %y: tensor<4xf64>, %i: tensor<4xi32>", result)
    with pytest.raises(em.VerificationError) as err:
        verify(parse(text))
    assert str(err.value).startswith("net.py:4:2: error: ")
    assert message in str(err.value)


def test_a_location_without_a_file_is_the_buffer_position():
    module = parse(func('\n %0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<3xf32>\n'
                        ' return %0 : tensor<3xf32>', results="tensor<3xf32>"))
    with pytest.raises(em.VerificationError, match=r"^-:3:7: error: 'ember.exp'"):
        verify(module)


# -- abstract values ---------------------------------------------------------------------------
def test_aval():
    a = AVal((2, 3), em.float32)
    assert a.rank == 2 and a.size == 6 and str(a) == "float32[2, 3]"
    with make_context():
        assert str(a.mlir_type()) == "tensor<2x3xf32>"
        assert AVal.of_type(ir.Type.parse("tensor<i1>")) == AVal((), em.bool)
        with pytest.raises(em.ShapeError, match="static shape"):
            AVal.of_type(ir.Type.parse("tensor<?xf32>"))
        with pytest.raises(em.DTypeError, match="ranked tensor"):
            AVal.of_type(ir.Type.parse("f32"))
        with pytest.raises(em.DTypeError, match="bf16"):
            AVal.of_type(ir.Type.parse("tensor<2xbf16>"))


def test_compiling_does_not_import_upstreams_linalg_package():
    """The bindings find the linalg dialect's classes in ember.dialects.bindings (no opdsl
    definitions run); code that imports mlir.dialects.linalg itself still gets all of it."""
    code = """
import sys, numpy as np, ember as em
x = np.ones((3, 5), np.float32)
assert (em.function(lambda x: em.transpose(x) * 2.0)(x).numpy() == 2.0).all()
assert "mlir.dialects.linalg" not in sys.modules, "the opdsl package was imported"
from mlir import ir
from mlir.dialects import linalg, tensor
with ir.Context(), ir.Location.unknown():
    m = ir.Module.create()
    with ir.InsertionPoint(m.body):
        f32 = ir.F32Type.get()
        one = ir.Operation.create("arith.constant", results=[f32],
                                  attributes={"value": ir.FloatAttr.get(f32, 1.0)}).result
        filled = linalg.fill(one, outs=[tensor.EmptyOp([4], f32).result])
    assert "linalg.fill" in str(m)
print("ok")
"""
    env = dict(os.environ, EMBER_CACHE_DIR="")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
