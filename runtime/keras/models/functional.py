"""`Functional`: a model defined by a graph of layer calls on `Input` tensors.

`em.keras.Model(inputs, outputs)` walks back from `outputs` through the nodes recorded when
layers were called on KerasTensors, and keeps them in topological order; calling the model
replays the nodes on real tensors (eagerly, or inside a traced step).

Example:
    >>> inputs = em.keras.Input(shape=(8, 8, 1))
    >>> x = em.keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    >>> x = em.keras.layers.Flatten()(x)
    >>> outputs = em.keras.layers.Dense(10, activation="softmax")(x)
    >>> model = em.keras.Model(inputs, outputs)
"""
from __future__ import annotations

import numpy as np

import ember as em

from ....frontend import tree
from ....frontend.tensor import Tensor
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.layer import Layer
from .model import Model


def _map_graph(inputs: list, outputs: list):
    """(nodes in topological order, layers in order of first use, input layers first)."""
    input_ids = {id(t) for t in inputs}
    order, visited = [], set()

    def visit(node, consumer):
        if id(node) in visited:
            return
        visited.add(id(node))
        if node.is_input:
            raise ValueError(f"Graph disconnected: cannot find parent for tensor "
                             f"{node.output_tensors[0]!r} at layer '{consumer}': it comes from an "
                             f"Input that is not in the model's `inputs`.")
        for t in node.input_tensors:
            if id(t) not in input_ids:
                history = t._keras_history
                visit(history.layer._inbound_nodes[history.node_index], node.layer.name)
        order.append(node)

    for t in outputs:
        if id(t) not in input_ids:
            history = t._keras_history
            visit(history.layer._inbound_nodes[history.node_index], "output")
    layers, seen = [], set()
    for layer in [t._keras_history.layer for t in inputs] + [n.layer for n in order]:
        if id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
    return order, layers


def _check_tensors(value, what: str) -> list:
    leaves = tree.flatten(value)[0]
    if not leaves:
        raise ValueError(f"A functional model needs at least one tensor in `{what}`. "
                         f"Received: {what}={value!r}")
    for t in leaves:
        if not isinstance(t, KerasTensor) or t._keras_history is None:
            raise ValueError(f"All `{what}` of a functional model must be KerasTensors, made by "
                             f"em.keras.Input() or by calling layers on them. Received: "
                             f"{what}={value!r}")
    return leaves


class Functional(Model):
    """A model from `inputs` (KerasTensors of `Input`) to `outputs` (KerasTensors computed
    from them), as a list, dict or single tensor each.

    Args:
        inputs: the model's Input tensors.
        outputs: the tensors it returns.
        name: the model's name (default "functional", numbered).
        trainable: whether its weights are trained.

    Example:
        >>> a, b = em.keras.Input((4,), name="a"), em.keras.Input((6,), name="b")
        >>> merged = em.keras.layers.Concatenate()([a, b])
        >>> model = em.keras.Model([a, b], em.keras.layers.Dense(1)(merged))
        >>> model.predict([np.ones((2, 4)), np.ones((2, 6))], verbose=0).shape
        (2, 1)
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, dtype=None):
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype)
        self._init_trainer()
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs = _check_tensors(inputs, "inputs")
        self.outputs = _check_tensors(outputs, "outputs")
        self._nodes, self._operations = _map_graph(self.inputs, self.outputs)
        self.built = True
        self._output_shape = tree.unflatten(tree.flatten(outputs)[1], [t.shape for t in self.outputs])

    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph (Input layers first), in order of use."""
        return list(self._operations)

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [t._keras_history.layer.name for t in self.outputs]

    def build(self, input_shape=None) -> None:
        self.built = True

    @property
    def input_dtype(self):
        """None: `call` converts each input to the dtype of its Input, as Keras does."""
        return None

    def _flatten_inputs(self, inputs) -> list:
        n = len(self.inputs)
        if isinstance(inputs, dict):
            names = (sorted(self._inputs_struct) if isinstance(self._inputs_struct, dict)
                     else [t.name for t in self.inputs])
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(f'Layer "{self.name}" expects inputs named {names}, but the dict '
                                 f"has no {missing}. Received keys: {sorted(inputs)}")
            return [inputs[k] for k in names]
        if n == 1 and isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        flat = tree.flatten(inputs)[0] if n > 1 else [inputs]
        if len(flat) != n:
            raise ValueError(f'Layer "{self.name}" expects {n} input(s), but it received '
                             f"{len(flat)} input tensors.")
        return flat

    def _check_input(self, i: int, spec: KerasTensor, x):
        if not isinstance(x, Tensor):
            x = em.constant(np.asarray(x))
        shape = tuple(x.shape)
        if len(shape) != len(spec.shape) or any(
                d is not None and d != e for d, e in zip(spec.shape, shape)):
            raise ValueError(f'Input {i} of layer "{self.name}" is incompatible with the layer: '
                             f"expected shape={spec.shape}, found shape={shape}")
        if x.dtype is not spec.dtype:
            x = em.cast(x, spec.dtype)
        return x

    def call(self, inputs, training=None):
        flat = self._flatten_inputs(inputs)
        values = {id(t): self._check_input(i, t, x) for i, (t, x) in enumerate(zip(self.inputs, flat))}
        for node in self._nodes:
            args, kwargs = node.arguments(values)
            outputs = node.layer(*args, **kwargs)
            for t, value in zip(node.output_tensors, tree.flatten(outputs)[0]):
                values[id(t)] = value
        structure = tree.flatten(self._outputs_struct)[1]
        return tree.unflatten(structure, [values[id(t)] for t in self.outputs])

    # -- config ----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        from ..layers import serialize

        own = {id(n) for n in self._nodes}
        local: dict[int, int] = {}  # id(node) -> its index among the layer's nodes in this model
        layer_configs = []
        for layer in self._operations:
            nodes = ([layer._inbound_nodes[0]] if isinstance(layer, InputLayer)
                     else [n for n in layer._inbound_nodes if id(n) in own])
            for i, node in enumerate(nodes):
                local[id(node)] = i
            layer_configs.append({**serialize(layer), "name": layer.name, "inbound_nodes": [
                {"args": _encode(n.call_args, local), "kwargs": _encode(n.call_kwargs, local)}
                for n in nodes if not n.is_input]})
        if any(not isinstance(t._keras_history.layer, InputLayer) for t in self.inputs):
            raise NotImplementedError(f"Model '{self.name}' has inputs that are not Input tensors; "
                                      f"it cannot be serialized.")
        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "input_layers": _encode(self._inputs_struct, local),
                "output_layers": _encode(self._outputs_struct, local)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from ..layers import deserialize

        layers = {c["name"]: deserialize(c, custom_objects) for c in config["layers"]}
        tensors: dict[tuple, KerasTensor] = {}
        for name, layer in layers.items():
            if isinstance(layer, InputLayer):
                tensors[(name, 0, 0)] = layer.output
        pending = [(c["name"], i, node) for c in config["layers"]
                   for i, node in enumerate(c["inbound_nodes"])]
        while pending:
            ready = [p for p in pending if _available(p[2], tensors)
                     and not any(q[0] == p[0] and q[1] < p[1] for q in pending)]
            if not ready:
                raise ValueError(f"Cannot rebuild model '{config['name']}': its config refers to "
                                 f"tensors no layer makes.")
            for name, index, node in ready:
                args = _decode(node["args"], tensors)
                outputs = layers[name](*args, **_decode(node["kwargs"], tensors))
                for j, t in enumerate(tree.flatten(outputs)[0]):
                    tensors[(name, index, j)] = t
                pending.remove((name, index, node))
        return cls(_decode(config["input_layers"], tensors), _decode(config["output_layers"], tensors),
                   name=config["name"], trainable=config.get("trainable", True))


_TENSOR = "__keras_tensor__"


def _encode(value, local: dict):
    if isinstance(value, KerasTensor):
        history = value._keras_history
        node = history.layer._inbound_nodes[history.node_index]
        return {_TENSOR: [history.layer.name, local.get(id(node), 0), history.tensor_index]}
    if isinstance(value, (list, tuple)):
        return [_encode(v, local) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v, local) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise NotImplementedError(f"A layer call argument of type {type(value).__name__} cannot be "
                              f"serialized.")


def _decode(value, tensors: dict):
    if isinstance(value, dict) and _TENSOR in value:
        return tensors[tuple(value[_TENSOR])]
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v, tensors) for k, v in value.items()}
    return value


def _available(node: dict, tensors: dict) -> bool:
    refs = []

    def collect(value):
        if isinstance(value, dict) and _TENSOR in value:
            refs.append(tuple(value[_TENSOR]))
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)

    collect(node["args"])
    collect(node["kwargs"])
    return all(r in tensors for r in refs)
