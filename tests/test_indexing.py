"""iota, gather, scatter_add (dialects/ops/indexing.py) and the composites on them: em.gather,
em.argmax/argmin, em.one_hot, em.range. Eager against NumPy, compiled against eager,
clamping of out-of-range indices, gradient rules against finite differences, errors."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
import references as ref
from conftest import assert_same, rng_for, run_compiled
from ember.dialects.ops import indexing as ops

# params shape, indices shape, axis
# NOTE: no empty results here: the CPU backend fails on functions returning zero-size
# tensors (any op, e.g. x * 2.0 of shape (4, 0)); test_gather_of_no_indices is eager.
GATHERS = [((5,), (3,), 0), ((5, 4), (2, 3), 0), ((3, 6, 2), (4,), 1), ((3, 4, 5), (2, 2), -1),
           ((4, 3), (), 0)]


def _gather_inputs(i, dtype, index_dtype):
    ps, ishape, axis = GATHERS[i]
    rng = rng_for("gather", i, dtype)
    n = ps[axis]
    params = rng.uniform(-5, 5, ps).astype(dtype) if dtype != "bool" else rng.random(ps) < 0.5
    # NOTE: indices from -n - 3 to n + 2: NumPy's negative ones and clamped ones too
    return params, rng.integers(-n - 3, n + 3, ishape).astype(index_dtype), axis


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_gather_eager_and_compiled(dtype, index_dtype):
    cases = [_gather_inputs(i, dtype, index_dtype) for i in range(len(GATHERS))]
    arrays = [a for p, i, _ in cases for a in (p, i)]

    def f(*arrays):
        return [em.gather(arrays[2 * k], arrays[2 * k + 1], axis=axis) for k, (_, _, axis) in enumerate(cases)]

    for got, compiled, (p, i, axis) in zip(f(*arrays), run_compiled(f, *arrays), cases):
        want = ref.take_clamped(p, i, axis)
        assert_same(got.numpy(), want, exact=True, what=f"eager gather {p.shape} {i.shape} {axis}")
        assert_same(compiled.numpy(), want, exact=True, what=f"compiled gather {p.shape} {i.shape} {axis}")


def test_gather_of_no_indices():
    assert em.gather(np.ones((4, 3)), np.zeros((0,), np.int64), axis=1).shape == (4, 0)
    assert em.gather(np.ones((0, 3)), np.zeros((0, 2), np.int32)).shape == (0, 2, 3)


def test_gather_follows_numpy_where_numpy_accepts_the_index():
    p = np.arange(10.0, 15.0)
    assert em.gather(p, [0, 4, -1, -5]).numpy().tolist() == [10.0, 14.0, 14.0, 10.0]
    assert em.gather(p, [5, 100, -6, -100]).numpy().tolist() == [14.0, 14.0, 10.0, 10.0]


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_scatter_add_eager_and_compiled(dtype):
    cases = []
    for k, (shape, ishape, axis) in enumerate(GATHERS):
        axis %= len(shape)
        rng = rng_for("scatter", k, dtype)
        indices = rng.integers(-shape[axis] - 2, shape[axis] + 2, ishape).astype("int32")  # repeats
        updates = rng.uniform(-5, 5, shape[:axis] + ishape + shape[axis + 1:]).astype(dtype)
        cases.append((updates, indices, shape, axis))

    def f(*arrays):
        return [ops.scatter_add.bind(arrays[2 * k], arrays[2 * k + 1], shape=s, axis=a)
                for k, (_, _, s, a) in enumerate(cases)]

    arrays = [a for u, i, _, _ in cases for a in (u, i)]
    for got, compiled, (u, i, shape, axis) in zip(f(*[em.constant(a) for a in arrays]),
                                                   run_compiled(f, *arrays), cases):
        want = ref.scatter_add(u, i, shape, axis)
        # NOTE: repeated indices add in row-major order in all three: equal bit for bit
        assert_same(got.numpy(), want, exact=True, what=f"eager scatter_add {shape} {axis}")
        assert_same(compiled.numpy(), want, exact=True, what=f"compiled scatter_add {shape} {axis}")


def test_iota_eager_and_compiled():
    # NOTE: a large iota, so that canonicalisation does not fold it into a constant
    shapes = [((300, 400), 1, "float32"), ((300, 400), 0, "int32"), ((70000,), 0, "int64"),
              ((2, 3, 4), 1, "float64")]

    def f():
        return [ops.iota.bind(shape=s, axis=a, dtype=em.constant(0, d).dtype) for s, a, d in shapes]

    for got, compiled, (shape, axis, dtype) in zip(f(), run_compiled(f), shapes):
        want = np.broadcast_to(np.arange(shape[axis], dtype=dtype).reshape(
            [n if i == axis else 1 for i, n in enumerate(shape)]), shape)
        assert_same(got.numpy(), want, exact=True, what=f"eager iota {shape} {axis}")
        assert_same(compiled.numpy(), want, exact=True, what=f"compiled iota {shape} {axis}")


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_argmax_argmin_take_the_first_extreme(dtype):
    rng = rng_for("argmax", dtype)
    x = rng.integers(-2, 3, (4, 5, 6)).astype(dtype)  # many ties
    calls = [(em.argmax, np.argmax, axis) for axis in (0, 1, -1)] + \
            [(em.argmin, np.argmin, axis) for axis in (0, 1, -1)]

    def f(t):
        return [op(t, axis=axis) for op, _, axis in calls]

    for got, compiled, (_, np_op, axis) in zip(f(em.constant(x)), run_compiled(f, x), calls):
        want = np_op(x, axis=axis)
        assert_same(got.numpy(), want, exact=True, what=f"eager {np_op.__name__} axis {axis}")
        assert_same(compiled.numpy(), want, exact=True, what=f"compiled {np_op.__name__} axis {axis}")


def test_argmax_nan_and_output_type():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, -1.0]], np.float32)
    assert em.argmax(x).numpy().tolist() == [1, 1] == np.argmax(x, axis=-1).tolist()
    assert em.argmin(x).numpy().tolist() == [1, 3] == np.argmin(x, axis=-1).tolist()
    assert em.argmax(x, output_type="int32").dtype is em.int32
    assert em.argmax(x, axis=0).dtype is em.int64
    assert em.argmax(np.array([False, True, True])).numpy() == 1


def test_one_hot():
    indices = np.array([[0, 2, -1], [3, 1, 2]], np.int64)
    want = (indices[..., None] == np.arange(3)).astype(np.float32)  # -1 and 3: rows of zeros

    def f(i):
        return em.one_hot(i, 3), em.one_hot(i, 3, dtype="int32", on_value=5, off_value=-1)

    for got in (f(em.constant(indices)), run_compiled(f, indices)):
        assert_same(got[0].numpy(), want, exact=True, what="one_hot")
        assert_same(got[1].numpy(), np.where(want > 0, 5, -1).astype(np.int32), exact=True, what="on/off")
    assert em.one_hot([1], 0).shape == (1, 0)


def test_range():
    assert_same(em.range(5).numpy(), np.arange(5, dtype=np.int32), exact=True, what="range(5)")
    assert_same(em.range(2, 11, 3).numpy(), np.arange(2, 11, 3, dtype=np.int32), exact=True, what="ints")
    assert_same(em.range(5, -4, -2).numpy(), np.arange(5, -4, -2, dtype=np.int32), exact=True, what="down")
    assert_same(em.arange(0.5, 3, 0.25).numpy(), np.arange(0.5, 3, 0.25, dtype=np.float32), exact=True,
                what="floats")
    assert_same(em.range(3, dtype="float64").numpy(), np.arange(3.0), exact=True, what="dtype")
    assert em.range(3, 3).shape == (0,) and em.range(3, 1).shape == (0,)
    compiled = run_compiled(lambda x: x + em.range(4, dtype="float32"), np.zeros(4, np.float32))
    assert compiled.numpy().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_gather_and_scatter_add_gradients_against_finite_differences():
    rng = rng_for("gather vjp")
    params = rng.normal(size=(5, 3))
    indices = np.array([[4, 0], [4, 9]], np.int32)  # a repeat and a clamped index
    for prim, arrays, attrs in [
            (ops.gather, [params, indices], dict(axis=0)),
            (ops.scatter_add, [rng.normal(size=(2, 2, 3)), indices], dict(shape=(5, 3), axis=0))]:
        tensors = [em.constant(a) for a in arrays]
        out = prim.bind(*tensors, **attrs)
        g, d = rng.normal(size=out.shape), rng.normal(size=arrays[0].shape)
        grads = prim.vjp_rule(em.constant(g), out, *tensors, **attrs)
        assert grads[1] is None  # indices have no gradient
        eps = 1e-6
        plus = prim.bind(em.constant(arrays[0] + eps * d), tensors[1], **attrs).numpy()
        minus = prim.bind(em.constant(arrays[0] - eps * d), tensors[1], **attrs).numpy()
        numeric = np.sum(g * (plus - minus)) / (2 * eps)
        np.testing.assert_allclose(np.sum(grads[0].numpy() * d), numeric, rtol=1e-7, err_msg=prim.name)


def test_embedding_lookup_gradient_eagerly_and_compiled():
    rng = rng_for("embedding")
    table, r = rng.normal(size=(6, 4)), rng.normal(size=(3, 2, 4))
    ids = np.array([[1, 5], [1, 0], [9, -1]], np.int64)  # repeats, a clamped 9, a -1
    grad = em.grad(lambda t: em.reduce_sum(em.gather(t, ids) * r))
    want = ref.scatter_add(r, ids, (6, 4), 0)
    assert_same(grad(em.constant(table)).numpy(), want, exact=True, what="eager")
    assert_same(em.function(grad)(table).numpy(), want, exact=True, what="compiled")


@pytest.mark.parametrize("call, error, words", [
    (lambda: em.gather(np.ones(3), [0.5]), em.DTypeError, ["gather", "int32 or int64", "float32"]),
    (lambda: em.gather(np.ones(3), [0], axis=1), em.ShapeError, ["gather", "axis 1", "(3,)"]),
    (lambda: em.gather(np.ones((0, 2)), [0]), em.ShapeError, ["gather", "empty", "(0, 2)"]),
    (lambda: ops.scatter_add.bind(em.ones((2, 3)), em.constant([0, 1]), shape=(4, 2), axis=0),
     em.ShapeError, ["scatter_add", "(2, 3)", "(4, 2)"]),
    (lambda: em.argmax(np.float32(1.0)), em.ShapeError, ["argmax", "scalar"]),
    (lambda: em.argmin(np.ones((2, 0)), axis=1), em.ShapeError, ["argmin", "empty"]),
    (lambda: em.one_hot([1.0], 3), em.DTypeError, ["one_hot", "float32"]),
    (lambda: em.range(em.constant(3)), TypeError, ["range", "Python number"]),
    (lambda: em.range(0, 3, 0), ValueError, ["range", "delta"]),
])
def test_errors(call, error, words):
    with pytest.raises(error) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert f"(at {__file__}:" in message
