"""`@em.function`: tracing per signature, static Python values, captures, outputs, methods,
the retracing warning and `lower().as_text(stage)`."""
from __future__ import annotations

import gc
import inspect
import re
import warnings
import weakref
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import special

import ember as em
from conftest import assert_same, rng_for


def line_of_next_statement() -> int:
    return inspect.currentframe().f_back.f_lineno + 1


def f32(*shape, seed=0):
    return rng_for("test_function", shape, seed).uniform(-1, 1, shape).astype(np.float32)


class Counting:
    """A Python function counting its traces (the body only runs while tracing)."""

    def __init__(self, body):
        self.body, self.traces = body, 0

    def __call__(self, *args, **kwargs):
        self.traces += 1
        return self.body(*args, **kwargs)


# -- tracing and the trace cache ---------------------------------------------------------------
def test_traces_once_per_signature():
    body = Counting(lambda x, y: x * y + 1.0)
    f = em.function(body)
    a, b = f32(3), f32(3, seed=1)
    for _ in range(3):
        assert_same(f(a, b).numpy(), a * b + np.float32(1), exact=True, what="f")
    assert body.traces == 1
    f(f32(4), f32(4))                    # new shape
    f(a.astype(np.float64), b.astype(np.float64))  # new dtype
    assert body.traces == 3
    f(em.constant(a), b)                 # an eager tensor has the signature of its array
    f(a, y=b)                            # keywords are part of the structure
    f(a, y=b)
    assert body.traces == 4


def test_a_signature_compiles_once():
    from ember.runtime import cache

    f = em.function(lambda x: em.exp(x) * 3.0 - x)
    x = f32(5, 7)
    f(x)
    size = cache.size()
    for _ in range(3):
        f(x)
    assert cache.size() == size


def test_python_scalars_are_static():
    body = Counting(lambda x, k: x * k)
    f = em.function(body)
    x = f32(3)
    assert_same(f(x, 2.0).numpy(), x * np.float32(2), exact=True, what="k=2.0")
    assert_same(f(x, 2.0).numpy(), x * np.float32(2), exact=True, what="k=2.0 again")
    assert body.traces == 1
    assert_same(f(x, 3.0).numpy(), x * np.float32(3), exact=True, what="k=3.0")
    assert body.traces == 2
    f(x, 3)                               # int 3 is another static value than float 3.0
    assert body.traces == 3


def test_static_values_can_drive_python_control_flow():
    @em.function
    def f(x, mode, shape):
        y = em.reshape(x, shape)
        return em.exp(y) if mode == "exp" else -y

    x = f32(6)
    assert f(x, "exp", (2, 3)).shape == (2, 3)
    assert_same(f(x, "neg", (3, 2)).numpy(), -x.reshape(3, 2), exact=True, what="neg")


def test_input_signature_fixes_shapes_and_dtypes():
    f = em.function(lambda x, y: (x * 2.0, y * 2),
                    input_signature=[em.TensorSpec((2, 2)), em.TensorSpec((2,), "int64")])
    a, b = f([[1, 2], [3, 4]], [3, 4])     # Python lists take the spec's dtype
    assert a.dtype is em.float32 and b.dtype is em.int64
    assert a.numpy().tolist() == [[2.0, 4.0], [6.0, 8.0]] and b.numpy().tolist() == [6, 8]
    a, b = f(em.ones((2, 2)), np.array([1, 2], np.int64))
    assert a.numpy().tolist() == [[2.0, 2.0], [2.0, 2.0]] and b.numpy().tolist() == [2, 4]


def test_input_signature_with_a_nested_structure():
    f = em.function(lambda pair, k: pair[0] * k + pair[1],
                    input_signature=[(em.TensorSpec((2,)), em.TensorSpec((2,))), em.TensorSpec(())])
    assert f(([1.0, 2.0], [3.0, 4.0]), 10.0).numpy().tolist() == [13.0, 24.0]
    with pytest.raises(em.TracingError, match="structure of the input_signature"):
        f([1.0, 2.0, 3.0], 10.0)


def test_input_signature_traces_once():
    body = Counting(lambda x: x * 2.0)
    f = em.function(body, input_signature=[em.TensorSpec((3,), "float32")])
    for seed in range(3):
        f(f32(3, seed=seed))
    f([1.0, 2.0, 3.0])
    assert body.traces == 1


def test_retracing_more_than_five_times_warns_once():
    @em.function
    def shapeshifter(x):
        return x + 1.0

    with warnings.catch_warnings():
        warnings.simplefilter("error")         # no warning for the first five traces
        for n in range(1, 6):
            shapeshifter(np.zeros(n, np.float32))
    with pytest.warns(UserWarning) as record:
        line = line_of_next_statement()
        shapeshifter(np.zeros(6, np.float32))
    assert len(record) == 1
    message = str(record[0].message)
    assert "shapeshifter" in message and "6 times" in message
    assert "argument 0 changed from shape (5,) float32 to shape (6,) float32" in message
    assert record[0].filename == __file__ and record[0].lineno == line
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # only once
        shapeshifter(np.zeros(7, np.float32))
        shapeshifter(np.zeros(8, np.float32))


def test_retracing_warning_names_a_changed_python_value():
    f = em.function(lambda x, k: x * k)
    with pytest.warns(UserWarning, match=r"argument 1 changed from 4\.0 to 5\.0"):
        for k in range(6):
            f(f32(2), float(k))


# -- nesting and captures ----------------------------------------------------------------------
def test_nested_functions_are_inlined():
    inner_body = Counting(lambda x: em.tanh(x) * 2.0)
    inner = em.function(inner_body)

    @em.function
    def outer(x):
        return inner(x) + inner(x * 3.0)

    x = f32(4)
    assert_same(outer(x).numpy(), (inner(x) + inner(x * np.float32(3))).numpy(), exact=False, what="outer")
    text = outer.lower(x).as_text("ember")
    assert text.count("func.func") == 1 and "call" not in text
    assert text.count('"ember.tanh"') == 2


def test_captured_eager_tensors_are_inputs_not_constants():
    w = em.constant(np.array([1.5, -2.0, 4.25], np.float32))

    @em.function
    def f(x):
        return x * w + w

    x = f32(3)
    assert_same(f(x).numpy(), x * w.numpy() + w.numpy(), exact=True, what="captured")
    text = f.lower(x).as_text("ember")
    signature = re.search(r"func\.func @\w+\((.*?)\) ->", text).group(1)
    assert signature.count("tensor<3xf32>") == 2  # x, and w once although it is read twice
    assert "4.25" not in text                     # w's values are not baked in


def test_a_rebound_closure_keeps_the_tensor_captured_at_trace_time():
    # NOTE: as in TensorFlow, a capture is the tensor object read while tracing (tensors are
    # immutable). Rebinding the closure variable is not a new signature: no retrace, and the
    # compiled function keeps reading the tensor it captured.
    body = Counting(lambda x: x + scale)
    f = em.function(body)
    scale = em.constant(np.float32(1.0))
    x = f32(3)
    assert_same(f(x).numpy(), x + np.float32(1), exact=True, what="first")
    scale = em.constant(np.float32(100.0))  # noqa: F841 (read by the body, if it retraced)
    assert_same(f(x).numpy(), x + np.float32(1), exact=True, what="after rebinding")
    assert body.traces == 1


def test_captured_numpy_arrays_are_constants():
    table = np.array([1.0, 2.0, 3.0], np.float32)
    f = em.function(lambda x: x + table)
    assert "arith.constant" in f.lower(f32(3)).as_text("ember")
    assert_same(f(np.zeros(3, np.float32)).numpy(), table, exact=True, what="constant")


# -- outputs -----------------------------------------------------------------------------------
def test_outputs_keep_their_structure_and_python_values():
    @em.function
    def f(x):
        return {"double": x * 2.0, "pair": (x, -x), "name": "f", "n": 3, "none": None}

    x = f32(2)
    out = f(x)
    assert sorted(out) == ["double", "n", "name", "none", "pair"]
    assert out["name"] == "f" and out["n"] == 3 and out["none"] is None
    assert isinstance(out["pair"], tuple) and len(out["pair"]) == 2
    assert_same(out["double"].numpy(), x * np.float32(2), exact=True, what="double")
    assert_same(out["pair"][0].numpy(), x, exact=True, what="x")
    assert_same(out["pair"][1].numpy(), -x, exact=True, what="-x")


def test_outputs_lists_repeated_values_inputs_and_arrays():
    @em.function
    def f(x):
        y = x * 2.0
        return [y, y, x, np.arange(3, dtype=np.int32)]

    x = f32(3)
    y1, y2, same, arange = f(x)
    assert_same(y1.numpy(), x * np.float32(2), exact=True, what="y")
    assert_same(y2.numpy(), x * np.float32(2), exact=True, what="y again")
    assert_same(same.numpy(), x, exact=True, what="input returned")
    assert_same(arange.numpy(), np.arange(3, dtype=np.int32), exact=True, what="array returned")
    assert isinstance(arange, em.Tensor)


def test_a_single_output_and_no_outputs():
    assert isinstance(em.function(lambda x: x + 1.0)(f32(2)), em.Tensor)
    assert em.function(lambda x: None)(f32(2)) is None
    assert em.function(lambda x: ())(f32(2)) == ()


def test_inputs_are_not_modified_and_outputs_are_fresh():
    x = f32(4)
    before = x.copy()
    out = em.function(lambda a: a)(x)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(out.numpy(), x)
    assert not out.numpy().flags.writeable


def test_non_contiguous_and_fortran_inputs():
    base = f32(6, 8)
    f = em.function(lambda a, b: a * 2.0 + b)
    strided, fortran = base[:3, ::2], np.asfortranarray(base[3:, 4:])
    assert_same(f(strided, fortran).numpy(), strided * np.float32(2) + fortran, exact=True, what="layouts")


# -- methods -----------------------------------------------------------------------------------
class Dense:
    def __init__(self, w, b):
        self.w, self.b = em.constant(w), em.constant(b)
        self.traces = 0

    @em.function
    def __call__(self, x):
        self.traces += 1
        return em.nn.relu(x @ self.w + self.b)


def test_methods_decorated_with_em_function():
    layer_a = Dense(f32(3, 2), f32(2, seed=1))
    layer_b = Dense(f32(3, 2, seed=2), f32(2, seed=3))
    x = f32(4, 3)
    for layer in (layer_a, layer_b):
        expected = np.maximum(x @ layer.w.numpy() + layer.b.numpy(), 0)
        assert_same(layer(x).numpy(), expected, exact=False, what="layer")
        layer(x)
        assert layer.traces == 1
    assert isinstance(Dense.__call__, em.Function)
    assert Dense.__call__.__name__ == "__call__"


@dataclass
class Scale:
    """A dataclass: `eq=True` makes its instances unhashable."""

    factor: float

    @em.function
    def __call__(self, x):
        return x * self.factor


def test_methods_of_unhashable_instances():
    x = f32(3)
    assert_same(Scale(2.0)(x).numpy(), x * np.float32(2), exact=True, what="Scale(2)")
    assert_same(Scale(3.0)(x).numpy(), x * np.float32(3), exact=True, what="Scale(3)")


def test_a_decorated_method_does_not_keep_its_instance_alive():
    layer = Dense(f32(3, 2), f32(2))
    layer(f32(4, 3))
    alive = weakref.ref(layer)
    del layer
    gc.collect()
    assert alive() is None


# -- lower().as_text(stage) ---------------------------------------------------------------------
def chain(x, y):
    return em.exp(x * y + y) - x  # four elementwise ops: mul, add, exp, sub


def test_lower_has_every_stage_with_its_ops():
    lowered = em.function(chain).lower(f32(4, 8), f32(8))
    assert lowered.stage_names == ["ember", "fused", "linalg", "llvm"]
    ember = lowered.as_text("ember")
    for op in ("ember.mul", "ember.add", "ember.exp", "ember.sub", "func.func"):
        assert op in ember
    fused = lowered.as_text("fused")
    assert fused.count("ember.fused") == 1 and "scf.execute_region" in fused
    linalg = lowered.as_text("linalg")
    assert linalg.count("linalg.generic") == 1 and "ember." not in linalg
    llvm = lowered.as_text("llvm")
    assert "llvm.func" in llvm and "linalg." not in llvm and "ember." not in llvm
    assert lowered.as_text() == ember


def test_lower_of_matmul_shows_the_matmul_at_each_stage():
    lowered = em.function(lambda x, w: em.nn.relu(x @ w)).lower(f32(2, 3), f32(3, 4))
    assert '"ember.matmul"' in lowered.as_text("ember")
    assert 'iterator_types = ["parallel", "reduction", "parallel"]' in lowered.as_text("linalg")


def test_debug_info_points_at_the_users_lines():
    def model(x):
        line = line_of_next_statement()
        y = em.tanh(x)
        return y * 2.0, line

    lowered = em.function(model).lower(f32(3))
    _, line = model(em.constant(f32(3)))
    text = lowered.as_text("ember", debug_info=True)
    assert f'"{__file__}":{line}:' in text
    assert __file__ not in lowered.as_text("ember")
    assert __file__ in lowered.as_text("linalg", debug_info=True)


def test_unknown_stage_lists_the_stages():
    lowered = em.function(chain).lower(f32(2), f32(2))
    with pytest.raises(em.EmberError, match="unknown stage 'ptx'.*ember, fused, linalg, llvm"):
        lowered.as_text("ptx")


def test_lowered_compile_runs():
    x, y = f32(3), f32(3, seed=1)
    executable = em.function(chain).lower(x, y).compile()
    (out,) = executable([x, y])
    assert_same(out, chain(em.constant(x), em.constant(y)).numpy(), exact=False, what="lowered")


def test_get_concrete_function():
    f = em.function(chain)
    concrete = f.get_concrete_function(f32(2, 3), f32(3))
    assert isinstance(concrete, em.ConcreteFunction)
    assert '"ember.exp"' in concrete.module_text
    assert [str(a) for a in concrete.out_avals] == ["float32[2, 3]"]


# -- the function of the issue ------------------------------------------------------------------
def test_matmul_bias_gelu_reduce_softmax_matches_numpy():
    @em.function
    def head(x, w, b):
        h = em.nn.gelu(x @ w + b)                  # matmul, bias, gelu
        scores = em.reduce_sum(h, axis=-1) * 0.5   # reduce, scale
        return em.nn.softmax(scores)

    x, w, b = f32(8, 16), f32(16, 32, seed=1), f32(32, seed=2)
    h = x.astype(np.float64) @ w + b
    h = 0.5 * h * (1 + special.erf(h / np.sqrt(2)))
    scores = h.sum(-1) * 0.5
    expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    out = head(x, w, b)
    assert out.dtype is em.float32 and out.shape == (8,)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_zero_size_inputs_and_outputs_compile():
    # NOTE: empty tensors leave the compiled signature (ember-drop-empty-tensors).
    @em.function
    def f(x, y, z):
        return em.reduce_sum(x, axis=0), y * 2.0, em.reduce_max(z, axis=1), x * 3.0

    x = np.ones((0, 3), np.float32)
    y = np.arange(2, dtype=np.float32)
    z = np.ones((0, 4), np.float32)
    s, doubled, m, tripled = f(x, y, z)
    assert np.array_equal(s.numpy(), np.zeros(3, np.float32))
    assert np.array_equal(doubled.numpy(), y * 2)
    assert m.shape == (0,) and tripled.shape == (0, 3)
