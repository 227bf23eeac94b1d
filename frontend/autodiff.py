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
import threading

from . import tree
from .dispatch import tape_stack
from .errors import EmberError, ShapeError, TracingError, at_user_line
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
        if not tape_stack():
            _reads.__dict__.clear()  # lets the last op's tensors (and trace) go
        return False

    @property
    def recording(self) -> bool:
        return self._recording

    def watch(self, tensors) -> None:
        """Records operations on `tensors` (a tensor, variable, or a nested structure of them)."""
        from .variable import Variable

        for t in tree.flatten(tensors)[0]:
            if not isinstance(t, Tensor):
                raise TracingError(at_user_line(
                    f"GradientTape.watch: expected tensors or variables, received {type(t).__name__}"))
            self._watched[id(t)] = t
            if isinstance(t, Variable):
                self._variables[id(t)] = t

    def watched_variables(self) -> list:
        """The variables this tape watches: read while recording (if trainable), or watched."""
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
        operands = _with_reads(operands, result)
        if result.dtype.is_float and any(id(o) in self._watched for o in operands):
            self._append(prim, operands, attrs, result)

    def record_read(self, variable, value) -> None:
        """Records `value = variable.value()` (called by Variable.value)."""
        if not self._recording:
            return
        if self.watch_accessed_variables and variable.trainable:
            self._watched[id(variable)] = variable
            self._variables[id(variable)] = variable
        if id(variable) in self._watched and value.dtype.is_float:
            self._append(_READ_VARIABLE, (variable,), {}, value)

    def _append(self, prim, operands, attrs, result) -> None:
        self._entries.append(_Entry(prim, tuple(operands), attrs, result))
        self._watched[id(result)] = result

    # -- differentiating ------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(target)/d(sources), in the structure of `sources`. A source the target does not
        depend on gets None (or zeros with unconnected_gradients="zero")."""
        from . import api

        if unconnected_gradients not in ("none", "zero"):
            raise EmberError(at_user_line(f"unconnected_gradients must be 'none' or 'zero', "
                                          f"received {unconnected_gradients!r}"))
        targets, target_tree = _tensors("the target must be a tensor", target)
        leaves, structure = _tensors("sources must be tensors or variables", sources)
        if self._used and not self.persistent:
            raise EmberError(at_user_line(
                "GradientTape.gradient can only be called once on a non-persistent tape; "
                "use em.GradientTape(persistent=True) to call it several times"))
        self._used = True
        with self.stop_recording():
            cotangents: dict[int, Tensor] = {}
            for t, s in zip(targets, _seeds(targets, target_tree, output_gradients)):
                _accumulate(cotangents, t, s)
            self._backward(cotangents)
            out = []
            for s in leaves:
                g = cotangents.get(id(s)) if s.dtype.is_float else None  # as TF: ints have none
                if g is None and unconnected_gradients == "zero":
                    g = api.zeros_like(s)
                out.append(g)
        if not self.persistent:  # NOTE: drops the record; watched_variables() stays, as in TF
            self._entries.clear()
            self._watched.clear()
        return tree.unflatten(structure, out)

    def _backward(self, cotangents) -> None:
        """Walks the record backwards, adding each entry's operand cotangents to `cotangents`."""
        for entry in reversed(self._entries):
            g = cotangents.get(id(entry.result))
            if g is None:
                continue
            grads = entry.prim.vjp_rule(g, entry.result, *entry.operands, **entry.attrs)
            for operand, grad in zip(entry.operands, grads):
                if grad is not None and isinstance(operand, Tensor) and id(operand) in self._watched:
                    _accumulate(cotangents, operand, grad)


def _tensors(expected: str, structure) -> tuple[list, object]:
    """The leaves and treedef of a structure of tensors; raises TracingError naming `expected`."""
    leaves, treedef = tree.flatten(structure)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise TracingError(at_user_line(
                f"GradientTape.gradient: {expected} (or a structure of them), received "
                f"{type(leaf).__name__}"))
    return leaves, treedef


class _ReadVariable:
    """The tape's record of `Variable.value()`: the read passes its cotangent to the variable."""

    name = "read_variable"

    @staticmethod
    def vjp_rule(g, out, variable):
        return (g,)


_READ_VARIABLE = _ReadVariable()


_reads = threading.local()


def _with_reads(operands, result) -> tuple:
    """`operands` with each Variable replaced by `Variable.value()`, a read that every tape
    records. NOTE: the vjp rules then see the value the op used even if the variable is
    assigned before `gradient`; and the reads are made once per op, shared by all tapes, so an
    outer tape differentiates an inner tape's gradient through them (second derivatives)."""
    from .variable import Variable

    if getattr(_reads, "of", None) is not result:  # NOTE: holding the result keeps `is` valid
        _reads.of = result
        _reads.operands = tuple(o.value() if isinstance(o, Variable) else o for o in operands)
    return _reads.operands


def _seeds(targets, target_tree, output_gradients) -> list:
    """The initial cotangent of each target: ones, or `output_gradients` (in the structure
    of the target) in the target's dtype."""
    from . import api

    if output_gradients is None:
        return [api.ones_like(t) for t in targets]
    try:
        seeds = tree.flatten_up_to(target_tree, output_gradients)
    except ValueError as err:
        raise ShapeError(at_user_line(
            f"GradientTape.gradient: output_gradients must have the structure of the target: "
            f"{err}")) from None
    out = []
    for t, s in zip(targets, seeds):
        s = api.ones_like(t) if s is None else api.constant(s, dtype=t.dtype)
        if s.shape != t.shape:
            raise ShapeError(at_user_line(
                f"GradientTape.gradient: an output gradient must have its target's shape "
                f"{t.shape}, received shape {s.shape}"))
        out.append(s)
    return out


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
        value, aux = _split_aux(out) if has_aux else (out, None)
        if not isinstance(value, Tensor) or value.shape != () or not value.dtype.is_float:
            raise TracingError(at_user_line(
                f"grad: the function must return a float scalar"
                f"{' (as the first of (value, aux))' if has_aux else ''}, received {_describe(value)}"))
        grads = tape.gradient(value, [args[i] for i in nums], unconnected_gradients="zero")
        grads = grads[0] if single else tuple(grads)
        return ((value, aux), grads) if has_aux else (value, grads)

    return wrapped


def _split_aux(out):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TracingError(at_user_line(
            f"grad: with has_aux=True the function must return a pair (value, aux), received "
            f"{_describe(out)}"))
    return out


def _describe(value) -> str:
    if isinstance(value, Tensor):
        return f"a tensor of shape {value.shape} and dtype {value.dtype.name}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def grad(fn, argnums=0, has_aux: bool = False):
    """The gradient of a scalar function (as jax.grad)."""
    vg = value_and_grad(fn, argnums, has_aux)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        (value, grads) = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapped
