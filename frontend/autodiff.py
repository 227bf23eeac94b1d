"""Reverse-mode automatic differentiation: `em.GradientTape`, `em.grad`, `em.value_and_grad`.

A tape records each primitive applied to a watched tensor (trainable variables are
watched when read). `gradient` walks the record backwards, calling each primitive's vjp
rule. The rules are ember ops, so inside `@em.function` the backward pass is traced into
the same function as the forward pass and compiled (and fused) with it.

Example:
    >>> import ember as em
    >>> x = em.constant(3.0)
    >>> with em.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * x
    >>> float(tape.gradient(y, x))
    6.0
"""
from __future__ import annotations

import contextlib
import functools

from . import tree
from .dispatch import tape_stack
from .errors import EmberError, TracingError, at_user_line
from .tensor import Tensor


class _Entry:
    __slots__ = ("prim", "operands", "attrs", "result")

    def __init__(self, prim, operands, attrs, result):
        self.prim, self.operands, self.attrs, self.result = prim, operands, attrs, result


class GradientTape:
    """Records operations for reverse-mode differentiation (as tf.GradientTape).

    Args:
        persistent: allow several `gradient` calls (otherwise the record is dropped after one).
        watch_accessed_variables: watch every trainable Variable read while recording.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._entries: list[_Entry] = []
        self._watched: dict[int, Tensor] = {}   # id -> tensor (kept alive so ids stay unique)
        self._variables: dict[int, Tensor] = {}
        self._recording = False
        self._used = False

    def __enter__(self):
        tape_stack().append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._recording = False
        tape_stack().remove(self)
        return False

    def watch(self, tensors) -> None:
        """Records operations on `tensors` (a tensor, variable, or a nested structure of them)."""
        for t in tree.flatten(tensors)[0]:
            if not isinstance(t, Tensor):
                raise TracingError(at_user_line(
                    f"GradientTape.watch: expected tensors or variables, received {type(t).__name__}"))
            self._watched[id(t)] = t

    def watched_variables(self) -> list:
        return list(self._variables.values())

    @contextlib.contextmanager
    def stop_recording(self):
        """Operations inside are not recorded."""
        previous, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = previous

    def reset(self) -> None:
        self._entries.clear()
        self._watched.clear()
        self._variables.clear()

    # -- recording (called by dispatch.bind) ----------------------------------------------------
    def record(self, prim, operands, attrs, result) -> None:
        if not self._recording:
            return
        from .variable import Variable

        hit = False
        for o in operands:
            if self.watch_accessed_variables and isinstance(o, Variable) and o.trainable:
                self._watched[id(o)] = o
                self._variables[id(o)] = o
            if id(o) in self._watched:
                hit = True
        if hit and result.dtype.is_float:
            self._entries.append(_Entry(prim, tuple(operands), attrs, result))
            self._watched[id(result)] = result

    # -- differentiating ------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(target)/d(sources), in the structure of `sources`. A source the target does not
        depend on gets None (or zeros with unconnected_gradients="zero")."""
        from . import api

        if unconnected_gradients not in ("none", "zero"):
            raise EmberError(f"unconnected_gradients must be 'none' or 'zero', received "
                             f"{unconnected_gradients!r}")
        if self._used and not self.persistent:
            raise EmberError(at_user_line(
                "GradientTape.gradient can only be called once on a non-persistent tape; "
                "use em.GradientTape(persistent=True) to call it several times"))
        self._used = True
        targets = tree.flatten(target)[0]
        seeds = (tree.flatten(output_gradients)[0] if output_gradients is not None
                 else [api.ones_like(t) for t in targets])
        cotangents: dict[int, Tensor] = {}
        with self.stop_recording():
            for t, s in zip(targets, seeds):
                _accumulate(cotangents, t, api.constant(s))
            for entry in reversed(self._entries):
                g = cotangents.get(id(entry.result))
                if g is None:
                    continue
                grads = entry.prim.vjp_rule(g, entry.result, *entry.operands, **entry.attrs)
                for operand, grad in zip(entry.operands, grads):
                    if grad is not None and isinstance(operand, Tensor) and id(operand) in self._watched:
                        _accumulate(cotangents, operand, grad)
            leaves, structure = tree.flatten(sources)
            out = []
            for s in leaves:
                g = cotangents.get(id(s))
                if g is None and unconnected_gradients == "zero":
                    g = api.zeros_like(s)
                out.append(g)
        if not self.persistent:
            self.reset()
        return tree.unflatten(structure, out)


def _accumulate(cotangents, tensor, grad) -> None:
    key = id(tensor)
    cotangents[key] = grad if key not in cotangents else cotangents[key] + grad


def value_and_grad(fn, argnums=0, has_aux: bool = False):
    """A function returning (fn(*args), d fn / d args[argnums]) (as jax.value_and_grad).

    `fn` must return a float scalar (or (scalar, aux) with has_aux=True). Arguments at
    `argnums` may be nested structures of tensors; the gradient has their structure.
    """
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        from . import api

        args = list(args)
        for i in nums:
            if i >= len(args):
                raise TracingError(at_user_line(
                    f"value_and_grad: argnums {argnums} refers to argument {i}, but only "
                    f"{len(args)} were given"))
            leaves, structure = tree.flatten(args[i])
            args[i] = tree.unflatten(structure, [l if isinstance(l, Tensor) else api.constant(l)
                                                 for l in leaves])
        with GradientTape() as tape:
            for i in nums:
                tape.watch(args[i])
            out = fn(*args, **kwargs)
        value, aux = out if has_aux else (out, None)
        if not isinstance(value, Tensor) or value.shape != () or not value.dtype.is_float:
            raise TracingError(at_user_line(
                f"grad: the function must return a float scalar, received "
                f"{getattr(value, 'shape', type(value).__name__)} {getattr(getattr(value, 'dtype', None), 'name', '')}"))
        grads = tape.gradient(value, [args[i] for i in nums], unconnected_gradients="zero")
        grads = grads[0] if single else tuple(grads)
        return ((value, aux), grads) if has_aux else (value, grads)

    return wrapped


def grad(fn, argnums=0, has_aux: bool = False):
    """The gradient of a scalar function (as jax.grad)."""
    vg = value_and_grad(fn, argnums, has_aux)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        (value, grads) = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapped
