"""Every row of the op table (tests/op_table.py): eager against NumPy, compiled against eager.

Compiling costs ~30 ms, so each (row, dtype) compiles ONE function that applies the op to
every shape and variant of the row; eager runs each call on its own.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import ALL, FLOATS, assert_same, rng_for, run_compiled
from ember.dialects import REGISTRY
from op_table import BINARY, CASES, UNARY

ROWS = [pytest.param(case, dtype, id=f"{case.name}-{dtype}") for case in CASES for dtype in case.dtypes]


def _calls(case, dtype):
    return list(case.calls(dtype, rng_for(case.name, dtype)))


def _program(case, calls):
    """One em.function applying the row's op to each call's inputs."""

    def row(inputs):
        return [case.op(*args, **variant) for args, (_, _, variant) in zip(inputs, calls)]

    return em.function(row)


def _eager(case, arrays, variant):
    return case.op(*[em.constant(a) for a in arrays], **variant)


def test_every_primitive_has_a_row():
    covered = {p for case in CASES for p in case.primitives}
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, f"primitives without a row in tests/op_table.py: {missing}"
    unknown = sorted(covered - set(REGISTRY))
    assert not unknown, f"rows name primitives that are not registered: {unknown}"


def test_row_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_row_traces_to_its_primitives(case):
    dtype = case.dtypes[0]
    calls = _calls(case, dtype)
    text = _program(case, calls).get_concrete_function([a for _, a, _ in calls]).module_text
    for prim in case.primitives:
        assert f'"ember.{prim}"' in text, f"{case.name} does not trace to ember.{prim}:\n{text}"
    for snippet in case.ir:
        assert snippet in text, f"{case.name}: {snippet!r} not in\n{text}"


@pytest.mark.parametrize("case, dtype", ROWS)
def test_eager_matches_numpy(case, dtype):
    for label, arrays, variant in _calls(case, dtype):
        result = _eager(case, arrays, variant)
        assert isinstance(result, em.Tensor), label
        assert result.dtype.numpy == result.numpy().dtype and result.shape == result.numpy().shape, label
        with np.errstate(all="ignore"):
            expected = case.reference(*arrays, **variant)
        assert_same(result.numpy(), expected, exact=case.exact, what=f"eager {label}")


@pytest.mark.parametrize("case, dtype", ROWS)
def test_compiled_matches_eager(case, dtype):
    calls = _calls(case, dtype)
    compiled = _program(case, calls)([arrays for _, arrays, _ in calls])
    assert len(compiled) == len(calls)
    for out, (label, arrays, variant) in zip(compiled, calls):
        eager = _eager(case, arrays, variant)
        assert isinstance(out, em.Tensor), label
        assert out.dtype is eager.dtype, f"compiled {label}: {out.dtype} != {eager.dtype}"
        assert_same(out.numpy(), eager.numpy(), exact=case.exact, what=f"compiled {label}")


# -- special values: NaN, infinities, signed zeros, tiny and huge ---------------------------------
SPECIALS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-30, -1e-30, 1e30, -1e30, 1.0, -1.0, 0.5, 2.5])
SPECIAL_ROWS = [case for case in CASES
                if case.shapes in (UNARY, BINARY) and set(FLOATS) <= set(case.dtypes)
                and case.variants == ({},) and case.operand_dtypes is None]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", SPECIAL_ROWS, ids=str)
def test_special_values(case, dtype):
    # every pair of special values for binary ops: a column against a row
    values = SPECIALS.astype(dtype)
    arrays = [values] if case.shapes is UNARY else [values[:, None], values]
    with np.errstate(all="ignore"):
        expected = case.reference(*arrays)
        eager = case.op(*[em.constant(a) for a in arrays]).numpy()
    # NOTE: not em.function(case.op): a traced function named like a libm function (`pow`,
    # `exp`) crashes the CPU backend; tests/test_backends.py checks that on its own.
    compiled = run_compiled(lambda *args: case.op(*args), *arrays).numpy()
    assert_same(eager, expected, exact=case.exact, what=f"eager {case.name}")
    assert_same(compiled, eager, exact=case.exact, what=f"compiled {case.name}")


# -- cases the table does not express -------------------------------------------------------------
DTYPES_WITH_F16 = ("float16",) + ALL


@pytest.mark.parametrize("source", DTYPES_WITH_F16)
def test_cast_between_every_pair_of_dtypes(source):
    x = np.array([-2.75, -1.0, -0.5, 0.0, 0.25, 1.0, 3.5], np.float64).astype(source)
    expected = [x.astype(target) for target in DTYPES_WITH_F16]
    eager = [em.cast(x, target).numpy() for target in DTYPES_WITH_F16]
    compiled = run_compiled(lambda t: [em.cast(t, d) for d in DTYPES_WITH_F16], x)
    for target, e, a, c in zip(DTYPES_WITH_F16, expected, eager, compiled):
        assert_same(a, e, exact=True, what=f"eager cast {source} -> {target}")
        assert_same(c.numpy(), e, exact=True, what=f"compiled cast {source} -> {target}")


def test_cast_accepts_dtype_spellings():
    x = em.constant([1.5, -2.5])
    for spelling in (em.int32, "int32", np.int32, np.dtype("int32")):
        assert em.cast(x, spelling).dtype is em.int32
    assert x.astype(em.float64).dtype is em.float64
    assert em.cast(x, em.float32) is x  # a cast to the same dtype is the tensor itself


@pytest.mark.parametrize("dtype", ("int32", "int64"))
def test_integer_floor_division_by_zero_gives_zero(dtype):
    x = np.array([7, -7, 0, 5, -5, 9], dtype)
    y = np.array([0, 0, 0, 2, 2, -4], dtype)
    expected = np.array([0, 0, 0, 2, -3, -3], dtype)  # NumPy's floor division, 0 where y == 0
    assert_same((em.constant(x) // y).numpy(), expected, exact=True, what="eager")
    assert_same(run_compiled(lambda a, b: a // b, x, y).numpy(), expected, exact=True, what="compiled")
    assert_same(em.floordiv(x, y).numpy(), expected, exact=True, what="em.floordiv")


def test_float_floor_division_matches_python():
    # NOTE: Python and NumPy compute x // y as (x - fmod(x, y)) / y rounded, which is 9.0
    # here; floor(x / y) would give 10.0 because 1.0 / 0.1 rounds up to exactly 10.0.
    x, y = np.array([1.0, -1.0, 7.0]), np.array([0.1, 0.1, 0.7])
    expected = np.floor_divide(x, y)
    assert list(expected) == [1.0 // 0.1, -1.0 // 0.1, 7.0 // 0.7]
    assert_same((em.constant(x) // y).numpy(), expected, exact=True, what="eager")
    assert_same(run_compiled(lambda a, b: a // b, x, y).numpy(), expected, exact=True, what="compiled")


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_maximum_minimum_and_max_reductions_propagate_nan(dtype):
    x = np.array([1.0, np.nan, -2.0, 0.5], dtype)
    y = np.array([np.nan, 3.0, -1.0, 0.25], dtype)

    def f(a, b):
        return (em.maximum(a, b), em.minimum(a, b), em.reduce_max(a), em.reduce_min(b))

    expected = (np.maximum(x, y), np.minimum(x, y), np.max(x), np.min(y))
    for got, eager, want in zip(run_compiled(f, x, y), f(em.constant(x), em.constant(y)), expected):
        assert_same(eager.numpy(), want, exact=True, what="eager")
        assert_same(got.numpy(), want, exact=True, what="compiled")


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "silu",
                                  "softplus", "leaky_relu"])
def test_nn_functions_accept_lists_and_arrays(name):
    fn = getattr(em.nn, name)
    expected = fn(em.constant([1.0, -2.0])).numpy()
    for value in ([1.0, -2.0], np.array([1.0, -2.0], np.float32)):
        out = fn(value)
        assert isinstance(out, em.Tensor)
        assert_same(out.numpy(), expected, exact=True, what=f"{name}({type(value).__name__})")


def test_python_scalars_take_the_tensor_dtype():
    for dtype in ("float64", "int64", "int32"):
        x = em.constant(np.ones(3, dtype))
        assert (x + 1).dtype.name == dtype
        assert (2 * x).dtype.name == dtype
    assert (em.constant(np.ones(3, np.float64)) * 0.5).dtype is em.float64


def test_ints_divided_by_python_ints_give_float32():
    out = em.constant(np.array([1, 2, 3], np.int64)) / 2
    assert_same(out.numpy(), np.array([0.5, 1.0, 1.5], np.float32), exact=True, what="eager")


def test_constants_inside_a_compiled_function():
    def f(x):
        return (x + em.constant([1.0, 2.0, 3.0]), em.zeros((2, 3)), em.ones((3,), "int64"),
                em.ones_like(x), em.zeros_like(x) + 7.0, em.constant(2.0, shape=(2, 2)))

    x = np.array([0.5, 1.5, 2.5], np.float32)
    for got, want in zip(run_compiled(f, x), f(em.constant(x))):
        assert_same(got.numpy(), want.numpy(), exact=True, what="constant")
    assert f(em.constant(x))[0].numpy().tolist() == [1.5, 3.5, 5.5]


def test_large_elementwise_and_reduction_inputs():
    # NOTE: the table's shapes are tiny; this checks loops past vector widths and tails.
    x = rng_for("large").uniform(-3, 3, (67, 129)).astype(np.float32)

    def f(a):
        return em.nn.gelu(a * 1.5 + 0.25), em.reduce_sum(em.exp(a), axis=0), em.nn.softmax(a)

    for got, want in zip(run_compiled(f, x), f(em.constant(x))):
        assert_same(got.numpy(), want.numpy(), exact=False, what="large")
