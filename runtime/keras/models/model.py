"""`Model`: a layer with training (compile/fit/evaluate/predict), summary and weight files.

Three ways to make one, as in Keras: `Sequential([...])`, the functional
`Model(inputs, outputs)` (which returns a `Functional`), or a subclass defining `call`.

Example:
    >>> class MLP(em.keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = em.keras.layers.Dense(64, activation="relu")
    ...         self.out = em.keras.layers.Dense(10)
    ...     def call(self, x, training=None):
    ...         return self.out(self.hidden(x))
    >>> model = MLP()
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
"""
from __future__ import annotations

from ..layers.keras_tensor import KerasTensor, eval_output_spec
from ..layers.layer import Layer
from . import saving, summary
from .trainer import Trainer


def _is_functional_call(args, kwargs) -> bool:
    return (len(args) == 2 or ("inputs" in kwargs and "outputs" in kwargs)
            or (len(args) == 1 and "outputs" in kwargs))


class Model(Trainer, Layer):
    """A trainable group of layers.

    Args:
        inputs, outputs: (functional API) the `Input` tensors and the tensors computed
            from them; `Model(inputs, outputs)` returns a functional model.
        name: the model's name.
        trainable: whether its weights are trained.

    Example:
        >>> x = em.keras.Input(shape=(64,))
        >>> y = em.keras.layers.Dense(10, activation="softmax")(x)
        >>> model = em.keras.Model(x, y)
        >>> model.count_params()
        650
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            from .functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, trainable: bool = True, name: str | None = None, dtype=None, **kwargs):
        if args or kwargs:
            raise ValueError(f"Unrecognized arguments passed to Model: "
                             f"{list(args) + sorted(kwargs)}. A subclassed model takes `name`, "
                             f"`trainable` and `dtype`; a functional one `inputs` and `outputs`.")
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype)
        self._init_trainer()

    def _maybe_build(self, args, kwargs) -> None:
        """A subclassed model (with Model's build) is built by its first call: its layers
        build themselves as call() reaches them."""
        if not self.built and type(self).build is Model.build:
            self.built = True
            return
        super()._maybe_build(args, kwargs)

    def build(self, input_shape) -> None:
        """Creates the weights of a subclassed model by tracing `call` on inputs of
        `input_shape` (None for the batch axis); nothing is computed."""
        if type(self).call is Model.call:
            raise ValueError(f"Model '{self.name}' has no call(): subclass Model and define "
                             f"call(), or use Sequential or the functional API.")
        if self.built:
            return
        self.built = True  # NOTE: before tracing, so the traced __call__ does not build again
        try:
            eval_output_spec(lambda x: self(x, training=False),
                             (KerasTensor(tuple(input_shape), self.dtype),), {})
        except Exception:
            self.built = False
            raise

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Model '{self.name}' does not define call().")

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer named `name`, or at position `index` of `layers`."""
        if (name is None) == (index is None):
            raise ValueError(f"Provide exactly one of `name` and `index`. Received: name={name!r}, "
                             f"index={index!r}")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}' has {len(self.layers)} layers. "
                                 f"Received: index={index}")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def summary(self, line_length=None, positions=None, print_fn=None) -> None:
        """Prints the Keras table: each layer's name (type), output shape and parameter
        count, then the total, trainable and non-trainable parameter counts.

        Args:
            line_length: the table's width (default 88; 108 with a "Connected to" column).
            positions: relative or absolute column ends.
            print_fn: called with the whole text instead of print (e.g. to capture it).
        """
        summary.print_summary(self, line_length=line_length, positions=positions,
                              print_fn=print_fn)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Writes the weights to a `.weights.npz` (or `.npz`) file atomically: to a temporary
        file in the same folder, then renamed over `filepath`, so it is never half-written."""
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath) -> None:
        """Reads weights written by `save_weights`; checks every shape before setting any."""
        saving.load_weights(self, filepath)

    def save(self, filepath, overwrite: bool = True) -> None:
        """Writes the model's config and weights to a `.keras` file (atomically), for
        `em.keras.models.load_model`."""
        saving.save_model(self, filepath, overwrite=overwrite)

    def get_config(self) -> dict:
        raise NotImplementedError(f"Model '{self.name}' is a subclassed model: override "
                                  f"get_config() (and from_config) to serialize it.")
