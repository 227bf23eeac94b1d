"""Static memory layouts: every tensor of a compiled program has a known (shape, strides,
offset) over its buffer, so shape ops are views and kernels index them with constants."""
from __future__ import annotations

from dataclasses import dataclass


def contiguous_strides(shape) -> tuple[int, ...]:
    strides, step = [], 1
    for d in reversed(shape):
        strides.append(step)
        step *= d
    return tuple(reversed(strides))


@dataclass(frozen=True)
class Layout:
    """Element strides and offset of a tensor inside its buffer."""

    shape: tuple
    strides: tuple
    offset: int = 0

    @staticmethod
    def contiguous(shape) -> "Layout":
        return Layout(tuple(shape), contiguous_strides(shape), 0)

    @property
    def is_contiguous(self) -> bool:
        """Row-major and dense (size-1 dims may have any stride); offset 0."""
        return self.offset == 0 and self.is_dense

    @property
    def is_dense(self) -> bool:
        want = contiguous_strides(self.shape)
        return all(d == 1 or s == w for d, s, w in zip(self.shape, self.strides, want))

    def broadcast_to(self, shape) -> "Layout":
        """This tensor read as `shape` under NumPy broadcasting (stride 0 where it repeats)."""
        shape = tuple(shape)
        lead = len(shape) - len(self.shape)
        strides = [0] * lead + [0 if d == 1 and out != 1 else s
                                for d, s, out in zip(self.shape, self.strides, shape[lead:])]
        return Layout(shape, tuple(strides), self.offset)

    def transpose(self, perm) -> "Layout":
        return Layout(tuple(self.shape[p] for p in perm), tuple(self.strides[p] for p in perm),
                      self.offset)

    def slice(self, start, stride, shape) -> "Layout":
        offset = self.offset + sum(s * st for s, st in zip(start, self.strides))
        return Layout(tuple(shape), tuple(st * k for st, k in zip(self.strides, stride)), offset)

    def reshape(self, shape) -> "Layout | None":
        """The view of `shape` over the same buffer, or None where a copy is needed."""
        if not self.is_dense:
            return None
        return Layout(tuple(shape), contiguous_strides(shape), self.offset)
