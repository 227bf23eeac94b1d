"""`Sequential`: a plain stack of layers, each feeding the next.

With an `Input` (or `input_shape=` on the first layer) the model is built as soon as layers
are added: weights exist and `summary()` shows every output shape. Otherwise it is built
on its first call, from the shape of the data.

Example:
    >>> model = em.keras.Sequential([
    ...     em.keras.Input(shape=(64,)),
    ...     em.keras.layers.Dense(32, activation="relu"),
    ...     em.keras.layers.Dense(10, activation="softmax"),
    ... ])
    >>> model.count_params()                     # 64 * 32 + 32 + 32 * 10 + 10
    2410
"""
from __future__ import annotations

from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.layer import Layer
from .model import Model


class Sequential(Model):
    """A stack of layers called in order.

    Args:
        layers: the layers (an `em.keras.Input(...)` first fixes the input shape).
        trainable: whether its weights are trained.
        name: the model's name (default "sequential", numbered).

    Example:
        >>> model = em.keras.Sequential(name="mlp")
        >>> model.add(em.keras.Input(shape=(4,)))
        >>> model.add(em.keras.layers.Dense(2))
        >>> model.output_shape
        (None, 2)
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None, dtype=None):
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype)
        self._init_trainer()
        self._stack: list[Layer] = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild: bool = True) -> None:
        """Appends a layer (or an `Input` tensor, which must come first)."""
        if isinstance(layer, KerasTensor) and isinstance(getattr(layer._keras_history, "layer", None), InputLayer):
            layer = layer._keras_history.layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `em.keras.layers.Layer` can be added to a "
                             f"Sequential model. Received: {layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(f"An Input (InputLayer) can only be the first layer of Sequential "
                             f"model '{self.name}'. Received: {layer.name} after "
                             f"{[l.name for l in self._stack]}")
        if any(l.name == layer.name for l in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model. "
                             f"Update the `name` argument to pass a unique name.")
        self._stack.append(layer)
        if rebuild:
            self._maybe_rebuild()

    def pop(self) -> Layer:
        """Removes and returns the last layer."""
        if not self.layers:
            raise ValueError(f"There are no layers in Sequential model '{self.name}' to pop.")
        layer = self._stack.pop()
        self._maybe_rebuild()
        return layer

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer (as in Keras)."""
        return [l for l in self._stack if not isinstance(l, InputLayer)]

    @property
    def _input_layer(self) -> InputLayer | None:
        return self._stack[0] if self._stack and isinstance(self._stack[0], InputLayer) else None

    @property
    def output_names(self) -> list[str]:
        return [self.layers[-1].name] if self.layers else []

    @property
    def input_shape(self):
        return None if self._input_layer is None else self._input_layer.batch_shape

    @property
    def input_dtype(self):
        """Float inputs are cast to the dtype of the Input, if any (as Keras)."""
        return self.dtype if self._input_layer is None else self._input_layer.dtype

    def _maybe_rebuild(self) -> None:
        """Builds the stack symbolically when its input shape is known."""
        self.built = False
        first = self._stack[0] if self._stack else None
        if first is not None and self._input_layer is None and first._input_shape_arg is not None:
            self._stack.insert(0, InputLayer(shape=first._input_shape_arg))
        if self._input_layer is not None and self.layers:
            self._build_graph()

    def build(self, input_shape=None) -> None:
        """Builds every layer for inputs of `input_shape` (its batch axis becomes None)."""
        if not self.layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers to build.")
        if self._input_layer is None:
            if input_shape is None:
                raise ValueError(f"Sequential model '{self.name}' has no Input: pass an "
                                 f"input_shape to build().")
            self._stack.insert(0, InputLayer(batch_shape=(None,) + tuple(input_shape)[1:]))
        self._build_graph()

    def _build_graph(self) -> None:
        x = self._input_layer.output
        for layer in self.layers:
            x = layer(x)
        self._output_shape = tuple(x.shape)
        self.built = True

    def call(self, inputs, training=None):
        if not self.layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers.")
        spec = self._input_layer
        if spec is not None and hasattr(inputs, "shape"):
            shape = tuple(inputs.shape)
            if len(shape) != len(spec.batch_shape) or any(
                    d is not None and d != e for d, e in zip(spec.batch_shape, shape)):
                raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                                 f"expected shape={spec.batch_shape}, found shape={shape}")
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    def get_config(self) -> dict:
        from ..layers import serialize

        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize(layer) for layer in self._stack]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from ..layers import deserialize

        layers = [deserialize(c, custom_objects) for c in config["layers"]]
        return cls(layers, trainable=config.get("trainable", True), name=config["name"])
