"""`@em.function`: trace a Python function into the ember dialect once per input
signature, compile it, and call the compiled code afterwards.

Example:
    >>> import ember as em, numpy as np
    >>> @em.function
    ... def f(x, w):
    ...     return em.nn.relu(x @ w)
    >>> f(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)).shape
    (2, 4)
    >>> print(f.lower(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)).as_text("fused"))
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from ..dialects.primitive import AVal
from . import dtypes, tree
from .device import default_backend
from .dispatch import THREAD_STATE
from .errors import TracingError, user_site
from .tensor import EagerTensor, Tensor
from .variable import Variable
from .trace import Trace

RETRACE_WARNING_AFTER = 5
_TENSOR = object()  # marks the output positions filled by the compiled function


class TensorSpec:
    """The shape and dtype a traced function accepts for one argument (as tf.TensorSpec)."""

    def __init__(self, shape, dtype="float32", name: str | None = None):
        shape = tuple(shape)
        if any(d is None or int(d) < 0 for d in shape):
            raise TracingError(f"TensorSpec: every dimension must be known (static shapes), "
                               f"received shape {shape}")
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r})"


class Function:
    """A Python function that runs compiled: traced per input signature, cached."""

    def __init__(self, fn, input_signature=None, backend: str | None = None):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._backend = backend     # None: the current em.device's backend, at trace time
        self._concrete: dict = {}
        self._fast: dict = {}           # (_fast_key, backend) -> ConcreteFunction (__call__)
        self._trace_count = 0
        self._warned = False
        self._last_key = None

    @property
    def name(self) -> str:
        return getattr(self._fn, "__qualname__", getattr(self._fn, "__name__", "function"))

    def __get__(self, instance, owner):
        """`@em.function` on a method: one Function (and trace cache) per instance, kept in
        the instance's __dict__ (so unhashable instances work and nothing outlives them)."""
        if instance is None:
            return self
        slot = f"_ember_function_{id(self)}"
        bound = getattr(instance, "__dict__", {}).get(slot)
        if bound is None:
            if not hasattr(instance, "__dict__"):
                raise TracingError(f"@em.function method '{self.name}' needs instances with a "
                                   f"__dict__ to keep their traces; {type(instance).__name__} has none")
            bound = Function(self._fn.__get__(instance, owner), self._input_signature, self._backend)
            instance.__dict__[slot] = bound
        return bound

    # -- calling -------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        state = THREAD_STATE
        if state.traces:  # called from another traced function: inline it
            return self._fn(*args, **kwargs)
        tapes = state.tapes
        if tapes and any(tape.recording for tape in tapes):
            # NOTE: a tape must see the ops to differentiate them, so under a recording tape
            # the function runs op by op (compile the step that holds the tape instead).
            return self._fn(*args, **kwargs)
        fast = _fast_key(args) if not kwargs and self._input_signature is None else None
        if fast is not None:
            key = (fast[0], self._backend or default_backend())
            concrete = self._fast.get(key)
            if concrete is not None:
                return concrete(fast[1])
        concrete, arrays = self._concrete_for(args, kwargs)
        if fast is not None and len(arrays) == len(fast[1]) and all(
                a is b for a, b in zip(arrays, fast[1])):
            # NOTE: the arguments needed no conversion, so the same key finds this concrete
            # function from now on without flattening or converting anything.
            self._fast[key] = concrete
        return concrete(arrays)

    def get_concrete_function(self, *args, **kwargs) -> "ConcreteFunction":
        return self._concrete_for(args, kwargs)[0]

    def lower(self, *args, **kwargs):
        """The IR of this function for these arguments, at every stage of the pipeline."""
        from ..runtime.lowered import Lowered

        concrete = self.get_concrete_function(*args, **kwargs)
        return Lowered(concrete.backend, concrete.module_text, concrete.symbol)

    # -- signatures and tracing ----------------------------------------------------------------
    def _concrete_for(self, args, kwargs):
        key, arrays = self._signature(args, kwargs)
        concrete = self._concrete.get(key)
        if concrete is None:
            concrete = self._trace(key, args, kwargs)
            self._concrete[key] = concrete
        return concrete, arrays

    def _signature(self, args, kwargs):
        if self._input_signature is not None:
            args = self._conform(args, kwargs)
        leaves, treedef = tree.flatten((args, kwargs))
        keys, arrays = [], []
        for i, leaf in enumerate(leaves):
            if isinstance(leaf, Variable):  # by identity: read (and assigned) as a capture
                keys.append(("static", Variable, leaf))
            elif isinstance(leaf, (Tensor, np.ndarray, np.generic)):
                array = _as_array(leaf, None, self.name, i)
                keys.append(("tensor", array.shape, array.dtype.str))
                arrays.append(array)
            else:
                try:
                    hash(leaf)
                except TypeError:
                    raise TracingError(f"{self.name}: argument {i} ({type(leaf).__name__}) is neither "
                                       f"a tensor nor hashable; Python values are part of the trace "
                                       f"key and must be hashable") from None
                keys.append(("static", type(leaf), leaf))
        return (treedef, tuple(keys), self._backend or default_backend()), arrays

    def _conform(self, args, kwargs) -> tuple:
        """`args` with the value at each TensorSpec of the input_signature converted to its
        array (a Python list given for a spec is one tensor, not a structure)."""
        if kwargs or len(args) != len(self._input_signature):
            raise TracingError(f"{self.name}: input_signature has {len(self._input_signature)} "
                               f"arguments, received {len(args)} positional and {len(kwargs)} keyword")
        specs, spec_tree = tree.flatten(self._input_signature)
        try:
            values = tree.flatten_up_to(spec_tree, args)
        except ValueError:
            raise TracingError(f"{self.name}: the arguments do not have the structure of the "
                               f"input_signature {self._input_signature}") from None
        arrays = [_as_array(v, spec, self.name, i) for i, (v, spec) in enumerate(zip(values, specs))]
        return tree.unflatten(spec_tree, arrays)

    def _trace(self, key, args, kwargs):
        self._trace_count += 1
        self._warn_on_retracing(key)
        self._last_key = key
        treedef, keys, backend = key
        avals = [AVal(k[1], dtypes.as_dtype(np.dtype(k[2]))) for k in keys if k[0] == "tensor"]
        trace = Trace(self.name, avals)
        with trace:
            symbolic = iter(trace.args)
            leaves = [next(symbolic) if k[0] == "tensor" else k[2] for k in keys]
            call_args, call_kwargs = tree.unflatten(treedef, leaves)
            result = self._fn(*call_args, **call_kwargs)
            out_leaves, out_tree = tree.flatten(result)
            tensors = [leaf for leaf in out_leaves if isinstance(leaf, (Tensor, np.ndarray))]
            trace.finish(tensors)
            text = trace.module.operation.get_asm(enable_debug_info=True)
        statics = [_TENSOR if isinstance(leaf, (Tensor, np.ndarray)) else leaf for leaf in out_leaves]
        from ..backends import get_backend

        return ConcreteFunction(self.name, trace.func.name.value, text, get_backend(backend),
                                trace.captures, list(trace.assigned), out_tree, statics,
                                trace.out_avals[:len(trace.out_avals) - len(trace.assigned)])

    def _warn_on_retracing(self, key) -> None:
        if self._trace_count <= RETRACE_WARNING_AFTER or self._warned:
            return
        self._warned = True
        change = _describe_change(self._last_key, key)
        filename, line = user_site()
        warnings.warn_explicit(
            f"@em.function '{self.name}' was traced {self._trace_count} times; the last retrace "
            f"happened because {change}. Each new input shape, dtype or Python value compiles a "
            f"new function: pass tensors of one shape, or fix the signature with input_signature=.",
            UserWarning, filename, line)


_SCALAR_TYPES = frozenset({bool, int, float, str, type(None)})


def _fast_key(args: tuple):
    """(key, arrays) of positional arguments that are all C-contiguous NumPy arrays, eager
    tensors or Python scalars: a key per shape and dtype (per type and value for scalars)
    that `__call__` maps to the concrete function the general path found for it; None for
    other arguments (the general path takes them)."""
    key, arrays = [], []
    for arg in args:
        kind = type(arg)
        if kind is EagerTensor:
            arg = arg._value
        elif kind is not np.ndarray:
            if kind not in _SCALAR_TYPES:
                return None
            key.append((kind, arg))
            continue
        if not arg.flags.c_contiguous:
            return None
        key.append((arg.shape, arg.dtype))
        arrays.append(arg)
    return tuple(key), arrays


def _as_array(leaf, spec, fname: str, index: int) -> np.ndarray:
    if isinstance(leaf, EagerTensor):
        array = leaf.numpy()
    elif isinstance(leaf, Tensor):
        raise TracingError(f"{fname}: argument {index} is a symbolic tensor of another trace")
    else:
        array = dtypes.to_numpy(leaf, spec.dtype if spec is not None and not isinstance(leaf, np.ndarray) else None)
    if spec is not None and (array.shape != spec.shape or array.dtype != spec.dtype.numpy):
        raise TracingError(f"{fname}: argument {index} does not match the input_signature: expected "
                           f"shape {spec.shape} and dtype {spec.dtype.name}, received shape "
                           f"{array.shape} and dtype {array.dtype}")
    return np.asarray(array, order="C")


def _describe_change(old, new) -> str:
    if old is None:
        return "it was called for the first time"
    if old[2] != new[2]:
        return f"the backend changed from '{old[2]}' to '{new[2]}' (em.device)"
    old_keys, new_keys = old[1], new[1]
    if old[0] != new[0] or len(old_keys) != len(new_keys):
        return "the structure of its arguments changed"
    for i, (a, b) in enumerate(zip(old_keys, new_keys)):
        if _same_key(a, b):
            continue
        if a[0] == b[0] == "tensor":
            return (f"argument {i} changed from shape {a[1]} {np.dtype(a[2]).name} "
                    f"to shape {b[1]} {np.dtype(b[2]).name}")
        return f"argument {i} changed from {a[2]!r} to {b[2]!r}"
    return "its arguments changed"


def _same_key(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "tensor":
        return a[1:] == b[1:]
    # NOTE: Variables are keyed by identity (their == is elementwise)
    return a[1] is b[1] and (a[2] is b[2] or (not isinstance(a[2], Tensor) and a[2] == b[2]))


class ConcreteFunction:
    """One traced signature of a Function: its ember IR and, once called, its executable."""

    def __init__(self, name, symbol, module_text, backend, captures, assigned, out_tree, statics,
                 out_avals):
        self.name = name
        self.symbol = symbol
        self.module_text = module_text
        self.backend = backend
        self.captures = captures        # inputs after the arguments: read at each call
        self.assigned = assigned        # variables whose new values end the outputs
        self.out_tree = out_tree
        self.statics = statics
        self.out_avals = out_avals      # of the tensors the function returns
        self._executable = None
        self._returned = len(out_avals)
        # NOTE: a function returning one tensor returns it as it is (no tree to rebuild)
        self._single = out_tree is None and len(statics) == 1 and statics[0] is _TENSOR

    @property
    def executable(self):
        if self._executable is None:
            from ..runtime.cache import compile_cached

            self._executable = compile_cached(self.backend, self.module_text, self.symbol)
        return self._executable

    def __call__(self, arrays):
        executable = self._executable or self.executable
        if self.captures:
            # NOTE: `_value`, not `.numpy()`: Variable.numpy() refuses inside a trace, and
            # Function.__call__ has run this outside of one already.
            arrays = list(arrays) + [c._value for c in self.captures]
        outputs = executable(arrays)
        n = self._returned
        if self.assigned:
            for variable, new in zip(self.assigned, outputs[n:]):
                variable._set(new)  # the buffer the compiled code wrote: no copy
        if self._single:
            return _eager(outputs[0], self.out_avals[0])
        results = iter(zip(outputs[:n], self.out_avals))
        leaves = [_eager(*next(results)) if s is _TENSOR else s for s in self.statics]
        return tree.unflatten(self.out_tree, leaves)


def _eager(array: np.ndarray, aval) -> EagerTensor:
    """EagerTensor(array) for an array the compiled code wrote, whose aval is known already
    (NOTE: what EagerTensor.__init__ computes again from the array, without the work)."""
    array.setflags(write=False)   # NOTE: half the cost of `flags.writeable = False`
    tensor = EagerTensor.__new__(EagerTensor)
    tensor._value, tensor.aval = array, aval
    return tensor


def function(fn=None, *, input_signature=None, backend: str | None = None):
    """Decorator: compile `fn` by tracing it (as tf.function / jax.jit).

    Args:
        input_signature: a list of `em.TensorSpec` fixing the accepted shapes and dtypes.
        backend: the name of a registered backend ("cpu", "triton"); by default the
            backend of the current `em.device` ("cpu" unless inside `with em.device("gpu")`),
            read when the function is traced.
    """
    if fn is None:
        return lambda f: Function(f, input_signature, backend)
    return Function(fn, input_signature, backend)
