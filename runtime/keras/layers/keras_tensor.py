"""Symbolic Keras tensors and the nodes that connect them (the functional API's graph).

`em.keras.Input(shape)` returns a `KerasTensor`: a shape (the batch dim is None) and a
dtype, with no value. Calling a layer on KerasTensors runs no op: it records a `Node`
(the layer and its arguments) and returns new KerasTensors, each remembering the node that
made it (`_keras_history`). A functional `Model(inputs, outputs)` walks these nodes back
from its outputs, and replays them on real tensors when it is called.

`eval_output_spec` finds the KerasTensors a function returns for KerasTensor arguments by
tracing it once in a throwaway trace (nothing is compiled or run).

Example:
    >>> x = em.keras.Input(shape=(64,))
    >>> y = em.keras.layers.Dense(10)(x)
    >>> y.shape, y._keras_history.layer.name
    ((None, 10), 'dense')
"""
from __future__ import annotations

from collections import namedtuple

from ....frontend import dtypes, tree
from ....frontend.tensor import Tensor

KerasHistory = namedtuple("KerasHistory", ["layer", "node_index", "tensor_index"])


class KerasTensor:
    """A symbolic tensor of the functional API: a shape (None for unknown dims) and a dtype.

    Args:
        shape: a tuple of ints or None.
        dtype: an ember dtype or its name.
        name: an optional name (Input's name).
    """

    def __init__(self, shape, dtype="float32", name: str | None = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name
        self._keras_history: KerasHistory | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}{name}>"

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "A KerasTensor is symbolic: it stands for the input of a functional model and has no "
            "value. Pass it to Keras layers (em.keras.layers.*) to build a model, then call the "
            f"model on data. Received: {self!r}")

    def __bool__(self):
        raise TypeError(f"A KerasTensor has no truth value (it is symbolic). Received: {self!r}")


class Node:
    """One call of a layer on KerasTensors: its arguments and its outputs.

    The node is appended to `layer._inbound_nodes`, and every output KerasTensor records
    (layer, node index, tensor index) as its `_keras_history`.
    """

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in tree.flatten((call_args, call_kwargs))[0]
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in tree.flatten(outputs)[0] if isinstance(t, KerasTensor)]
        layer._inbound_nodes.append(self)
        index = len(layer._inbound_nodes) - 1
        for i, t in enumerate(self.output_tensors):
            t._keras_history = KerasHistory(layer, index, i)

    @property
    def parent_nodes(self) -> list["Node"]:
        """The nodes that made this node's inputs."""
        out = []
        for t in self.input_tensors:
            history = t._keras_history
            if history is not None:
                out.append(history.layer._inbound_nodes[history.node_index])
        return out

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def arguments(self, values: dict) -> tuple[tuple, dict]:
        """The call's (args, kwargs) with each KerasTensor replaced by `values[id(tensor)]`."""
        leaves, structure = tree.flatten((self.call_args, self.call_kwargs))
        leaves = [values[id(t)] if isinstance(t, KerasTensor) else t for t in leaves]
        return tree.unflatten(structure, leaves)


def is_keras_tensor(value) -> bool:
    return isinstance(value, KerasTensor)


def any_symbolic(args, kwargs) -> bool:
    return any(isinstance(t, KerasTensor) for t in tree.flatten((args, kwargs))[0])


_DUMMY_SIZES = (83, 89)  # NOTE: two unlikely sizes for unknown dims; dims that follow them are unknown


def eval_output_spec(fn, args, kwargs):
    """KerasTensors of fn(*args, **kwargs) for KerasTensor arguments, found by tracing fn in
    a throwaway trace (nothing is compiled or run). Unknown dims (None) are traced with two
    sizes: output dims that change with them are unknown too."""
    from ....dialects.primitive import AVal
    from ....frontend.trace import Trace

    leaves, structure = tree.flatten((args, kwargs))
    symbolic = [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]
    unknown = any(d is None for t in symbolic for d in t.shape)
    results = []
    for size in _DUMMY_SIZES[:2 if unknown else 1]:
        avals = [AVal(tuple(size if d is None else d for d in t.shape), t.dtype) for t in symbolic]
        with Trace("eval_output_spec", avals) as trace:
            it = iter(trace.args)
            concrete = [next(it) if isinstance(leaf, KerasTensor) else leaf for leaf in leaves]
            call_args, call_kwargs = tree.unflatten(structure, concrete)
            out = fn(*call_args, **call_kwargs)
            out_leaves, out_structure = tree.flatten(out)
            results.append(([(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else o
                             for o in out_leaves], out_structure))
    first, out_structure = results[0]
    last = results[-1][0]
    spec = []
    for a, b in zip(first, last):
        if isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], dtypes.DType):
            shape = tuple(d if d == e else None for d, e in zip(a[0], b[0]))
            spec.append(KerasTensor(shape, a[1]))
        else:
            spec.append(a)
    return tree.unflatten(out_structure, spec)
