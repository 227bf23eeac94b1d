"""The call path of compiled functions: the fast path (positional arrays, eager tensors and
Python scalars that need no conversion, keyed by shape and dtype) gives what the general
path gives, and every check of the general path still holds."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from ember import backends
from ember.backends import register_backend
from ember.frontend import function as function_module


def _scaled(x, y, scale):
    return em.tanh(x) * scale + y * 0.1875   # a program no other test compiles


def _reference(x, y, scale):
    return np.tanh(x) * np.float32(scale) + y * np.float32(0.1875)


def test_repeated_calls_take_the_fast_path_and_agree_with_the_first(rng):
    f = em.function(_scaled)
    x, y = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    first = f(x, y, 0.5).numpy()
    assert len(f._fast) == 1
    for _ in range(3):
        np.testing.assert_array_equal(f(x, y, 0.5).numpy(), first)
    np.testing.assert_allclose(first, _reference(x, y, 0.5), rtol=1e-5, atol=1e-6)
    assert f._trace_count == 1


def test_new_values_of_the_same_signature_give_new_results(rng):
    f = em.function(_scaled)
    for _ in range(3):
        x, y = rng.standard_normal((2, 5)).astype(np.float32), rng.standard_normal(5).astype(np.float32)
        np.testing.assert_allclose(f(x, y, 2.0).numpy(), _reference(x, y, 2.0), rtol=1e-5, atol=1e-6)
    assert f._trace_count == 1


def test_shapes_dtypes_and_scalars_key_the_fast_path():
    f = em.function(_scaled)
    x32, y32 = np.ones((2, 3), np.float32), np.ones(3, np.float32)
    x64, y64 = np.ones((2, 3)), np.ones(3)
    f(x32, y32, 0.5)
    out64 = f(x64, y64, 0.5)
    assert out64.dtype == em.float64
    np.testing.assert_allclose(out64.numpy(), _reference(x64, y64, 0.5), rtol=1e-12)
    out = f(np.ones((4, 3), np.float32), y32, 0.5)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(f(x32, y32, 3.0).numpy(), _reference(x32, y32, 3.0), rtol=1e-5)
    assert f._trace_count == 4
    f(x32, y32, 0.5)
    f(x64, y64, 0.5)
    assert f._trace_count == 4


def test_python_scalars_of_other_types_are_other_keys():
    f = em.function(lambda x, flag: x + 1.0 if flag is True else x - 1.0)
    x = np.zeros(2, np.float32)
    assert f(x, True).numpy().tolist() == [1.0, 1.0]
    assert f(x, 1).numpy().tolist() == [-1.0, -1.0]     # 1 == True, but another Python value
    assert f(x, True).numpy().tolist() == [1.0, 1.0]


def test_eager_tensors_and_arrays_share_one_trace(rng):
    f = em.function(_scaled)
    x, y = rng.standard_normal((2, 2)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
    a = f(x, y, 1.0).numpy()
    b = f(em.constant(x), em.constant(y), 1.0).numpy()
    np.testing.assert_array_equal(a, b)
    assert f._trace_count == 1


@pytest.mark.parametrize("layout", ["transposed", "strided"])
def test_non_contiguous_arguments_give_the_same_results(rng, layout):
    f = em.function(_scaled)
    base = rng.standard_normal((6, 6)).astype(np.float32)
    x = base.T if layout == "transposed" else base[::2, ::2]
    y = np.arange(x.shape[1], dtype=np.float32)
    for _ in range(2):
        np.testing.assert_allclose(f(x, y, 0.25).numpy(), _reference(x, y, 0.25), rtol=1e-5, atol=1e-6)
    contiguous = np.ascontiguousarray(x)
    np.testing.assert_allclose(f(contiguous, y, 0.25).numpy(), _reference(x, y, 0.25),
                               rtol=1e-5, atol=1e-6)
    assert f._trace_count == 1


def test_keyword_arguments_and_nested_structures_take_the_general_path():
    f = em.function(lambda xs, scale=1.0: xs[0] * scale + xs[1])
    a, b = np.ones(3, np.float32), np.full(3, 2.0, np.float32)
    assert f((a, b), scale=3.0).numpy().tolist() == [5.0, 5.0, 5.0]
    assert f((a, b), scale=3.0).numpy().tolist() == [5.0, 5.0, 5.0]
    assert f._fast == {}


def test_outputs_are_read_only_tensors_with_the_right_avals():
    f = em.function(lambda x: (x * 2.0, {"n": 3, "y": x + 1}))
    x = np.arange(4, dtype=np.float32)
    for _ in range(2):
        doubled, rest = f(x)
        assert isinstance(doubled, em.Tensor) and doubled.shape == (4,) and doubled.dtype == em.float32
        assert rest["n"] == 3 and rest["y"].numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
        with pytest.raises(ValueError):
            doubled.numpy()[0] = 1.0
    single = em.function(lambda x: x - 1)(np.arange(4, dtype=np.int32))
    assert single.dtype == em.int32 and single.numpy().tolist() == [-1, 0, 1, 2]
    assert not single.numpy().flags.writeable


def test_variables_are_read_at_each_call_and_assigned_in_place():
    v = em.Variable(np.zeros(3, np.float32))
    w = em.Variable(np.full(3, 2.0, np.float32))

    @em.function
    def step(x):
        v.assign(v * 0.5 + x)
        return v.value() * w

    x = np.ones(3, np.float32)
    expected_v = np.zeros(3, np.float32)
    for i in range(4):
        if i == 2:
            w.assign(np.full(3, -1.0, np.float32))       # changed between calls, from outside
        expected_v = expected_v * 0.5 + x
        out = step(x)
        np.testing.assert_array_equal(v.numpy(), expected_v)
        np.testing.assert_array_equal(out.numpy(), expected_v * w.numpy())
    assert step._trace_count == 1


def test_a_fortran_ordered_variable_is_passed_correctly():
    value = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    v = em.Variable(value)
    f = em.function(lambda x: x + v.value())
    for _ in range(2):
        np.testing.assert_array_equal(f(np.zeros((2, 3), np.float32)).numpy(), value)


def test_the_fast_path_keys_on_the_backend_in_effect(monkeypatch):
    register_backend("other-cpu", "ember.backends.cpu:CPUBackend")
    try:
        f = em.function(lambda x: x * 4.0)
        x = np.ones(2, np.float32)
        f(x)
        monkeypatch.setattr(function_module, "default_backend", lambda: "other-cpu")
        assert f(x).numpy().tolist() == [4.0, 4.0]
        assert f._trace_count == 2                       # traced again for the other backend
        assert {key[1] for key in f._fast} == {"cpu", "other-cpu"}
    finally:
        backends._factories.pop("other-cpu", None)
        backends._instances.pop("other-cpu", None)


def test_the_executable_checks_count_shape_and_dtype():
    f = em.function(lambda x, y: x * y)
    x = np.ones((2, 3), np.float32)
    executable = f.lower(x, x).compile()
    assert executable([x, x])[0].tolist() == [[1.0] * 3] * 2
    with pytest.raises(em.EmberError, match="takes 2 arrays, received 1"):
        executable([x])
    with pytest.raises(em.EmberError, match=r"argument 1: expected float32\[2, 3\], received float32\[3, 2\]"):
        executable([x, np.ones((3, 2), np.float32)])
    with pytest.raises(em.EmberError, match=r"argument 0: expected float32\[2, 3\], received int64\[2, 3\]"):
        executable([np.ones((2, 3), np.int64), x])
    strided = np.arange(12, dtype=np.float32).reshape(2, 6)[:, ::2]
    np.testing.assert_array_equal(executable([strided, x])[0], strided)


def test_a_bad_dtype_still_names_the_argument():
    f = em.function(lambda x: x + 1)
    for _ in range(2):                                   # never cached by the fast path
        with pytest.raises(em.DTypeError, match="unsupported NumPy dtype uint16"):
            f(np.ones(2, np.uint16))


def test_retracing_still_warns():
    f = em.function(lambda x: x * 1.5)
    with pytest.warns(UserWarning, match="was traced 6 times"):
        for n in range(1, 7):
            f(np.ones(n, np.float32))
