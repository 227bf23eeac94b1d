"""The base of the layers that merge a list of inputs (Add, Concatenate)."""
from __future__ import annotations

from .layer import Layer


class Merge(Layer):
    """Takes a list of at least two tensors; subclasses define `_merge` and the output shape."""

    def _check_list(self, input_shape) -> list[tuple]:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"A `{type(self).__name__}` layer should be called on a list of at "
                             f"least 2 inputs. Received: input_shape={input_shape}")
        return [tuple(s) for s in input_shape]

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"A `{type(self).__name__}` layer should be called on a list of at "
                             f"least 2 inputs. Received: inputs={inputs!r}")
        return self._merge(list(inputs))
