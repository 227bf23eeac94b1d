"""`Add`: the elementwise sum of a list of inputs."""
from __future__ import annotations

from .merge import Merge


def broadcast_shapes(shapes, layer: str):
    """NumPy broadcasting of shapes with None dims; ValueError naming the shapes."""
    rank = max(len(s) for s in shapes)
    out = []
    for dims in zip(*[(1,) * (rank - len(s)) + tuple(s) for s in shapes]):
        known = {d for d in dims if d not in (None, 1)}
        if len(known) > 1:
            raise ValueError(f"Inputs of a `{layer}` layer must have the same shape (or "
                             f"broadcastable shapes). Received: input_shape={list(shapes)}")
        out.append(known.pop() if known else (None if None in dims else 1))
    return tuple(out)


class Add(Merge):
    """Sums its inputs elementwise (same shapes, or broadcastable ones).

    Example:
        >>> a, b = em.keras.Input((4,)), em.keras.Input((4,))
        >>> em.keras.layers.Add()([a, b]).shape
        (None, 4)
    """

    def compute_output_shape(self, input_shape):
        return broadcast_shapes(self._check_list(input_shape), "Add")

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out
