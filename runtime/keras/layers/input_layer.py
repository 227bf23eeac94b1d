"""`InputLayer` and `Input`: the entry points of functional and Sequential models."""
from __future__ import annotations

from .keras_tensor import KerasTensor, Node
from .layer import Layer


class InputLayer(Layer):
    """Holds the symbolic input tensor of a model.

    Args:
        shape: the shape of one sample (without the batch axis).
        batch_size: a fixed batch size, or None.
        dtype: the input's dtype ("float32").
        batch_shape: the full shape instead of shape and batch_size.
        name: the layer's (and the input's) name.

    Example:
        >>> layer = em.keras.layers.InputLayer(shape=(64,))
        >>> layer.output.shape
        (None, 64)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if (shape is None) == (batch_shape is None):
            raise ValueError(f"InputLayer: pass exactly one of `shape` and `batch_shape`. "
                             f"Received: shape={shape}, batch_shape={batch_shape}")
        if batch_shape is None:
            try:
                batch_shape = (batch_size,) + tuple(shape)
            except TypeError:
                raise ValueError(f"InputLayer: `shape` must be a tuple of ints (or None). "
                                 f"Received: shape={shape!r}") from None
        batch_shape = tuple(batch_shape)
        if any(d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0)
               for d in batch_shape):
            raise ValueError(f"InputLayer: every dim must be a non-negative int or None. "
                             f"Received: batch_shape={batch_shape}")
        self.batch_shape = batch_shape
        self.built = True
        self.output = KerasTensor(batch_shape, self.dtype, name=self.name)
        Node(self, (), {}, self.output)
        self._output_shape = batch_shape

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype.name, "batch_shape": self.batch_shape}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
    """A symbolic tensor standing for a model's input (Keras' `keras.Input`).

    Args:
        shape: the shape of one sample, e.g. (28, 28, 1).
        batch_size: a fixed batch size, or None.
        dtype: "float32" (default), or e.g. "int32" for token ids.
        name: a name for the input.
        batch_shape: the full shape instead of shape and batch_size.

    Example:
        >>> x = em.keras.Input(shape=(64,))
        >>> model = em.keras.Model(x, em.keras.layers.Dense(10)(x))
    """
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      batch_shape=batch_shape).output
