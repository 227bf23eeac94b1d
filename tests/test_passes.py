"""The passes from Python: on modules parsed with the ember dialect (`run_passes`), and on
traced functions (`f.lower(...).as_text(stage)`). tests/lit/ checks the IR of each pass in
detail; these check what the passes mean for a program."""
from __future__ import annotations

import numpy as np
import pytest
from mlir import ir
from scipy import special

import ember as em
from conftest import assert_same
from ember.dialects import make_context
from ember.passes import PASSES, PassPipeline, register_pass, run_passes, split_pipeline

F32_4 = "tensor<4xf32>"


def parse(body: str, args: str = f"%x: {F32_4}", results: str = F32_4):
    """A module holding `func.func @f(args) -> results { body }` in an ember context."""
    text = f"func.func @f({args}) -> ({results}) {{\n{body}\n}}"
    return ir.Module.parse(text, make_context())


def ops_of(module) -> list[str]:
    """Names of the ops in @f's body, in order (nested regions included)."""
    names = []

    def visit(op):
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    names.append(inner.operation.name)
                    visit(inner.operation)

    visit(module.body.operations[0].operation)
    return names


def lowered(fn, *args):
    return em.function(fn).lower(*args)


def f32(*shape):
    return np.linspace(-1, 1, int(np.prod(shape))).astype(np.float32).reshape(shape)


# -- the registry and pipelines ----------------------------------------------------------------
def test_every_stage_pass_is_registered():
    from ember.backends import get_backend

    for stage in get_backend("cpu").stages():
        for name in stage.passes:
            assert name in PASSES or name in ("canonicalize", "cse"), name
    for name in ("ember-verify", "ember-canonicalize", "ember-fuse", "ember-to-linalg", "ember-bufferize",
                 "ember-lower-cpu"):
        assert PASSES[name].description


def test_registering_a_pass_twice_raises():
    with pytest.raises(ValueError, match="ember-fuse"):
        register_pass("ember-fuse", "again")(lambda op: None)


def test_split_pipeline():
    assert split_pipeline("builtin.module(a, b{x=1 y=2}, func.func(c, d))") == [
        "a", "b{x=1 y=2}", "func.func(c, d)"]
    assert split_pipeline("ember-canonicalize,ember-fuse") == ["ember-canonicalize", "ember-fuse"]
    assert split_pipeline("") == []


def test_an_unknown_pass_is_refused():
    module = parse(f"return %x : {F32_4}")
    with pytest.raises(Exception, match="no-such-pass"):
        run_passes(module, ["no-such-pass"])


def test_a_python_pass_raises_its_own_exception():
    @register_pass("test-raising-pass", "raises for the test")
    def _(module_op):
        raise KeyError("raised inside the pass")

    try:
        with pytest.raises(KeyError, match="raised inside the pass"):
            run_passes(parse(f"return %x : {F32_4}"), ["test-raising-pass"])
    finally:
        del PASSES["test-raising-pass"]


def test_invalid_ir_after_a_python_pass_names_the_pass():
    @register_pass("test-breaking-pass", "gives @f a result type its return does not match")
    def _(module_op):
        f = module_op.regions[0].blocks[0].operations[0]
        f.attributes["function_type"] = ir.TypeAttr.parse(f"({F32_4}) -> tensor<5xf32>")

    try:
        # NOTE: without verify_each, ember's passes are verified one by one all the same
        with pytest.raises(em.CompileError, match="invalid IR after test-breaking-pass"):
            run_passes(parse(f"return %x : {F32_4}"), ["test-breaking-pass", "cse"])
        module = parse(f"return %x : {F32_4}")
        pipeline = PassPipeline(["test-breaking-pass"], module.context, verify_each=True)
        with pytest.raises(em.VerificationError, match="result type"):
            pipeline.run(module)
    finally:
        del PASSES["test-breaking-pass"]


def test_ember_and_upstream_passes_mix_in_one_pipeline():
    module = parse(f"""
  %0 = "ember.exp"(%x) : ({F32_4}) -> {F32_4}
  %1 = "ember.neg"(%0) : ({F32_4}) -> {F32_4}
  return %1 : {F32_4}""")
    run_passes(module, ["ember-canonicalize", "ember-fuse", "canonicalize", "ember-to-linalg", "cse"])
    assert ops_of(module).count("linalg.generic") == 1
    assert not [n for n in ops_of(module) if n.startswith("ember.")]


# -- ember-canonicalize ------------------------------------------------------------------------
def test_canonicalize_folds_a_constant_expression():
    module = parse(f"""
  %a = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : {F32_4}
  %b = arith.constant dense<3.0> : tensor<f32>
  %0 = "ember.mul"(%a, %b) : ({F32_4}, tensor<f32>) -> {F32_4}
  %1 = "ember.exp"(%0) : ({F32_4}) -> {F32_4}
  %2 = "ember.add"(%x, %1) : ({F32_4}, {F32_4}) -> {F32_4}
  return %2 : {F32_4}""")
    run_passes(module, ["ember-canonicalize"])
    assert ops_of(module) == ["arith.constant", "ember.add", "func.return"]
    assert "20.0855" in str(module)  # exp(3.0), folded with the eager kernel


def test_canonicalize_folds_a_traced_all_constant_expression():
    @em.function
    def f(x):
        table = em.constant([1.0, 2.0, 3.0]) * 3.0 + 1.0
        return x + em.sqrt(table)

    fused = f.lower(f32(3)).as_text("fused")
    assert "ember.mul" not in fused and "ember.sqrt" not in fused and fused.count('"ember.add"') == 1
    x = f32(3)
    assert_same(f(x).numpy(), (em.constant(x) + em.sqrt(em.constant([4.0, 7.0, 10.0]))).numpy(),
                exact=True, what="folded")


@pytest.mark.parametrize("expr", [
    lambda x: x * 1.0, lambda x: 1.0 * x, lambda x: x + -0.0, lambda x: -0.0 + x, lambda x: x - 0.0,
    lambda x: x / 1.0, lambda x: -(-x), lambda x: em.transpose(em.transpose(x)),
    lambda x: em.transpose(em.transpose(x, (1, 0, 2)), (1, 0, 2)),
    lambda x: em.reshape(x, (2, 3, 4)), lambda x: em.broadcast_to(x, (2, 3, 4)), lambda x: x[:, :, :],
    lambda x: ((x * 1.0 + -0.0) - 0.0) / 1.0,
], ids=["x*1", "1*x", "x+(-0)", "(-0)+x", "x-0", "x/1", "--x", "T(T(x))", "transpose(perm) twice",
        "reshape to its shape", "broadcast_to its shape", "x[:,:,:]", "all of them"])
def test_canonicalize_removes_identities(expr):
    fused = lowered(expr, f32(2, 3, 4)).as_text("fused")
    assert "ember." not in fused, fused
    assert "return %arg0" in fused


def test_float_plus_positive_zero_is_kept():
    # NOTE: -0.0 + 0.0 is +0.0, so x + 0.0 is not x; compiled and eager must agree on it.
    fused = lowered(lambda x: x + 0.0, f32(3)).as_text("fused")
    assert '"ember.add"' in fused
    x = np.array([-0.0, 1.0, -2.0], np.float32)
    out = em.function(lambda x: x + 0.0)(x).numpy()
    assert np.array_equal(np.signbit(out), np.signbit(x + np.float32(0.0)))


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_canonicalize_removes_integer_identities(dtype):
    fused = lowered(lambda x: (x * 1 + 0) - 0, np.ones(3, dtype)).as_text("fused")
    assert "ember." not in fused


def test_canonicalize_keeps_a_multiplication_by_one_that_broadcasts():
    fused = lowered(lambda v: v * em.ones((2, 4)), f32(4)).as_text("fused")
    assert '"ember.mul"' in fused
    assert lowered(lambda v: v * em.ones((2, 4)), f32(4)).out_avals[0].shape == (2, 4)


def test_canonicalize_composes_transposes_and_reshapes():
    twice = lambda x: em.transpose(em.transpose(x, (1, 0, 2)), (0, 2, 1))  # noqa: E731
    fused = lowered(twice, f32(2, 3, 4)).as_text("fused")
    assert fused.count('"ember.transpose"') == 1 and "perm = array<i64: 1, 2, 0>" in fused
    fused = lowered(lambda x: em.reshape(em.reshape(x, (12,)), (4, 3)), f32(3, 4)).as_text("fused")
    assert fused.count('"ember.reshape"') == 1


def test_canonicalize_removes_dead_ops():
    def f(x):
        em.exp(x) * 2.0  # computed, never used
        return x + 1.0

    fused = lowered(f, f32(3)).as_text("fused")
    assert "ember.exp" not in fused and "ember.mul" not in fused and fused.count("arith.constant") == 1


def test_canonicalize_does_not_fold_large_constants():
    big = (300, 300)
    fused = lowered(lambda x: x + em.ones(big) * 2.0, np.zeros(big, np.float32)).as_text("fused")
    assert '"ember.mul"' in fused  # more than FOLD_LIMIT elements stay computed at run time


# -- ember-fuse --------------------------------------------------------------------------------
def chain(x, y):
    return em.exp(x * y + y) - x  # mul, add, exp, sub


def test_a_chain_of_four_elementwise_ops_is_one_group():
    lowered_chain = lowered(chain, f32(4, 8), f32(8))
    fused = lowered_chain.as_text("fused")
    assert fused.count("ember.fused") == 1
    assert lowered_chain.as_text("linalg").count("linalg.generic") == 1


def test_fuse_on_a_parsed_module_moves_the_ops_into_the_region():
    module = parse(f"""
  %0 = "ember.mul"(%x, %x) : ({F32_4}, {F32_4}) -> {F32_4}
  %1 = "ember.add"(%0, %x) : ({F32_4}, {F32_4}) -> {F32_4}
  %2 = "ember.exp"(%1) : ({F32_4}) -> {F32_4}
  %3 = "ember.sub"(%2, %x) : ({F32_4}, {F32_4}) -> {F32_4}
  return %3 : {F32_4}""")
    run_passes(module, ["ember-fuse"])
    assert ops_of(module) == ["scf.execute_region", "ember.mul", "ember.add", "ember.exp", "ember.sub",
                              "scf.yield", "func.return"]
    assert str(module).count("ember.fused") == 1
    run_passes(module, ["ember-to-linalg", "canonicalize"])
    assert ops_of(module).count("linalg.generic") == 1 and "scf.execute_region" not in ops_of(module)


def test_a_reduction_with_an_elementwise_prologue_is_one_group():
    lw = lowered(lambda x: em.reduce_sum(em.exp(x) * 2.0, axis=1), f32(3, 4))
    fused = lw.as_text("fused")
    assert fused.count("ember.fused") == 1
    region = fused[fused.index("scf.execute_region"):fused.index("{ember.fused}")]
    for op in ("ember.exp", "ember.mul", "ember.reduce_sum"):
        assert op in region
    linalg = lw.as_text("linalg")
    assert linalg.count("linalg.generic") == 1 and '"reduction"' in linalg


def test_a_producer_with_two_users_is_not_duplicated():
    def f(x):
        z = em.exp(x)
        return em.tanh(z + 1.0), z * 2.0

    lw = lowered(f, f32(3, 4))
    fused = lw.as_text("fused")
    assert fused.count('"ember.exp"') == 1
    region = fused[fused.index("scf.execute_region"):fused.index("{ember.fused}")]
    assert "ember.exp" not in region and "ember.add" in region and "ember.tanh" in region
    assert fused.count("ember.fused") == 1
    linalg = lw.as_text("linalg")
    assert linalg.count("math.exp") == 1 and linalg.count("linalg.generic") == 3


def test_a_cheap_producer_read_by_two_groups_is_computed_in_each():
    def layernorm(x):
        centered = x - em.reduce_mean(x, axis=-1, keepdims=True)
        var = em.reduce_mean(centered * centered, axis=-1, keepdims=True)
        return centered * em.rsqrt(var + 1e-5)

    x = np.linspace(-3, 5, 7 * 33, dtype=np.float32).reshape(7, 33)
    lw = lowered(layernorm, x)
    fused = lw.as_text("fused")
    assert fused.count('"ember.sub"') == 2
    for region in fused.split("scf.execute_region")[1:]:
        region = region[:region.index("{ember.fused}")]
        assert region.count('"ember.sub"') <= 1
    outside = fused.split("scf.execute_region")[0]
    assert '"ember.sub"' not in outside
    centered = x - x.mean(-1, keepdims=True)
    want = centered / np.sqrt((centered * centered).mean(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(em.function(layernorm)(x).numpy(), want, rtol=1e-5, atol=1e-5)


def test_a_smaller_producer_is_not_fused_into_a_broadcast():
    fused = lowered(lambda x, b: (b * 2.0) + x, f32(3, 4), f32(4)).as_text("fused")
    assert "ember.fused" not in fused


def test_softmax_groups():
    lw = lowered(lambda x: em.nn.softmax(x), f32(3, 4))
    fused = lw.as_text("fused")
    # max | (sub, exp) | sum | div: exp feeds both the sum and the division, so it is not
    # recomputed inside the sum's group
    assert fused.count("ember.fused") == 1
    assert lw.as_text("linalg").count("linalg.generic") == 4


def test_two_functions_in_one_module_are_fused_separately():
    text = f"""
func.func @f(%x: {F32_4}) -> {F32_4} {{
  %0 = "ember.exp"(%x) : ({F32_4}) -> {F32_4}
  %1 = "ember.neg"(%0) : ({F32_4}) -> {F32_4}
  return %1 : {F32_4}
}}
func.func @g(%x: {F32_4}) -> {F32_4} {{
  %0 = "ember.sin"(%x) : ({F32_4}) -> {F32_4}
  %1 = "ember.cos"(%0) : ({F32_4}) -> {F32_4}
  return %1 : {F32_4}
}}"""
    module = ir.Module.parse(text, make_context())
    run_passes(module, ["ember-fuse", "ember-to-linalg"])
    assert str(module).count("linalg.generic") == 2


# -- ember-to-linalg ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn, generics", [
    (lambda x: em.exp(x), 1),
    (chain, 1),
    (lambda x: em.reduce_max(x, axis=0), 1),
    (lambda x: em.reduce_sum(em.tanh(x) + 1.0), 1),
    (lambda x: em.transpose(x) * 2.0, 2),  # the transpose (a generic), then the multiplication
])
def test_one_linalg_generic_per_group(fn, generics):
    args = (f32(4, 8),) if fn is not chain else (f32(4, 8), f32(8))
    linalg = lowered(fn, *args).as_text("linalg")
    assert linalg.count("linalg.generic") == generics
    assert "ember." not in linalg


def test_matmul_lowers_to_one_generic_with_the_reduction_before_the_last_loop():
    # NOTE: (m, k, n) order: the innermost loop is contiguous in y and the result.
    plain = lowered(lambda a, b: a @ b, f32(2, 3), f32(3, 4)).as_text("linalg")
    assert plain.count("linalg.generic") == 1
    assert 'iterator_types = ["parallel", "reduction", "parallel"]' in plain
    batched = lowered(lambda a, b: a @ b, f32(2, 2, 3), f32(3, 4)).as_text("linalg")
    assert batched.count("linalg.generic") == 1
    assert 'iterator_types = ["parallel", "parallel", "reduction", "parallel"]' in batched


def test_shape_ops_lower_to_tensor_ops():
    def f(x):
        return em.concat([x[1:], em.reshape(em.reshape(x, (8,))[:2], (1, 2))])

    linalg = lowered(f, f32(4, 2)).as_text("linalg")
    for op in ("tensor.extract_slice", "tensor.insert_slice", "tensor.collapse_shape", "tensor.expand_shape"):
        assert op in linalg, op
    x = f32(4, 2)
    assert_same(em.function(f)(x).numpy(), np.concatenate([x[1:], x.reshape(8)[:2].reshape(1, 2)]),
                exact=True, what="shape ops")


# -- the CPU lowering --------------------------------------------------------------------------
def test_llvm_stage_has_no_tensors_left():
    llvm = lowered(chain, f32(4, 8), f32(8)).as_text("llvm")
    assert "llvm.func @ember_chain" in llvm and "tensor<" not in llvm and "memref<" not in llvm


def test_bools_cross_function_boundaries_as_bytes():
    x = np.array([True, False, True])
    out = em.function(lambda a, b: (a & b, ~a, a == b))(x, np.array([True, True, False]))
    assert [o.numpy().tolist() for o in out] == [
        [True, False, False], [False, True, False], [True, False, False]]


@pytest.mark.parametrize("flags", [frozenset({"avx512f"}), frozenset()], ids=["scalef", "bits"])
@pytest.mark.parametrize("name, fn, ref, lo, hi, max_ulp", [
    ("exp", em.exp, np.exp, -110.0, 90.0, 1),
    ("tanh", em.tanh, np.tanh, -12.0, 12.0, 8),
    ("erf", em.erf, special.erf, -6.0, 6.0, 8),
])
def test_expanded_f32_math_is_as_accurate_as_documented(name, fn, ref, lo, hi, max_ulp, flags,
                                                        monkeypatch):
    # NOTE: passes/expand_math.py documents exp <= 1 ulp, tanh and erf <= 8 ulp against
    # float64; special values must come out as in IEEE. exp scales by 2^m with ldexp
    # (AVX-512's vscalefps; a libm call on other hosts) or with exponent bits: both are
    # checked, whatever this host has (a fresh compile: the cache does not key on flags).
    from ember.passes import expand_math
    from ember.runtime import cache

    monkeypatch.setattr(expand_math, "host_cpu_flags", lambda: flags)
    monkeypatch.setattr(cache, "_cache", {})
    monkeypatch.setattr(em.config, "get_cache_dir", lambda: None)
    specials = np.array([0.0, -0.0, 1e-30, np.inf, -np.inf, np.nan, 3e38, -3e38, -104.0,
                         -103.97, 88.72283, 88.72284, 88.9, 89.0, 89.1], np.float32)
    x = np.concatenate([np.linspace(lo, hi, 20001, dtype=np.float32), specials])
    lowered = em.function(fn).lower(x)
    assert ("llvm.ldexp" in lowered.as_text("llvm")) == (name == "exp" and bool(flags))
    got = em.function(fn)(x).numpy()
    with np.errstate(all="ignore"):
        want = ref(x.astype(np.float64))
        want32 = want.astype(np.float32)
    np.testing.assert_array_equal(got[-len(specials):], want32[-len(specials):])
    finite = np.isfinite(want32)
    spacing = np.spacing(np.abs(want32[finite]))
    ulps = np.abs(got[finite].astype(np.float64) - want[finite]) / np.maximum(spacing, np.float32(1e-45))
    assert ulps.max() <= max_ulp, f"{name}: {ulps.max():.2f} ulp at x={x[finite][ulps.argmax()]}"
    assert np.array_equal(np.isinf(got), np.isinf(want32))
