"""`Layer`: the base class of Keras layers (and models) on ember.

A layer owns weights (`em.Variable`s made by `add_weight`), is built on its first call from
the shapes of its inputs (`build`), and computes with ember ops in `call`, so the same code
runs eagerly, inside `@em.function` (traced, compiled) and under `em.GradientTape`.
Called on symbolic `KerasTensor`s (the functional API) it records a node instead and
returns the output spec (`compute_output_shape`, or a throwaway trace of `call`).

The `training` argument reaches every nested layer: a layer called with `training=True`
passes it on to the layers it calls (a call context, as in Keras 3).

Example:
    >>> class Scale(em.keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
    ...     def call(self, x):
    ...         return x * self.w
    >>> Scale()(np.ones((2, 3), np.float32)).shape
    (2, 3)
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import math
import threading

import numpy as np

import ember as em

from ....frontend import dtypes, tree
from ....frontend.tensor import Tensor
from ....frontend.variable import Variable
from .. import initializers
from ..random import SeedGenerator
from .input_spec import InputSpec
from .keras_tensor import KerasTensor, Node, any_symbolic, eval_output_spec
from .naming import snake_case, unique_name

_context = threading.local()


# -- the call context: `training` reaches nested layers --------------------------------------
def _call_stack() -> list:
    if not hasattr(_context, "stack"):
        _context.stack = []
    return _context.stack


@contextlib.contextmanager
def _calling(training):
    stack = _call_stack()
    stack.append(training)
    try:
        yield
    finally:
        stack.pop()


def _inherited_training():
    stack = _call_stack()
    return stack[-1] if stack else None


@functools.lru_cache(maxsize=None)
def _call_takes_training(cls) -> bool:
    return "training" in inspect.signature(cls.call).parameters


def _shape_of(value):
    if isinstance(value, (Tensor, KerasTensor)):
        return tuple(value.shape)
    return value


def _shapes(structure):
    leaves, treedef = tree.flatten(structure)
    return tree.unflatten(treedef, [_shape_of(x) for x in leaves])


def _to_tensor(value, dtype):
    """A layer input: NumPy arrays become tensors; floats take the layer's dtype (Keras'
    autocasting; dtype None keeps them). Other values (flags, None, symbolic tensors) pass
    unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        value = em.constant(np.asarray(value))
    if (dtype is not None and isinstance(value, Tensor) and value.dtype.is_float
            and value.dtype is not dtype):
        value = em.cast(value, dtype)
    return value


def convert_inputs(args: tuple, kwargs: dict, dtype) -> tuple[tuple, dict]:
    """The call's arguments with arrays (anywhere in them) converted to tensors; a first
    argument of plain Python numbers (nested lists) becomes one tensor."""
    if args and isinstance(args[0], (list, tuple, int, float)) and not isinstance(args[0], bool):
        leaves = tree.flatten(args[0])[0]
        if leaves and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in leaves):
            args = (np.asarray(args[0]),) + tuple(args[1:])
    leaves, structure = tree.flatten((tuple(args), kwargs))
    return tree.unflatten(structure, [_to_tensor(x, dtype) for x in leaves])


class Layer:
    """The base class of layers: weights, build on first call, `call`, config.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name (default: the snake-cased class name, numbered).
        dtype: the dtype of the weights and of float computations ("float32").
        input_shape: for the first layer of a Sequential model, the shape of one sample.

    Example:
        >>> dense = em.keras.layers.Dense(4)
        >>> y = dense(np.ones((2, 3), np.float32))       # builds: kernel (3, 4), bias (4,)
        >>> [w.shape for w in dense.get_weights()]
        [(3, 4), (4,)]
    """

    def __init_subclass__(cls, **kwargs):
        """Wraps each `build` so that a layer built by hand (`layer.build(shape)`) is marked
        built, and its first call does not build it again."""
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is None or getattr(build, "_marks_built", False):
            return

        @functools.wraps(build)
        def wrapper(self, *args, **kw):
            build(self, *args, **kw)
            self.built = True

        wrapper._marks_built = True
        cls.build = wrapper

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 input_shape=None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{kwargs}")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"A layer's name must be a string. Received: name={name!r}")
        self._own_variables: list[Variable] = []
        self._trainable_by_design: set[int] = set()
        self._inbound_nodes: list[Node] = []
        self._losses: list = []
        self._trainable = bool(trainable)
        self.built = False
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = dtypes.as_dtype(dtype or "float32")
        self.input_spec: InputSpec | None = None
        self._build_shapes = None
        self._output_shape = None
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)

    # -- tracking -----------------------------------------------------------------------------
    def _attributes(self):
        return [v for k, v in vars(self).items() if k not in ("_inbound_nodes", "_own_variables")]

    @property
    def _sublayers(self) -> list["Layer"]:
        """The layers held in attributes (directly, or in lists, tuples and dicts), in the
        order they were assigned."""
        out, seen = [], {id(self)}
        for value in self._attributes():
            items = value.values() if isinstance(value, dict) else (
                value if isinstance(value, (list, tuple)) else [value])
            for item in items:
                if isinstance(item, Layer) and id(item) not in seen:
                    seen.add(id(item))
                    out.append(item)
        return out

    def _direct_variables(self) -> list[Variable]:
        """Weights made with add_weight, then Variables assigned to attributes."""
        out, seen = list(self._own_variables), {id(v) for v in self._own_variables}
        for value in self._attributes():
            if isinstance(value, Variable) and id(value) not in seen:
                seen.add(id(value))
                out.append(value)
        return out

    @property
    def layers(self) -> list["Layer"]:
        return self._sublayers

    @property
    def weights(self) -> list[Variable]:
        """Every weight: this layer's own (in creation order), then each sublayer's."""
        out, seen = [], set()
        for v in self._direct_variables() + [w for layer in self._sublayers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        own = [v for v in self._direct_variables() if v.trainable]
        return _unique(own + [w for layer in self._sublayers for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        own = [v for v in self._direct_variables() if not v.trainable]
        return _unique(own + [w for layer in self._sublayers for w in layer.non_trainable_weights])

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def variables(self) -> list[Variable]:
        """Weights and the states of the seed generators (Dropout's)."""
        seeds = [g.state for layer in [self] + self._all_sublayers()
                 for g in vars(layer).values() if isinstance(g, SeedGenerator)]
        return _unique(self.weights + seeds)

    def _all_sublayers(self) -> list["Layer"]:
        out = []
        for layer in self._sublayers:
            out.append(layer)
            out.extend(layer._all_sublayers())
        return _unique(out)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freezing a layer freezes its sublayers (recompile a model afterwards)."""
        value = bool(value)
        self._trainable = value
        for v in self._own_variables:
            if id(v) in self._trainable_by_design:
                v.trainable = value
        for layer in self._sublayers:
            layer.trainable = value

    # -- weights ------------------------------------------------------------------------------
    def add_weight(self, shape=(), initializer=None, dtype=None, trainable: bool = True,
                   name: str | None = None) -> Variable:
        """A new weight: an `em.Variable` of `shape`, initialised by `initializer`.

        Args:
            shape: the weight's shape.
            initializer: an initializer or its name (default: "glorot_uniform" for floats,
                "zeros" otherwise).
            dtype: defaults to the layer's dtype.
            trainable: whether training updates it.
            name: the weight's name (its full name is "<layer name>/<name>").
        """
        dtype = dtypes.as_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_float else "zeros"
        initializer = initializers.get(initializer)
        shape = tuple(int(d) for d in shape)
        value = np.asarray(initializer(shape, dtype=dtype.name), dtype=dtype.numpy)
        if value.shape != shape:
            raise ValueError(f"The initializer of weight '{name}' of layer '{self.name}' returned "
                             f"shape {value.shape}. Received: shape={shape}")
        index = len(self._own_variables)
        variable = Variable(value, trainable=trainable and self.trainable,
                            name=f"{self.name}/{name or f'variable_{index}'}")
        self._own_variables.append(variable)
        if trainable:
            self._trainable_by_design.add(id(variable))
        return variable

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as NumPy arrays (copies)."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights) -> None:
        """Sets every weight from a list of arrays in the order of `get_weights()`; checks all
        shapes first, so a mismatch changes nothing."""
        variables = self.weights
        weights = list(weights)
        if len(weights) != len(variables):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a '
                             f"weight list of length {len(weights)}, but the layer was expecting "
                             f"{len(variables)} weights.")
        arrays = []
        for variable, value in zip(variables, weights):
            array = np.asarray(value)
            if array.shape != variable.shape:
                raise ValueError(f'Layer "{self.name}": weight "{variable.name}" has shape '
                                 f"{variable.shape}, which is not compatible with the provided "
                                 f"weight shape {array.shape}.")
            arrays.append(array.astype(variable.dtype.numpy))
        for variable, array in zip(variables, arrays):
            variable.assign(array)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             f"layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(math.prod(v.shape) for v in self.weights))

    # -- losses -------------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Adds a scalar to the training loss (cleared at each outermost call)."""
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        return list(self._losses) + [l for layer in self._sublayers for l in layer.losses]

    def _clear_losses(self) -> None:
        self._losses.clear()
        for layer in self._sublayers:
            layer._clear_losses()

    # -- building -----------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Creates the weights for inputs of `input_shape` (overridden by layers with weights)."""
        self.built = True

    def _build_arguments(self, args, kwargs) -> dict | tuple:
        """What `build` takes: the first input's shape, or `<arg>_shape` for each argument
        of `call` that build names so (as MultiHeadAttention's query_shape, value_shape)."""
        params = [p for p in inspect.signature(self.build).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if len(params) <= 1 or not all(p.name.endswith("_shape") for p in params):
            return (_shapes(args[0]),)
        bound = inspect.signature(self.call).bind_partial(*args, **kwargs).arguments
        return {p.name: _shapes(bound.get(p.name[:-len("_shape")])) for p in params
                if p.name[:-len("_shape")] in bound}

    def _maybe_build(self, args, kwargs) -> None:
        if self.built:
            return
        shapes = self._build_arguments(args, kwargs)
        if isinstance(shapes, dict):
            self.build(**shapes)
        else:
            self.build(*shapes)
        self.built = True
        self._build_shapes = shapes

    # -- calling ------------------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call()")

    def _check_inputs(self, inputs) -> None:
        specs = self.input_spec
        if specs is None:
            return
        flat = [x for x in tree.flatten(inputs)[0] if isinstance(x, (Tensor, KerasTensor))]
        specs = specs if isinstance(specs, (list, tuple)) else [specs]
        for i, (spec, x) in enumerate(zip(specs, flat)):
            if spec is not None:
                spec.check(self.name, i, x.shape)

    def __call__(self, *args, **kwargs):
        if not args:
            raise ValueError(f"Layer '{self.name}' was called without inputs: pass the inputs as "
                             f"the first positional argument. Received: kwargs={sorted(kwargs)}")
        args, kwargs = convert_inputs(args, kwargs, self.input_dtype)
        training = kwargs.pop("training", None)
        if training is None:
            training = _inherited_training()
        if _call_takes_training(type(self)):
            kwargs["training"] = training
        if any_symbolic(args, kwargs):
            return self._symbolic_call(args, kwargs, training)
        outermost = not _call_stack()
        self._check_inputs(args[0])
        self._maybe_build(args, kwargs)
        if outermost:
            self._clear_losses()
        with _calling(training):
            outputs = self.call(*args, **kwargs)
        if self._output_shape is None:
            self._output_shape = _batchless(outputs)
        return outputs

    def _symbolic_call(self, args, kwargs, training):
        self._check_inputs(args[0])
        self._maybe_build(args, kwargs)
        with _calling(training):
            outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        self._output_shape = _shapes(outputs)
        return outputs

    @property
    def input_dtype(self):
        """The dtype float inputs are cast to when the layer is called: its own dtype (None
        leaves them as they are: models convert each input to its Input's dtype)."""
        return self.dtype

    def compute_output_shape(self, *args, **kwargs):
        """The output shape for input shapes (None for unknown dims); layers override it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement compute_output_shape()")

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors of the outputs for KerasTensor inputs: from compute_output_shape
        when the layer defines it, else by tracing `call` (nothing runs)."""
        if type(self).compute_output_shape is Layer.compute_output_shape:
            return eval_output_spec(self.call, args, kwargs)
        shapes = self._build_arguments(args, kwargs)
        shape = (self.compute_output_shape(**shapes) if isinstance(shapes, dict)
                 else self.compute_output_shape(*shapes))
        first = tree.flatten(args[0])[0][0]
        dtype = self.output_dtype(first.dtype)
        return KerasTensor(shape, dtype)

    def output_dtype(self, input_dtype):
        """The dtype of the output for an input dtype: the layer's dtype for float inputs,
        else the input's (shape-only layers keep integer dtypes)."""
        return self.dtype if input_dtype.is_float else input_dtype

    @property
    def output_shape(self):
        """The output shape of the last symbolic call (batch dim None), if any."""
        return self._output_shape

    # -- config -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments that recreate this layer (without weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unique(items: list) -> list:
    out, seen = [], set()
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _batchless(outputs):
    leaves, treedef = tree.flatten(outputs)
    return tree.unflatten(treedef, [(None,) + tuple(x.shape[1:]) if isinstance(x, Tensor) and x.ndim
                                    else _shape_of(x) for x in leaves])
