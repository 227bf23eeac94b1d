"""`Concatenate`: joins a list of inputs along an axis."""
from __future__ import annotations

import ember as em

from .merge import Merge


class Concatenate(Merge):
    """Joins its inputs along `axis`; the other axes must match.

    Args:
        axis: the axis to join along (default the last).

    Example:
        >>> a, b = em.keras.Input((4,)), em.keras.Input((6,))
        >>> em.keras.layers.Concatenate()([a, b]).shape
        (None, 10)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate: `axis` must be an int. Received: axis={axis!r}")
        self.axis = axis

    def compute_output_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise self._mismatch(shapes)
        axis = self.axis % rank
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (d, e) in enumerate(zip(out, s)):
                if i == axis:
                    out[i] = None if d is None or e is None else d + e
                elif d is not None and e is not None and d != e:
                    raise self._mismatch(shapes)
                elif d is None:
                    out[i] = e
        return tuple(out)

    def _mismatch(self, shapes):
        return ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for "
                          f"the concatenation axis. Received: input_shape={shapes}, "
                          f"axis={self.axis}")

    def _merge(self, inputs):
        self.compute_output_shape([x.shape for x in inputs])
        return em.concat(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
