"""`em.Variable`: creation, eager assignment, and variables read and assigned inside
`@em.function` (inputs and outputs of the compiled function), up to a compiled SGD loop."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import rng_for


class Counting:
    """A Python function counting its traces (the body only runs while tracing)."""

    def __init__(self, body):
        self.body, self.traces = body, 0

    def __call__(self, *args, **kwargs):
        self.traces += 1
        return self.body(*args, **kwargs)


# -- creation -----------------------------------------------------------------------------------
def test_creation_values_and_dtypes():
    v = em.Variable([1.0, 2.0])
    assert v.shape == (2,) and v.dtype == em.float32 and v.trainable
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert em.Variable(3).dtype == em.int32
    assert em.Variable(np.zeros((2, 3))).dtype == em.float64
    assert em.Variable([1, 2], dtype="float64").dtype == em.float64
    t = em.Variable(em.constant([[1.0], [2.0]]))
    assert t.shape == (2, 1) and t.dtype == em.float32
    from_variable = em.Variable(v)
    np.testing.assert_array_equal(from_variable.numpy(), v.numpy())


def test_creation_copies_the_initial_value():
    source = np.array([1.0, 2.0])
    v = em.Variable(source)
    source[0] = 100.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError):
        v.numpy()[0] = 5.0  # the value is read-only: only assignments change a variable


def test_creation_from_a_callable_name_and_trainable():
    v = em.Variable(lambda: np.ones((2, 2), np.float32), trainable=False, name="moving_mean")
    assert v.name == "moving_mean" and not v.trainable
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 2)))
    a, b = em.Variable(0.0), em.Variable(0.0)
    assert a.name != b.name and a.name.startswith("Variable")
    assert "moving_mean" in repr(v) and "shape=(2, 2)" in repr(v)


def test_creation_inside_a_trace_is_refused():
    @em.function
    def make(x):
        return em.Variable(x * 2.0)

    with pytest.raises(em.ShapeError, match="initial value must be concrete"):
        make(np.ones(2, np.float32))


# -- eager assignment ---------------------------------------------------------------------------
def test_assign_assign_add_assign_sub():
    v = em.Variable([1.0, 2.0])
    assert v.assign([5.0, 6.0]) is v
    np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
    v.assign_add(em.constant([1.0, 1.0]))
    np.testing.assert_array_equal(v.numpy(), [6.0, 7.0])
    v.assign_sub(np.array([0.5, 0.5], np.float32))
    np.testing.assert_array_equal(v.numpy(), [5.5, 6.5])
    v.assign_add(1.0)  # a Python scalar broadcasts
    np.testing.assert_array_equal(v.numpy(), [6.5, 7.5])
    assert v.dtype == em.float32


def test_assign_shape_mismatch_names_both_shapes():
    v = em.Variable(np.zeros((2, 3), np.float32), name="kernel")
    with pytest.raises(em.ShapeError, match=r"Variable 'kernel': cannot assign a value of shape \(3, 2\) "
                                            r"and dtype float32 to a variable of shape \(2, 3\)"):
        v.assign(np.zeros((3, 2), np.float32))
    with pytest.raises(em.ShapeError, match=r"value of shape \(2, 2, 3\) .* variable of shape \(2, 3\)"):
        v.assign_add(np.zeros((2, 2, 3), np.float32))  # broadcasts, but not to the variable's shape
    with pytest.raises(em.ShapeError, match=r"shapes \(2, 3\) and \(2, 4\) cannot be broadcast"):
        v.assign_sub(np.zeros((2, 4), np.float32))
    np.testing.assert_array_equal(v.numpy(), np.zeros((2, 3)))  # unchanged by the failures


def test_assign_dtype_mismatch():
    v = em.Variable(np.zeros(2, np.float32), name="w")
    with pytest.raises(em.ShapeError, match=r"dtype float64 to a variable of shape \(2,\) and dtype float32"):
        v.assign(em.constant(np.zeros(2)))
    count = em.Variable(0, name="count")
    with pytest.raises(em.DTypeError, match="Variable 'count': cannot convert the float value 1.5 to int32"):
        count.assign(1.5)


def test_earlier_reads_keep_their_value():
    v = em.Variable([1.0, 2.0])
    read, array, doubled = v.value(), v.numpy(), v * 2.0
    v.assign([10.0, 20.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(read.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(array, [1.0, 2.0])
    np.testing.assert_array_equal(doubled.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [11.0, 21.0])


def test_variables_in_eager_ops():
    v = em.Variable(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal((v @ np.ones((2, 1))).numpy(), [[3.0]])
    np.testing.assert_array_equal((1.0 - v).numpy(), [[0.0, -1.0]])
    assert float(em.Variable(2.5)) == 2.5


# -- inside @em.function ------------------------------------------------------------------------
def test_closure_variable_is_read_at_each_call_without_retracing():
    v = em.Variable(np.array([1.0, 2.0], np.float32))
    body = Counting(lambda x: x * v)
    f = em.function(body)
    x = np.array([3.0, 4.0], np.float32)
    np.testing.assert_array_equal(f(x).numpy(), [3.0, 8.0])
    v.assign([-1.0, 0.5])
    np.testing.assert_array_equal(f(x).numpy(), [-3.0, 2.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(f(x).numpy(), [0.0, 6.0])
    assert body.traces == 1


def test_assignment_in_a_compiled_function_updates_the_variable():
    counter = em.Variable(0, dtype="int64", name="counter")
    total = em.Variable(np.zeros(3, np.float32))
    body = Counting(lambda x: (counter.assign_add(1), total.assign_add(x))[1].value() * 2.0)
    f = em.function(body)
    before = total.value()
    for i in range(1, 4):
        out = f(np.full(3, float(i), np.float32))
        np.testing.assert_array_equal(out.numpy(), np.full(3, 2.0 * sum(range(1, i + 1))))
    assert int(counter) == 3 and counter.dtype == em.int64
    np.testing.assert_array_equal(total.numpy(), np.full(3, 6.0))
    np.testing.assert_array_equal(before.numpy(), np.zeros(3))  # an earlier read is not overwritten
    assert body.traces == 1


def test_reads_after_an_assignment_in_the_same_trace_see_the_new_value():
    v = em.Variable(np.array([1.0, 2.0]))

    @em.function
    def f(x):
        old = v.value()
        v.assign(v * x)
        middle = v * 1.0
        v.assign_add(old)
        return old, middle, v.value(), v.read_value() + 0.0

    old, middle, new, again = f(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(old.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(middle.numpy(), [3.0, 8.0])
    np.testing.assert_array_equal(new.numpy(), [4.0, 10.0])
    np.testing.assert_array_equal(again.numpy(), [4.0, 10.0])
    np.testing.assert_array_equal(v.numpy(), [4.0, 10.0])


def test_assignment_shape_mismatch_inside_a_trace():
    v = em.Variable(np.zeros(2, np.float32), name="bias")

    @em.function
    def f(x):
        v.assign(x)

    with pytest.raises(em.ShapeError, match=r"Variable 'bias': cannot assign a value of shape \(3,\) "
                                            r"and dtype float32 to a variable of shape \(2,\)"):
        f(np.zeros(3, np.float32))


def test_variable_passed_as_an_argument():
    body = Counting(lambda var, x: (var.assign(var * x), em.reduce_sum(var.value()))[1])
    f = em.function(body)
    a, b = em.Variable(np.ones(3)), em.Variable(np.full(3, 2.0))
    x = np.full(3, 2.0)
    assert float(f(a, x)) == 6.0 and float(f(a, x)) == 12.0
    assert float(f(b, x)) == 12.0
    np.testing.assert_array_equal(a.numpy(), np.full(3, 4.0))
    np.testing.assert_array_equal(b.numpy(), np.full(3, 4.0))
    assert body.traces == 2  # variables are part of the trace key, by identity


def test_several_variables_and_returning_a_variable():
    w = em.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), name="w")
    b = em.Variable(np.array([0.5, -0.5], np.float32), name="b")
    steps = em.Variable(0, name="steps")

    @em.function
    def f(x):
        y = x @ w + b
        w.assign(w * 0.5)
        b.assign_sub([0.5, 0.5])
        steps.assign_add(1)
        return y, w

    x = np.array([[1.0, 1.0]], np.float32)
    y, w_out = f(x)
    np.testing.assert_array_equal(y.numpy(), [[4.5, 5.5]])
    np.testing.assert_array_equal(w_out.numpy(), [[0.5, 1.0], [1.5, 2.0]])
    y, _ = f(x)
    np.testing.assert_array_equal(y.numpy(), [[2.0, 2.0]])
    np.testing.assert_array_equal(w.numpy(), [[0.25, 0.5], [0.75, 1.0]])
    np.testing.assert_array_equal(b.numpy(), [-0.5, -1.5])
    assert int(steps) == 2


def test_gradient_of_a_variable_inside_a_compiled_function():
    w = em.Variable(np.array([1.0, -2.0]))

    @em.function
    def f(x):
        with em.GradientTape() as tape:
            y = em.reduce_sum(w * w * x + w.value())
        return tape.gradient(y, w)

    np.testing.assert_array_equal(f(np.array([3.0, 1.0])).numpy(), [7.0, -3.0])


# -- a training loop ----------------------------------------------------------------------------
def linear_regression():
    rng = rng_for("linear regression")
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0], [0.5]]) + 0.3).astype(np.float32)
    return x, y, em.Variable(np.zeros((3, 1), np.float32)), em.Variable(np.zeros(1, np.float32))


def sgd_step(x, y, w, b, lr=0.1):
    with em.GradientTape() as tape:
        loss = em.reduce_mean(em.square(x @ w + b - y))
    gw, gb = tape.gradient(loss, [w, b])
    w.assign_sub(lr * gw)
    b.assign_sub(lr * gb)
    return loss


def test_compiled_sgd_loop_matches_the_eager_loop():
    x, y, w_eager, b_eager = linear_regression()
    eager_losses = [float(sgd_step(em.constant(x), em.constant(y), w_eager, b_eager)) for _ in range(20)]

    _, _, w, b = linear_regression()
    body = Counting(lambda x, y: sgd_step(x, y, w, b))
    step = em.function(body)
    losses = [float(step(x, y)) for _ in range(20)]

    assert body.traces == 1
    np.testing.assert_allclose(losses, eager_losses, rtol=1e-5)
    np.testing.assert_allclose(w.numpy(), w_eager.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.numpy(), b_eager.numpy(), rtol=1e-5, atol=1e-6)
    assert losses[-1] < 0.05 * losses[0]
    np.testing.assert_allclose(w.numpy().ravel(), [2.0, -1.0, 0.5], atol=0.2)


def test_concrete_reads_of_a_variable_inside_a_trace_are_refused():
    # NOTE: float(v) while tracing would freeze today's value into the compiled code.
    v = em.Variable(1.0, name="lr")

    for read in (float, int, bool, lambda v: v.numpy(), np.asarray):
        f = em.function(lambda x, read=read: x * read(v))
        with pytest.raises(em.TracingError, match="Variable 'lr'.*would freeze"):
            f(np.float32(2.0))
    g = em.function(lambda x: x * v)
    assert float(g(np.float32(2.0))) == 2.0
    v.assign(5.0)
    assert float(g(np.float32(2.0))) == 10.0
