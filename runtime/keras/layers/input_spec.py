"""`InputSpec`: the ranks and axis sizes a layer accepts, checked at each call."""
from __future__ import annotations


class InputSpec:
    """What a layer accepts: rank bounds and fixed sizes of some axes.

    Args:
        ndim: the exact rank.
        min_ndim: the smallest rank.
        axes: {axis: size} that must hold (negative axes count from the end).
    """

    def __init__(self, ndim=None, min_ndim=None, axes=None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer_name: str, index: int, shape) -> None:
        shape = tuple(shape)
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        if self.ndim is not None and len(shape) != self.ndim:
            raise ValueError(f"{where}: expected ndim={self.ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {shape}")
        if self.min_ndim is not None and len(shape) < self.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={self.min_ndim}, found "
                             f"ndim={len(shape)}. Full shape received: {shape}")
        for axis, size in self.axes.items():
            if not -len(shape) <= axis < len(shape):
                raise ValueError(f"{where}: expected an axis {axis} of size {size}, but the input "
                                 f"has shape {shape}")
            if size is not None and shape[axis] is not None and shape[axis] != size:
                raise ValueError(f"{where}: expected axis {axis} of input shape to have value "
                                 f"{size}, but received input with shape {shape}")
