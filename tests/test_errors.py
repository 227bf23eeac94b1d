"""Errors are the user's: the right class, both operands named, and the user's file:line."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import ember as em
from ember.frontend.dispatch import current_trace


def here() -> str:
    """`FILE:LINE` of the caller's line, as ember's messages spell the user's line."""
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def f32(*shape):
    return np.ones(shape, np.float32)


# -- shape errors ------------------------------------------------------------------------------
def test_eager_shape_mismatch_names_both_shapes_and_the_users_line():
    x, y = em.constant(f32(3)), em.constant(f32(4))
    with pytest.raises(em.ShapeError) as err:
        site = here(); x + y  # noqa: E702
    message = str(err.value)
    assert "(3,)" in message and "(4,)" in message and "add" in message
    assert site in message
    assert __file__ in message


def test_traced_shape_mismatch_names_both_shapes_and_the_line_inside_the_function():
    sites = []

    @em.function
    def f(a, b):
        sites.append(here()); return a * b  # noqa: E702

    with pytest.raises(em.ShapeError) as err:
        f(f32(2, 3), f32(3, 2))
    message = str(err.value)
    assert "(2, 3)" in message and "(3, 2)" in message and "mul" in message
    assert sites[0] in message


def test_traced_shape_error_points_at_a_nested_em_function_line():
    sites = []

    @em.function
    def inner(a):
        sites.append(here()); return em.reshape(a, (4, 4))  # noqa: E702

    @em.function
    def outer(a):
        return inner(a) + 1.0

    with pytest.raises(em.ShapeError) as err:
        outer(f32(3, 5))
    assert sites[0] in str(err.value) and "(3, 5)" in str(err.value) and "(4, 4)" in str(err.value)


def test_a_failed_trace_leaves_eager_mode_working_and_is_not_cached():
    calls = []

    @em.function
    def f(a):
        calls.append(1)
        return a + em.ones((7,))

    for _ in range(2):
        with pytest.raises(em.ShapeError):
            f(f32(3))
    assert len(calls) == 2
    assert current_trace() is None
    assert (em.constant(f32(3)) + 1.0).numpy().tolist() == [2.0, 2.0, 2.0]


def test_python_errors_inside_a_trace_propagate_and_close_the_trace():
    @em.function
    def f(a):
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        f(f32(2))
    assert current_trace() is None


@pytest.mark.parametrize("call, words", [
    (lambda: em.matmul(f32(2, 3), f32(4, 5)), ["matmul", "(2, 3)", "(4, 5)", "3 != 4"]),
    (lambda: em.matmul(f32(2, 2, 3), f32(3, 3, 4)), ["matmul", "(2, 2, 3)", "(3, 3, 4)", "batch"]),
    (lambda: em.matmul(np.float32(1), f32(3)), ["matmul", "()", "(3,)"]),
    (lambda: em.reduce_sum(f32(3), axis=1), ["reduce_sum", "axis 1", "rank 1"]),
    (lambda: em.reduce_max(f32(3, 4), axis=-3), ["reduce_max", "axis -3", "rank 2"]),
    (lambda: em.reduce_mean(f32(3, 4), axis=(0, 0)), ["reduce_mean", "repeats"]),
    (lambda: em.reshape(f32(3), (2, 2)), ["reshape", "(3,)", "(2, 2)"]),
    (lambda: em.reshape(f32(3), (2, -1)), ["reshape", "(3,)", "(2, -1)"]),
    (lambda: em.reshape(f32(4), (-1, -1)), ["reshape", "-1"]),
    (lambda: em.transpose(f32(3, 4), (0, 0)), ["transpose", "perm", "[0, 0]"]),
    (lambda: em.transpose(f32(3, 4), (0, 3)), ["transpose", "perm", "[0, 3]", "rank 2"]),
    (lambda: em.transpose(f32(3, 4), (0,)), ["transpose", "perm", "[0]"]),
    (lambda: em.broadcast_to(f32(3), (2, 4)), ["broadcast_to", "(3,)", "(2, 4)"]),
    (lambda: em.concat([f32(2, 3), f32(3, 2)]), ["concat", "(2, 3)", "(3, 2)"]),
    (lambda: em.concat([f32(2, 3), f32(3)]), ["concat", "(2, 3)", "(3,)"]),
    (lambda: em.concat([]), ["concat", "at least one"]),
    (lambda: em.where(np.ones((2,), bool), f32(3), f32(3)), ["select", "(2,)", "(3,)"]),
    (lambda: em.squeeze(f32(2, 1), axis=0), ["squeeze", "(2, 1)"]),
    (lambda: em.squeeze(f32(2, 1), axis=5), ["squeeze", "axis 5", "rank 2"]),
    (lambda: em.expand_dims(f32(3), 3), ["expand_dims", "axis 3"]),
    (lambda: em.slice(f32(3), (1,), (5,)), ["slice", "(3,)"]),
    (lambda: em.slice(f32(3, 3), (1,), (1,)), ["slice", "2 entries"]),
    (lambda: em.constant([1.0, 2.0], shape=(3,)), ["constant", "(3,)", "(2,)"]),
    (lambda: em.constant(f32(3))[5], ["index 5", "size 3"]),
    (lambda: em.constant(f32(3))[::-1], ["step", "-1"]),
    (lambda: em.constant(f32(3))[0, 0], ["too many indices", "(3,)"]),
    (lambda: em.constant(f32(3, 3))[..., 0, ...], ["ellipsis"]),
], ids=lambda v: v[0] if isinstance(v, list) else None)
def test_shape_errors(call, words):
    with pytest.raises(em.ShapeError) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert f"(at {__file__}:" in message


# -- dtype errors ------------------------------------------------------------------------------
def test_float32_plus_float64_names_both_dtypes():
    with pytest.raises(em.DTypeError) as err:
        site = here(); em.constant(f32(3)) + em.constant(np.ones(3))  # noqa: E702
    message = str(err.value)
    assert "float32" in message and "float64" in message and "em.cast" in message
    assert site in message


def test_traced_dtype_mismatch_names_both_dtypes_and_the_line():
    sites = []

    @em.function
    def f(a, b):
        sites.append(here()); return em.maximum(a, b)  # noqa: E702

    with pytest.raises(em.DTypeError) as err:
        f(np.ones(3, np.int32), np.ones(3, np.int64))
    assert "int32" in str(err.value) and "int64" in str(err.value) and sites[0] in str(err.value)


@pytest.mark.parametrize("op", [em.exp, em.log, em.sqrt, em.tanh, em.erf, em.sigmoid, em.floor,
                                em.reduce_mean, em.nn.gelu], ids=lambda op: op.__name__)
def test_float_op_on_an_int_tensor(op):
    with pytest.raises(em.DTypeError) as err:
        site = here(); op(np.arange(3, dtype=np.int32))  # noqa: E702
    assert "floating-point" in str(err.value) and "int32" in str(err.value) and site in str(err.value)


@pytest.mark.parametrize("call, words", [
    (lambda: em.add(np.array([True]), np.array([False])), ["add", "numeric", "bool"]),
    (lambda: em.reduce_sum(np.array([True])), ["reduce_sum", "bool"]),
    (lambda: em.logical_and(f32(3), f32(3)), ["logical_and", "bool", "float32"]),
    (lambda: em.logical_not(np.arange(3)), ["logical_not", "bool", "int64"]),
    (lambda: em.where(f32(3), f32(3), f32(3)), ["condition", "bool", "float32"]),
    (lambda: em.where(np.ones(3, bool), f32(3), np.ones(3)), ["float32", "float64"]),
    (lambda: em.matmul(f32(2, 2), np.ones((2, 2))), ["matmul", "float32", "float64"]),
    (lambda: em.pow(np.arange(3), np.arange(3)), ["pow", "floating-point", "int64"]),
    (lambda: em.constant(np.arange(3, dtype=np.int32)) * 1.5, ["1.5", "int32"]),
    (lambda: em.constant(np.arange(3, dtype=np.int32)) + 2 ** 40, ["1099511627776", "int32"]),
    (lambda: em.constant(2 ** 40, dtype="int32"), ["1099511627776", "int32"]),
    (lambda: em.equal(f32(3), np.arange(3, dtype=np.int32)), ["float32", "int32"]),
])
def test_dtype_errors_name_the_dtypes(call, words):
    with pytest.raises(em.DTypeError) as err:
        call()
    for word in words:
        assert word in str(err.value), f"{word!r} not in {str(err.value)!r}"


@pytest.mark.parametrize("call, words", [
    (lambda: em.cast(f32(3), "complex64"), ["complex64", "float32", "int64", "bool"]),
    (lambda: em.zeros((2,), "float8"), ["float8"]),
    (lambda: em.constant("abc"), ["'abc'", "str"]),
    (lambda: em.constant(np.ones(3, np.complex64)), ["complex64"]),
])
def test_unsupported_dtypes_and_values(call, words):
    with pytest.raises(em.DTypeError) as err:
        call()
    for word in words:
        assert word in str(err.value)


def test_error_classes_are_also_builtin_exceptions():
    assert issubclass(em.ShapeError, ValueError) and issubclass(em.DTypeError, TypeError)
    assert issubclass(em.TracingError, TypeError) and issubclass(em.CompileError, RuntimeError)
    for cls in (em.ShapeError, em.DTypeError, em.TracingError, em.CompileError, em.VerificationError):
        assert issubclass(cls, em.EmberError)


def test_indexing_with_a_float_is_a_type_error():
    with pytest.raises(TypeError, match="float"):
        em.constant(f32(3))[1.5]


# -- tracing errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("use, what", [
    (lambda t: t.numpy(), ".numpy()"),
    (lambda t: 1 if t > 0 else 0, "bool()"),
    (lambda t: float(t), "float()"),
    (lambda t: int(t), "int()"),
    (lambda t: np.asarray(t), "NumPy array"),
    (lambda t: [0, 1][t], "index"),
])
def test_concrete_values_of_traced_tensors_are_refused_naming_the_function(use, what):
    def needs_a_value(a):
        use(a)
        return a

    with pytest.raises(em.TracingError) as err:
        em.function(needs_a_value)(np.ones((), np.int32))
    message = str(err.value)
    assert what in message and "needs_a_value'" in message and "symbolic" in message  # qualname
    assert f"(at {__file__}:" in message


def test_if_on_a_traced_tensor_points_at_the_if_line():
    sites = []

    def branchy(a):
        sites.append(here()); return a if a > 0 else -a  # noqa: E702

    with pytest.raises(em.TracingError) as err:
        em.function(branchy)(np.float32(1))
    assert sites[0] in str(err.value) and "em.where" in str(err.value)


def test_a_traced_tensor_leaked_out_of_its_trace():
    leaked = []

    @em.function
    def leaky(a):
        leaked.append(a * 2)
        return a

    leaky(f32(2))
    with pytest.raises(em.TracingError, match="leaky'"):
        em.exp(leaked[0])
    with pytest.raises(em.TracingError, match="leaky' was used while tracing"):
        em.function(lambda a: a + leaked[0])(f32(2))
    with pytest.raises(em.TracingError, match="symbolic tensor of another trace"):
        em.function(lambda a: a)(leaked[0])


class _Unhashable:
    __hash__ = None


def test_unhashable_static_argument():
    @em.function
    def scale(a, factor):
        return a

    with pytest.raises(em.TracingError) as err:
        scale(f32(2), _Unhashable())
    message = str(err.value)
    assert "scale" in message and "argument 1" in message and "_Unhashable" in message
    assert "hashable" in message
    with pytest.raises(em.TracingError, match="set"):
        scale(f32(2), {1, 2})


def test_input_signature_mismatch_names_expected_and_received():
    @em.function(input_signature=[em.TensorSpec((3,), "float32")])
    def f(a):
        return a * 2.0

    with pytest.raises(em.TracingError) as err:
        f(np.ones(4, np.float32))
    message = str(err.value)
    assert "f" in message and "expected shape (3,) and dtype float32" in message
    assert "received shape (4,) and dtype float32" in message
    with pytest.raises(em.TracingError, match=r"expected shape \(3,\) and dtype float32, received "
                                              r"shape \(3,\) and dtype float64"):
        f(np.ones(3, np.float64))
    with pytest.raises(em.TracingError, match="input_signature has 1 arguments, received 2"):
        f(np.ones(3, np.float32), np.ones(3, np.float32))


def test_tensor_spec_needs_static_shapes():
    with pytest.raises(em.TracingError, match=r"\(None, 3\)"):
        em.TensorSpec((None, 3))
    with pytest.raises(em.DTypeError):
        em.TensorSpec((3,), "complex64")


def test_len_of_a_0d_tensor_and_hash_of_a_tensor():
    with pytest.raises(TypeError, match="0-d"):
        len(em.constant(1.0))
    with pytest.raises(TypeError, match="unhashable"):
        hash(em.constant([1.0]))
