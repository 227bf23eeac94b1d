"""Reverse-mode autodiff: every primitive's vjp rule against finite differences (eager and
compiled), `em.GradientTape` semantics (as tf.GradientTape), `em.grad`/`em.value_and_grad`
(as jax.grad) and gradients inside `@em.function`."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
from conftest import random_input, rng_for
from ember.dialects.ops import elementwise as ew
from ember.dialects.ops import reduction as red
from ember.dialects.ops import structured as st
from ember.dialects.primitive import REGISTRY, Primitive
from gradcheck import check_vjp


# -- the finite-difference table ------------------------------------------------------------
def f64(*specs):
    """Inputs maker: one float64 array per (shape, domain) of conftest.random_input."""
    return lambda rng: [random_input(rng, shape, "float64", domain) for shape, domain in specs]


def apart(shape_x, shape_y, far_from):
    """Inputs maker: float64 x, y (y nonzero) whose broadcast pairs keep far_from(x, y) > 0.05,
    so that no finite-difference step crosses a kink or a jump."""
    def make(rng):
        while True:
            x = random_input(rng, shape_x, "float64", "any")
            y = random_input(rng, shape_y, "float64", "nonzero")
            if np.min(far_from(x, y)) > 0.05:
                return [x, y]
    return make


def _frac_distance(x, y):
    q = x / y
    return np.abs(q - np.round(q))


def _pad_interior(x):
    return st.pad.bind(x, low=(1, 0), high=(0, 2), interior=(1, 2))


A = (2, 3)
UNARY = {  # primitive: (op, domain)
    "neg": (em.negative, "any"), "abs": (em.abs, "nonzero"), "sign": (em.sign, "nonzero"),
    "exp": (em.exp, "any"), "expm1": (em.expm1, "small"), "log": (em.log, "positive"),
    "log1p": (em.log1p, "positive"), "sqrt": (em.sqrt, "positive"),
    "rsqrt": (em.rsqrt, "positive"), "tanh": (em.tanh, "any"), "erf": (em.erf, "any"),
    "sin": (em.sin, "any"), "cos": (em.cos, "any"), "floor": (em.floor, "any"),
    "ceil": (em.ceil, "any"), "sigmoid": (em.sigmoid, "any"), "relu": (em.nn.relu, "nonzero"),
    "gelu": (em.nn.gelu, "any"),
}
REDUCTIONS = {"reduce_sum": em.reduce_sum, "reduce_mean": em.reduce_mean,
              "reduce_max": em.reduce_max, "reduce_min": em.reduce_min}
REDUCE_AXES = (dict(axis=None), dict(axis=None, keepdims=True), dict(axis=1),
               dict(axis=(0, 2), keepdims=True), dict(axis=-1), dict(axis=(0, 1)))

GRAD_CASES = {  # name: (fn, inputs maker, check_vjp options)
    **{f"{name}{list(shape)}": (op, f64((shape, dom)), {})
       for name, (op, dom) in UNARY.items() for shape in (A,)},
    "exp[]": (em.exp, f64(((), "any")), {}),
    "add (3,1)+(4,)": (em.add, f64(((3, 1), "any"), ((4,), "any")), {}),
    "add ()+(2,3)": (em.add, f64(((), "any"), (A, "any")), {}),
    "sub (2,1,3)-(1,4,1)": (em.subtract, f64(((2, 1, 3), "any"), ((1, 4, 1), "any")), {}),
    "sub (3,1)-(4,)": (lambda x, y: x - y, f64(((3, 1), "any"), ((4,), "any")), {}),
    "mul (3,1)*(4,)": (em.multiply, f64(((3, 1), "any"), ((4,), "any")), {}),
    "mul (2,3)*()": (lambda x, y: x * y, f64((A, "any"), ((), "any")), {}),
    "div (3,1)/(4,)": (em.divide, f64(((3, 1), "any"), ((4,), "nonzero")), {}),
    "div ()/(2,3)": (lambda x, y: x / y, f64(((), "any"), (A, "nonzero")), {}),
    "pow (3,1)**(4,)": (em.pow, f64(((3, 1), "positive"), ((4,), "any")), {}),
    "pow x**2.5": (lambda x: x ** 2.5, f64((A, "positive")), {}),
    "pow 2**x": (lambda x: 2.0 ** x, f64((A, "any")), {}),
    "maximum (3,1),(4,)": (em.maximum, apart((3, 1), (4,), lambda x, y: np.abs(x - y)), {}),
    "maximum (2,3),(2,3)": (em.maximum, apart(A, A, lambda x, y: np.abs(x - y)), {}),
    "minimum (3,1),(4,)": (em.minimum, apart((3, 1), (4,), lambda x, y: np.abs(x - y)), {}),
    "minimum (),(2,3)": (em.minimum, apart((), A, lambda x, y: np.abs(x - y)), {}),
    "rem (3,1),(4,)": (em.fmod, apart((3, 1), (4,), _frac_distance), {}),
    "rem (2,3),()": (em.fmod, apart(A, (), _frac_distance), {}),
    "select (3,1),(4,),()": (
        em.where, lambda rng: [rng.random((3, 1)) < 0.5] + f64(((4,), "any"), ((), "any"))(rng), {}),
    "select (2,3)": (em.where, lambda rng: [rng.random(A) < 0.5] + f64((A, "any"), (A, "any"))(rng), {}),
    # NOTE: float32 values round at ~6e-8: larger steps, and float32 accuracy.
    "cast f64->f32": (lambda x: em.cast(x, "float32"), f64((A, "any")), dict(eps=1e-2, rtol=1e-4)),
    "cast f32->f64": (lambda x: em.cast(x, "float64") * em.cast(x, "float64"),
                      lambda rng: [random_input(rng, A, "float32", "any")], dict(eps=1e-2, rtol=1e-5)),
    **{f"{name} {kw}": (lambda x, op=op, kw=kw: op(x, **kw), f64(((2, 3, 4), "any")), {})
       for name, op in REDUCTIONS.items() for kw in REDUCE_AXES},
    "reduce_sum[]": (em.reduce_sum, f64(((), "any")), {}),
    "reduce_max (1,4,1) axis=0": (lambda x: em.reduce_max(x, axis=0), f64(((1, 4, 1), "any")), {}),
    "matmul 2-D": (em.matmul, f64(((3, 4), "any"), ((4, 5), "any")), {}),
    "matmul batched (2,1,3,4)@(5,4,2)": (em.matmul, f64(((2, 1, 3, 4), "any"), ((5, 4, 2), "any")), {}),
    "matmul batched (2,3,4)@(1,4,2)": (lambda x, y: x @ y, f64(((2, 3, 4), "any"), ((1, 4, 2), "any")), {}),
    "matmul vector (4,)@(2,4,3)": (em.matmul, f64(((4,), "any"), ((2, 4, 3), "any")), {}),
    "reshape": (lambda x: em.reshape(x, (2, -1, 2)) * em.reshape(x, (2, -1, 2)), f64(((3, 4), "any")), {}),
    "transpose": (lambda x: em.transpose(x, (2, 0, 1)), f64(((2, 3, 4), "any")), {}),
    "transpose 2-D": (lambda x: x.T @ x, f64(((3, 2), "any")), {}),
    "broadcast_to": (lambda x: em.broadcast_to(x, (2, 3, 4)), f64(((3, 1), "any")), {}),
    "broadcast_to scalar": (lambda x: em.broadcast_to(x, (2, 3)), f64(((), "any")), {}),
    "concat axis=0": (lambda *xs: em.concat(list(xs), axis=0),
                      f64(((2, 3), "any"), ((1, 3), "any"), ((4, 3), "any")), {}),
    "concat axis=-1": (lambda x, y: em.concat([x, y], axis=-1), f64(((2, 1, 3), "any"), ((2, 1, 2), "any")), {}),
    "slice": (lambda x: em.slice(x, (1, 2), (2, -1)), f64(((4, 5), "any")), {}),
    "slice strided": (lambda x: x[1::2, ::3], f64(((5, 7), "any")), {}),
    "slice strided 3-D": (lambda x: x[::2, 1, 1:4:2], f64(((3, 2, 5), "any")), {}),
    "pad": (lambda x: em.pad(x, ((1, 2), (0, 3))), f64(((4, 5), "any")), {}),
    "pad constant_values": (lambda x: em.pad(x, ((2, 0),), 1.5) ** 2, f64(((5,), "any")), {}),
    "pad interior": (_pad_interior, f64(((3, 4), "any")), {}),
    "nn.softmax": (em.nn.softmax, f64(((3, 4), "any")), {}),
    "nn.softmax axis=0": (lambda x: em.nn.softmax(x, axis=0), f64(((2, 3, 4), "any")), {}),
    "nn.log_softmax": (em.nn.log_softmax, f64(((3, 4), "any")), {}),
    "nn.log_softmax axis=0": (lambda x: em.nn.log_softmax(x, axis=0), f64(((2, 3), "any")), {}),
    "nn.gelu exact": (em.nn.gelu, f64((A, "any")), {}),
    "nn.gelu tanh": (lambda x: em.nn.gelu(x, approximate=True), f64((A, "any")), {}),
    "nn.silu": (em.nn.silu, f64((A, "any")), {}),
    "nn.softplus": (em.nn.softplus, f64((A, "nonzero")), {}),
    "nn.leaky_relu": (em.nn.leaky_relu, f64((A, "nonzero")), {}),
    "mlp": (lambda x, w, b: em.reduce_mean(em.nn.softmax(em.tanh(x @ w + b)), axis=0),
            f64(((4, 3), "any"), ((3, 5), "small"), ((5,), "small")), {}),
}

# NOTE: compare and the logical ops have no float results: they are checked to give None
# (test_non_float_primitives_give_none), not by finite differences.
NO_FLOAT_RESULT = {"compare", "logical_not", "logical_and", "logical_or"}
CORE_PRIMITIVES = {v.name for m in (ew, red, st) for v in vars(m).values() if isinstance(v, Primitive)}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradient_matches_finite_differences(name):
    fn, make_inputs, options = GRAD_CASES[name]
    check_vjp(fn, *make_inputs(rng_for("grad", name)), seed=name, **options)


def first_gradient(fn):
    """x -> d sum(fn(*x) * 0.7) / dx[0] (+ the sums of the other gradients): a function built
    from vjp rules, whose own gradient (through nested tapes) checks the rules' derivatives."""
    def gradient(*xs):
        with em.GradientTape() as tape:
            tape.watch(list(xs))
            y = em.reduce_sum(fn(*xs) * 0.7)
        first, *others = tape.gradient(y, list(xs))
        for g in others:
            first = first + em.reduce_sum(g)
        return first
    return gradient


SECOND_ORDER = {
    **{name: (op, f64((A, dom))) for name, (op, dom) in UNARY.items()
       if name in ("exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "tanh", "erf", "sin", "cos",
                   "sigmoid", "gelu")},
    "pow": (em.pow, f64((A, "positive"), (A, "any"))),
    "div": (em.divide, f64((A, "any"), ((3,), "nonzero"))),
    "mul": (em.multiply, f64(((3, 1), "any"), ((4,), "any"))),
    "abs": (lambda x: em.abs(x) ** 3.0, f64((A, "nonzero"))),
    "select": (lambda x: em.where(x > 0, x * x * x, em.sin(x)), f64((A, "nonzero"))),
    "matmul": (lambda x, y: em.tanh(x @ y), f64((A, "any"), ((3, 2), "any"))),
    "reduce_max": (lambda x: em.reduce_max(x * x, axis=1), f64((A, "any"))),
    "reduce_mean": (lambda x: em.reduce_mean(x * x, axis=0) ** 2.0, f64((A, "any"))),
    "pad, slice": (lambda x: em.pad(x[::2], ((1, 1), (0, 1))) ** 3.0, f64(((3, 3), "any"))),
    "nn.softmax": (em.nn.softmax, f64((A, "any"))),
    "nn.log_softmax": (em.nn.log_softmax, f64((A, "any"))),
    "nn.gelu tanh": (lambda x: em.nn.gelu(x, approximate=True), f64((A, "any"))),
    "nn.softplus": (em.nn.softplus, f64((A, "nonzero"))),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_derivatives_match_finite_differences(name):
    fn, make_inputs = SECOND_ORDER[name]
    check_vjp(first_gradient(fn), *make_inputs(rng_for("second order", name)), seed=name)


def test_every_core_primitive_is_checked_by_finite_differences():
    seen = set()
    for name, (fn, make_inputs, _) in GRAD_CASES.items():
        text = em.function(fn).get_concrete_function(*make_inputs(rng_for("grad", name))).module_text
        seen |= set(re.findall(r'"ember\.(\w+)"', text))
    assert CORE_PRIMITIVES - NO_FLOAT_RESULT <= seen, sorted(CORE_PRIMITIVES - NO_FLOAT_RESULT - seen)


def test_every_primitive_has_a_vjp_rule():
    missing = sorted(name for name, prim in REGISTRY.items() if not callable(prim.vjp_rule))
    assert not missing, f"primitives without a vjp rule: {missing}"


INT_CALLS = (  # (primitive, operand shapes, attrs): integer operands
    (ew.neg, [(3,)], {}), (ew.abs_, [(3,)], {}), (ew.sign, [(3,)], {}), (ew.relu, [(3,)], {}),
    (ew.add, [(3,), (3,)], {}), (ew.sub, [(3,), ()], {}), (ew.mul, [(3,), (3,)], {}),
    (ew.div, [(3,), (3,)], {}), (ew.rem, [(3,), (3,)], {}), (ew.maximum, [(3,), (3,)], {}),
    (ew.minimum, [(3,), (3,)], {}), (ew.compare, [(3,), (3,)], {"predicate": "lt"}),
    (red.reduce_sum, [(2, 3)], {"axes": (1,), "keepdims": False}),
    (red.reduce_max, [(2, 3)], {"axes": (0,), "keepdims": True}),
    (red.reduce_min, [(2, 3)], {"axes": (0, 1), "keepdims": False}),
    (st.matmul, [(2, 3), (3, 2)], {}), (st.reshape, [(2, 3)], {"shape": (3, 2)}),
    (st.transpose, [(2, 3)], {"perm": (1, 0)}), (st.broadcast_to, [(3,)], {"shape": (2, 3)}),
    (st.concat, [(2, 3), (1, 3)], {"axis": 0}),
    (st.slice_, [(4,)], {"start": (1,), "limit": (4,), "stride": (2,)}),
    (st.pad, [(3,)], {"low": (1,), "high": (0,), "interior": (1,)}),
    (ew.cast, [(3,)], {"dtype": em.int64}),
)


@pytest.mark.parametrize("prim, shapes, attrs", INT_CALLS, ids=lambda v: getattr(v, "name", None))
def test_vjp_rules_give_none_for_integer_operands(prim, shapes, attrs):
    operands = [em.constant(np.arange(int(np.prod(s)), dtype=np.int32).reshape(s) + 1) for s in shapes]
    out = prim.bind(*operands, **attrs)
    grads = prim.vjp_rule(out, out, *operands, **attrs)
    assert len(grads) == len(operands) and all(g is None for g in grads), grads


def test_non_float_primitives_give_none():
    a, b = em.constant([True, False]), em.constant([True, True])
    x = em.constant([1.0, 2.0])
    assert ew.logical_not.vjp_rule(a, a, a) == (None,)
    assert ew.logical_and.vjp_rule(a, a, a, b) == (None, None)
    assert ew.logical_or.vjp_rule(a, a, a, b) == (None, None)
    assert ew.compare.vjp_rule(a, a, x, x, predicate="lt") == (None, None)
    assert ew.cast.vjp_rule(x, a, x, dtype=em.bool) == (None,)
    assert ew.select.vjp_rule(a, a, a, a, b)[1:] == (None, None)


def test_ties_share_the_gradient_of_an_extremum():
    x = em.constant(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        top, bottom = em.reduce_max(x), em.reduce_min(x, axis=1)
    np.testing.assert_array_equal(tape.gradient(top, x).numpy(), [[0, 0.5, 0.5], [0, 0, 0]])
    np.testing.assert_array_equal(tape.gradient(bottom, x).numpy(), [[1, 0, 0], [0, 1, 0]])


# -- GradientTape -----------------------------------------------------------------------------
def scalar(v):
    return em.constant(np.float64(v))


def test_watch_constant_and_unwatched_constant():
    x, y = scalar(3.0), scalar(2.0)
    with em.GradientTape() as tape:
        tape.watch(x)
        z = x * x * y
    gx, gy = tape.gradient(z, [x, y])
    assert float(gx) == 12.0 and gy is None


def test_watch_rejects_non_tensors():
    with em.GradientTape() as tape:
        with pytest.raises(em.TracingError, match="expected tensors or variables, received ndarray"):
            tape.watch(np.ones(2))


def test_trainable_variables_are_watched_automatically():
    w = em.Variable(np.array([1.0, 2.0]), name="w")
    frozen = em.Variable(np.array([3.0, 4.0]), trainable=False)
    with em.GradientTape() as tape:
        y = em.reduce_sum(w * frozen)
    gw, gf = tape.gradient(y, [w, frozen])
    np.testing.assert_array_equal(gw.numpy(), [3.0, 4.0])
    assert gf is None
    assert tape.watched_variables() == [w]


def test_non_trainable_variable_watched_explicitly():
    frozen = em.Variable(np.array([3.0, 4.0]), trainable=False)
    with em.GradientTape() as tape:
        tape.watch(frozen)
        y = em.reduce_sum(frozen * frozen)
    np.testing.assert_array_equal(tape.gradient(y, frozen).numpy(), [6.0, 8.0])
    assert tape.watched_variables() == [frozen]


def test_watch_accessed_variables_false():
    w, v = em.Variable(np.array([1.0, 2.0])), em.Variable(np.array([5.0, 6.0]))
    with em.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = em.reduce_sum(w * v)
    gw, gv = tape.gradient(y, [w, v])
    assert gw is None
    np.testing.assert_array_equal(gv.numpy(), [1.0, 2.0])
    assert tape.watched_variables() == [v]


def test_gradient_through_variable_value_and_read_value():
    w = em.Variable(np.array([1.0, 2.0]))
    with em.GradientTape() as tape:
        y = em.reduce_sum(w.value() * 3.0 + w.read_value() * w)
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [5.0, 7.0])


def test_gradient_uses_the_value_a_variable_had_when_used():
    def run(x):
        w = em.Variable(np.array([2.0, 4.0]))
        with em.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = em.reduce_sum(w * x)
            w.assign(w * x)              # assignments are not differentiated (as in TF) ...
            z = em.reduce_sum(w.value() * 3.0)
        w.assign([10.0, 10.0])           # ... and do not change what was recorded
        return tape.gradient(y, [x, w]) + tape.gradient(z, [x, w])

    eager = run(em.constant(np.array([3.0, 5.0])))
    compiled = em.function(run)(np.array([3.0, 5.0]))
    for grads in (eager, compiled):
        np.testing.assert_array_equal(grads[0].numpy(), [2.0, 4.0])
        np.testing.assert_array_equal(grads[1].numpy(), [3.0, 5.0])
        assert grads[2] is None
        np.testing.assert_array_equal(grads[3].numpy(), [3.0, 3.0])


def test_persistent_tape_allows_several_gradients():
    x = scalar(2.0)
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 32.0
    assert float(tape.gradient(z, y)) == 8.0


def test_non_persistent_tape_refuses_a_second_gradient():
    x = scalar(2.0)
    with em.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 4.0
    with pytest.raises(em.EmberError, match=r"only be called once.*persistent=True"):
        tape.gradient(y, x)


def test_unconnected_gradients():
    x, u = scalar(2.0), em.constant(np.ones((2, 3)))
    with em.GradientTape(persistent=True) as tape:
        tape.watch([x, u])
        y = x * 3.0
    assert tape.gradient(y, u) is None
    zeros = tape.gradient(y, u, unconnected_gradients="zero")
    assert zeros.shape == (2, 3) and zeros.dtype == em.float64
    np.testing.assert_array_equal(zeros.numpy(), np.zeros((2, 3)))
    with pytest.raises(em.EmberError, match="unconnected_gradients must be 'none' or 'zero', received 'zeros'"):
        tape.gradient(y, u, unconnected_gradients="zeros")


def test_output_gradients():
    x = em.constant(np.array([1.0, 2.0]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = x * 3.0
    np.testing.assert_array_equal(tape.gradient(y, x, output_gradients=[2.0, -1.0]).numpy(), [4.0, -4.0])
    np.testing.assert_array_equal(
        tape.gradient([y, z], x, output_gradients=[np.array([1.0, 0.0]), None]).numpy(), [5.0, 3.0])
    with pytest.raises(em.ShapeError, match=r"target's shape \(2,\), received shape \(3,\)"):
        tape.gradient(y, x, output_gradients=np.ones(3))
    with pytest.raises(em.ShapeError, match="structure of the target"):
        tape.gradient([y, z], x, output_gradients=[np.ones(2)])


def test_nested_tapes_give_second_derivatives():
    x = scalar(2.0)
    for cube in (lambda x: x * x * x, lambda x: x ** 3, lambda x: x ** 3.0, lambda x: em.pow(x, scalar(3.0))):
        with em.GradientTape() as outer:
            outer.watch(x)
            with em.GradientTape() as inner:
                inner.watch(x)
                y = cube(x)
            dy = inner.gradient(y, x)
        d2y = outer.gradient(dy, x)
        assert float(dy) == pytest.approx(12.0) and float(d2y) == pytest.approx(12.0)


def test_nested_tapes_differentiate_variables_twice():
    w = em.Variable(np.array([2.0, -1.0]))
    with em.GradientTape() as outer:
        with em.GradientTape() as inner:
            y = em.reduce_sum(w * w * w) + em.reduce_sum(em.sin(w.value()))
        dy = inner.gradient(y, w)
    np.testing.assert_allclose(dy.numpy(), 3 * w.numpy() ** 2 + np.cos(w.numpy()), rtol=1e-15)
    np.testing.assert_allclose(outer.gradient(dy, w).numpy(), 6 * w.numpy() - np.sin(w.numpy()), rtol=1e-15)


def test_third_derivative_of_sin():
    x = em.constant(np.array([0.3, 1.2]))
    with em.GradientTape() as t3:
        t3.watch(x)
        with em.GradientTape() as t2:
            t2.watch(x)
            with em.GradientTape() as t1:
                t1.watch(x)
                y = em.sin(x)
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    np.testing.assert_allclose(t3.gradient(d2y, x).numpy(), -np.cos([0.3, 1.2]), rtol=1e-14)


def test_stop_recording():
    x = scalar(2.0)
    with em.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = x * 10.0
        out = y + z
    assert float(tape.gradient(out, x)) == 4.0


def test_reset():
    x = scalar(2.0)
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5.0
    assert tape.gradient(y, x) is None
    assert float(tape.gradient(z, x)) == 5.0


def test_gradient_of_integer_ops_is_none():
    i = em.constant([1, 2, 3])
    x = em.constant(np.array([1.0, 2.0, 3.0]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch([i, x])
        j = i * 2 + i
        k = em.cast(x, "int32") * i
        back = em.cast(k, "float64") * 2.0
        flag = em.cast(x > 1.5, "float64")
    assert tape.gradient(j, i) is None
    assert tape.gradient(i, i) is None and tape.gradient(x, i) is None
    np.testing.assert_array_equal(tape.gradient(j, i, unconnected_gradients="zero").numpy(), [0, 0, 0])
    assert tape.gradient(k, x) is None
    assert tape.gradient(back, x) is None
    assert tape.gradient(flag, x) is None


def test_structured_sources():
    x, y = scalar(2.0), em.constant(np.array([1.0, 2.0]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = x * em.reduce_sum(y * y)
    grads = tape.gradient(z, {"b": y, "a": [x, (y,)]})
    assert set(grads) == {"a", "b"} and isinstance(grads["a"], list) and isinstance(grads["a"][1], tuple)
    assert float(grads["a"][0]) == 5.0
    np.testing.assert_array_equal(grads["b"].numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(grads["a"][1][0].numpy(), [4.0, 8.0])
    single = tape.gradient(z, x)
    assert isinstance(single, em.Tensor) and float(single) == 5.0


def test_non_scalar_and_several_targets_sum():
    x = em.constant(np.array([1.0, 2.0, 3.0]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = em.reduce_sum(x) * 2.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(tape.gradient([y, z], x).numpy(), [4.0, 6.0, 8.0])
    np.testing.assert_array_equal(tape.gradient({"y": y, "z": z}, x).numpy(), [4.0, 6.0, 8.0])


def test_gradient_of_a_source_itself_and_reuse():
    x = em.constant(np.array([1.0, 2.0]))
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x + x          # x used twice: the contributions add up
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 5.0])


def test_gradient_target_and_sources_must_be_tensors():
    x = scalar(1.0)
    with em.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(em.TracingError, match="target must be a tensor .* received NoneType"):
        tape.gradient(None, x)
    with pytest.raises(em.TracingError, match="sources must be tensors or variables .* received ndarray"):
        tape.gradient(y, [x, np.ones(2)])


# -- em.grad, em.value_and_grad -------------------------------------------------------------
def loss(x, y):
    return em.reduce_sum(x * x * y)


X, Y = np.array([1.0, 2.0]), np.array([3.0, -1.0])


def test_grad_argnums():
    np.testing.assert_array_equal(em.grad(loss)(X, Y).numpy(), 2 * X * Y)
    np.testing.assert_array_equal(em.grad(loss, argnums=1)(X, Y).numpy(), X * X)
    gx, gy = em.grad(loss, argnums=(0, 1))(X, Y)
    np.testing.assert_array_equal(gx.numpy(), 2 * X * Y)
    np.testing.assert_array_equal(gy.numpy(), X * X)
    (only,) = em.grad(loss, argnums=(1,))(X, Y)
    np.testing.assert_array_equal(only.numpy(), X * X)


def test_value_and_grad():
    value, g = em.value_and_grad(loss)(X, Y)
    assert float(value) == -1.0
    np.testing.assert_array_equal(g.numpy(), 2 * X * Y)


def test_has_aux():
    def with_aux(x, y):
        return loss(x, y), {"double": x * 2.0}

    g, aux = em.grad(with_aux, has_aux=True)(X, Y)
    np.testing.assert_array_equal(g.numpy(), 2 * X * Y)
    np.testing.assert_array_equal(aux["double"].numpy(), 2 * X)
    (value, aux), (gx, gy) = em.value_and_grad(with_aux, argnums=(0, 1), has_aux=True)(X, Y)
    assert float(value) == -1.0 and set(aux) == {"double"}
    np.testing.assert_array_equal(gy.numpy(), X * X)
    with pytest.raises(em.TracingError, match=r"pair \(value, aux\), received a tensor of shape \(\)"):
        em.grad(loss, has_aux=True)(X, Y)


def test_grad_of_pytree_arguments():
    params = {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": [np.array([0.5, -0.5]), np.float64(2.0)]}

    def model(p, x):
        return em.reduce_sum((x @ p["w"] + p["b"][0]) * p["b"][1])

    x = np.array([[1.0, -1.0]])
    g = em.grad(model)(params, x)
    assert set(g) == {"w", "b"} and isinstance(g["b"], list) and len(g["b"]) == 2
    np.testing.assert_array_equal(g["w"].numpy(), 2.0 * x.T @ np.ones((1, 2)))
    np.testing.assert_array_equal(g["b"][0].numpy(), [2.0, 2.0])
    assert float(g["b"][1]) == float(np.sum(x @ params["w"] + params["b"][0]))


def test_grad_unconnected_argument_is_zeros():
    g = em.grad(lambda x, y: em.reduce_sum(x * 2.0), argnums=(0, 1))(X, Y)
    np.testing.assert_array_equal(g[1].numpy(), np.zeros(2))


@pytest.mark.parametrize("fn, received", [
    (lambda x: x * 2.0, r"received a tensor of shape \(2,\) and dtype float64"),
    (lambda x: em.reduce_sum(em.cast(x, "int32")), r"received a tensor of shape \(\) and dtype int32"),
    (lambda x: 3.0, "received a float"),
])
def test_grad_needs_a_float_scalar(fn, received):
    with pytest.raises(em.TracingError, match=r"must return a float scalar, received") as err:
        em.grad(fn)(X)
    assert re.search(received, str(err.value)), str(err.value)


def test_grad_argnums_out_of_range():
    with pytest.raises(em.TracingError, match="argnums 2 refers to argument 2, but only 2 were given"):
        em.grad(loss, argnums=2)(X, Y)


# -- gradients inside @em.function ----------------------------------------------------------
def test_tape_and_grad_inside_function_match_eager():
    rng = rng_for("inside function")
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)

    def mse(w, b, x):
        return em.reduce_mean(em.square(em.tanh(x @ w + b) - 0.5))

    def grads(w, b, x):
        with em.GradientTape() as tape:
            tape.watch([w, b])
            y = mse(w, b, x)
        by_tape = tape.gradient(y, [w, b])
        value, by_grad = em.value_and_grad(mse, argnums=(0, 1))(w, b, x)
        return y, by_tape, value, by_grad

    eager = grads(em.constant(w), em.constant(b), em.constant(x))
    compiled = em.function(grads)(w, b, x)
    for e, c in zip(eager[1] + list(eager[3]), compiled[1] + list(compiled[3])):
        np.testing.assert_allclose(c.numpy(), e.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(compiled[0].numpy(), eager[0].numpy(), rtol=1e-12)


def test_fused_ir_holds_the_backward_pass():
    def step(x, w):
        with em.GradientTape() as tape:
            tape.watch(w)
            y = em.reduce_sum(em.nn.relu(x @ w))
        return tape.gradient(y, w)

    x, w = np.ones((4, 3), np.float32), np.ones((3, 2), np.float32)
    text = em.function(step).lower(x, w).as_text("fused")
    assert text.count("func.func") == 1
    assert text.count('"ember.matmul"') == 2          # forward x @ w, backward x^T @ g
    assert re.search(r'"ember.transpose"\(%arg0\) \{perm = array<i64: 1, 0>\} : \(tensor<4x3xf32>\)', text)
    assert '"ember.select"' in text                   # relu's backward
    np.testing.assert_array_equal(em.function(step)(x, w).numpy(), np.full((3, 2), 4.0, np.float32))


def test_second_derivative_inside_function():
    @em.function
    def d2(x):
        with em.GradientTape() as outer:
            outer.watch(x)
            with em.GradientTape() as inner:
                inner.watch(x)
                y = em.reduce_sum(x * x * x + em.exp(x))
            dy = inner.gradient(y, x)
        return dy, outer.gradient(dy, x)

    x = np.array([0.5, -1.0, 2.0])
    dy, d2y = d2(x)
    np.testing.assert_allclose(dy.numpy(), 3 * x * x + np.exp(x), rtol=1e-12)
    np.testing.assert_allclose(d2y.numpy(), 6 * x + np.exp(x), rtol=1e-12)


def test_tape_records_a_compiled_function_called_under_it():
    # NOTE: as in TF (a tf.function called under a tape is differentiated); today the call
    # runs the compiled code, which no tape sees, and the gradients are None.
    w = em.Variable(np.array([1.0, 2.0]))
    f = em.function(lambda x: em.reduce_sum(em.sin(x) * w))
    x = em.constant(np.array([0.5, -1.0]))
    with em.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gw = tape.gradient(y, [x, w])
    assert gx is not None and gw is not None, "the tape did not see the call of the @em.function"
    np.testing.assert_allclose(gx.numpy(), np.cos(x.numpy()) * w.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gw.numpy(), np.sin(x.numpy()), rtol=1e-12)
