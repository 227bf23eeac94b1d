"""Gradient checking: ember's reverse-mode gradients against central finite differences.

`check_vjp(fn, *arrays)` differentiates L = sum(fn(*x) * r), for a random cotangent r, with
`em.GradientTape` and with `em.grad`, compares both with central differences of the eager
`fn` (one per input element), and checks that the same gradients computed inside
`@em.function` (traced and compiled with the forward pass) match the eager ones.

Example:
    >>> from gradcheck import check_vjp
    >>> check_vjp(lambda x, y: em.sin(x) * y, np.ones((2, 3)), np.ones(3))
"""
from __future__ import annotations

import numpy as np

import ember as em
from conftest import rng_for

# NOTE: compiled and eager gradients run the same ember ops; they differ only by the rounding
# of transcendentals and the order of sums (conftest.TOLERANCES), compounded over the few
# ops of a backward pass.
COMPILED_TOLERANCES = {
    "float32": dict(rtol=1e-4, atol=1e-5),
    "float64": dict(rtol=1e-10, atol=1e-12),
}


def is_float(array) -> bool:
    return np.asarray(array).dtype.kind == "f"


def objective(fn, arrays, r) -> float:
    """sum(fn(*arrays) * r), evaluated eagerly and summed in float64."""
    out = fn(*[em.constant(a) for a in arrays]).numpy()
    return float(np.sum(out.astype(np.float64) * r.astype(np.float64)))


def finite_differences(fn, arrays, r, eps: float) -> list:
    """d objective / d arrays[i] by central differences, per element (None for non-floats).

    NOTE: the step is divided by the difference of the perturbed inputs as stored, so float32
    inputs (whose x + eps rounds) are differentiated as accurately as their dtype allows."""
    grads = []
    for i, a in enumerate(arrays):
        if not is_float(a):
            grads.append(None)
            continue
        g = np.zeros(a.shape, np.float64)
        for j in range(a.size):
            plus, minus = [list(arrays) for _ in range(2)]
            plus[i], minus[i] = a.copy(), a.copy()
            plus[i].flat[j] += eps
            minus[i].flat[j] -= eps
            step = float(plus[i].flat[j]) - float(minus[i].flat[j])
            g.flat[j] = (objective(fn, plus, r) - objective(fn, minus, r)) / step
        grads.append(g)
    return grads


def tape_gradients(fn, tensors, r) -> list:
    """d sum(fn(*tensors) * r) / d tensors with a GradientTape watching every tensor."""
    with em.GradientTape() as tape:
        tape.watch(tensors)
        loss = em.reduce_sum(fn(*tensors) * r)
    return tape.gradient(loss, list(tensors))


def grad_gradients(fn, tensors, r) -> list:
    """The same with em.grad over the float arguments (None at the others)."""
    nums = tuple(i for i, t in enumerate(tensors) if t.dtype.is_float)
    grads = em.grad(lambda *xs: em.reduce_sum(fn(*xs) * r), argnums=nums)(*tensors)
    by_index = dict(zip(nums, grads))
    return [by_index.get(i) for i in range(len(tensors))]


def check_vjp(fn, *arrays, eps: float = 1e-6, rtol: float = 1e-6, atol: float = 1e-8,
              compiled: bool = True, seed=0) -> list:
    """Checks the gradients of `fn` at `arrays` (NumPy arrays; floats are differentiated,
    the others must get None). Returns the eager gradients as NumPy arrays."""
    arrays = [np.asarray(a) for a in arrays]
    tensors = [em.constant(a) for a in arrays]
    out = fn(*tensors)
    r = np.asarray(rng_for("check_vjp", seed, out.shape).standard_normal(out.shape),
                   out.dtype.numpy)

    by_tape = tape_gradients(fn, tensors, r)
    by_grad = grad_gradients(fn, tensors, r)
    expected = finite_differences(fn, arrays, r, eps)
    for i, (a, t, g, fd) in enumerate(zip(arrays, by_tape, by_grad, expected)):
        what = f"d/d(argument {i})"
        if fd is None:
            assert t is None and g is None, f"{what}: a {a.dtype} argument has a gradient"
            continue
        assert isinstance(t, em.Tensor), f"{what}: GradientTape gave {t!r}"
        assert t.shape == a.shape and t.dtype.numpy == a.dtype, (
            f"{what}: GradientTape gave shape {t.shape} {t.dtype.name} for {a.shape} {a.dtype}")
        np.testing.assert_allclose(t.numpy(), fd, rtol=rtol, atol=atol,
                                   err_msg=f"{what}: GradientTape vs finite differences")
        np.testing.assert_array_equal(g.numpy(), t.numpy(), err_msg=f"{what}: em.grad vs GradientTape")
    eager = [None if t is None else t.numpy() for t in by_tape]
    if compiled:
        check_compiled(fn, arrays, r, eager)
    return eager


def check_compiled(fn, arrays, r, eager) -> None:
    """The tape's and em.grad's gradients computed inside @em.function equal the eager ones."""
    @em.function
    def gradients(*xs):
        return tape_gradients(fn, xs, r), grad_gradients(fn, xs, r)

    by_tape, by_grad = gradients(*arrays)
    for i, (a, e, t, g) in enumerate(zip(arrays, eager, by_tape, by_grad)):
        what = f"d/d(argument {i}) compiled"
        if e is None:
            assert t is None and g is None, f"{what}: a {a.dtype} argument has a gradient"
            continue
        tol = COMPILED_TOLERANCES[a.dtype.name]
        np.testing.assert_allclose(t.numpy(), e, err_msg=f"{what} (GradientTape)", **tol)
        np.testing.assert_allclose(g.numpy(), e, err_msg=f"{what} (em.grad)", **tol)
