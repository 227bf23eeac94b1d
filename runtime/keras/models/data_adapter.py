"""Training data as batches: NumPy arrays (or tensors, lists, dicts of them) split, shuffled
and sliced per epoch, as Keras' array data adapter does.

Example:
    >>> adapter = ArrayDataAdapter(np.zeros((100, 4)), np.zeros(100), batch_size=32, shuffle=True)
    >>> adapter.num_batches, [b[0].shape[0] for b in adapter.epoch()]
    (4, [32, 32, 32, 4])
"""
from __future__ import annotations

import math

import numpy as np

from ....frontend import tree
from ....frontend.tensor import Tensor
from .. import random as keras_random


def to_arrays(data, what: str):
    """`data` (an array, a tensor, or a list/tuple/dict of them) with NumPy leaves; float64
    becomes float32 (Keras' floatx), lists of numbers become arrays."""
    if data is None:
        return None
    if isinstance(data, (list, tuple)) and data and all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            for v in tree.flatten(data)[0]):
        data = np.asarray(data)
    leaves, structure = tree.flatten(data)
    out = []
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            leaf = np.asarray(leaf.numpy())
        elif not isinstance(leaf, np.ndarray):
            try:
                leaf = np.asarray(leaf)
            except (TypeError, ValueError):
                leaf = None
            if leaf is None or leaf.dtype == object:
                raise ValueError(f"`{what}` must be NumPy arrays or ember tensors (or lists/dicts "
                                 f"of them). Received: {what} of type {type(data).__name__}")
        if leaf.ndim == 0:
            raise ValueError(f"`{what}` must have a batch axis; received a scalar. "
                             f"Received: {what}={leaf!r}")
        if leaf.dtype == np.float64:
            leaf = leaf.astype(np.float32)
        out.append(leaf)
    return tree.unflatten(structure, out)


def num_samples(**named) -> int:
    """The common length of every array of x, y and sample_weight; ValueError if they differ."""
    sizes = {name: [len(a) for a in tree.flatten(value)[0]] for name, value in named.items()
             if value is not None}
    distinct = {n for s in sizes.values() for n in s}
    if len(distinct) > 1:
        detail = " ".join(f"'{name}' sizes: {', '.join(map(str, s))}" for name, s in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous: {detail}. Make sure all arrays contain "
                         f"the same number of samples.")
    if not distinct or 0 in distinct:
        raise ValueError(f"Expected input data to be non-empty. Received: "
                         f"{ {name: s for name, s in sizes.items()} } samples")
    return distinct.pop()


def take(data, index):
    """The rows `index` (a slice or an index array) of every array in `data`."""
    if data is None:
        return None
    leaves, structure = tree.flatten(data)
    return tree.unflatten(structure, [leaf[index] for leaf in leaves])


def train_validation_split(arrays: tuple, validation_split: float):
    """(train arrays, validation arrays): the last `validation_split` of the samples are the
    validation data, taken before any shuffling (as Keras)."""
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) or \
            not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be a float in (0, 1). "
                         f"Received: validation_split={validation_split!r}")
    x, y, sample_weight = arrays
    n = num_samples(x=x, y=y, sample_weight=sample_weight)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split "
                         f"it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, or a "
                         f"different value for the `validation_split` argument.")
    first, last = slice(0, split_at), slice(split_at, n)
    return (tuple(take(a, first) for a in arrays), tuple(take(a, last) for a in arrays))


def unpack_validation_data(validation_data):
    """(x, y, sample_weight) from a (x, y) or (x, y, sample_weight) tuple."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(f"`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                         f"val_sample_weight). Received: validation_data of type "
                         f"{type(validation_data).__name__}")
    x, y, *rest = validation_data
    return x, y, (rest[0] if rest else None)


def check_batch_size(batch_size) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    return int(batch_size)


class ArrayDataAdapter:
    """Batches of (x, y, sample_weight) from arrays.

    Args:
        x, y, sample_weight: arrays (or structures of arrays) with one row per sample.
        batch_size: rows per batch (default 32); the last batch of an epoch may be smaller.
        shuffle: a new random order each epoch (from the global seed stream).
        steps: batches per epoch (`steps_per_epoch`); batches then continue through the data
            across epochs instead of restarting it.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
        self.x = to_arrays(x, "x")
        self.y = to_arrays(y, "y")
        self.sample_weight = to_arrays(sample_weight, "sample_weight")
        if self.x is None:
            raise ValueError("No input data: pass the inputs as `x`. Received: x=None")
        self.size = num_samples(x=self.x, y=self.y, sample_weight=self.sample_weight)
        self.batch_size = check_batch_size(batch_size)
        self.shuffle = bool(shuffle)
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps <= 0):
            raise ValueError(f"`steps_per_epoch` (or `steps`) must be a positive integer or None. "
                             f"Received: steps={steps!r}")
        self.steps = steps
        self._rng = np.random.default_rng(keras_random.draw_seed()) if self.shuffle else None
        self._stream = None

    @property
    def num_batches(self) -> int:
        return self.steps if self.steps is not None else math.ceil(self.size / self.batch_size)

    def _order(self) -> np.ndarray | None:
        return self._rng.permutation(self.size) if self.shuffle else None

    def _one_pass(self):
        order = self._order()
        for start in range(0, self.size, self.batch_size):
            stop = start + self.batch_size
            index = slice(start, stop) if order is None else order[start:stop]
            yield (take(self.x, index), take(self.y, index), take(self.sample_weight, index))

    def _endless(self):
        while True:
            yield from self._one_pass()

    def epoch(self):
        """The batches of one epoch: (x, y, sample_weight), y and sample_weight maybe None."""
        if self.steps is None:
            yield from self._one_pass()
            return
        if self._stream is None:
            self._stream = self._endless()
        for _ in range(self.steps):
            yield next(self._stream)
