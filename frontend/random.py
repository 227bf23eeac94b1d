"""`em.random`: stateless random numbers, as TensorFlow's `tf.random.stateless_*`.

The numbers are a pure function of (seed, shape, dtype): the same seed gives the same
numbers, eagerly and compiled, bit for bit for `stateless_uniform` (the transcendental
functions of `stateless_normal` may differ in the last bits). A seed is a pair of ints or
an int32/int64 tensor of shape (2,); inside `@em.function` it may be an argument, so a
compiled training step can take a new seed per call (`split` derives fresh ones).

Example:
    >>> import ember as em
    >>> x = em.random.stateless_uniform((2, 3), seed=(1, 2))
    >>> bool(em.reduce_max(x) < 1.0)
    True
"""
from __future__ import annotations

import math

import numpy as np

from ..dialects.ops import random as rnd
from . import api, dtypes
from .errors import DTypeError, ShapeError, at_user_line
from .tensor import Tensor

# NOTE: how many random bits a uniform of each dtype takes: an integer below 2**bits
# converts to the dtype exactly, and times 2**-bits it stays below 1.
_FRACTION_BITS = {"float16": 11, "float32": 24}


def _key(seed, op: str) -> Tensor:
    """The int32[2] key of a seed (Python ints wrap modulo 2**32; int64 tensors are cast)."""
    if isinstance(seed, (Tensor, np.ndarray, np.generic)):
        key = api.constant(seed)
        if key.shape != (2,):
            raise ShapeError(at_user_line(f"{op}: seed must have shape (2,), received shape {key.shape}"))
        if key.dtype.name not in ("int32", "int64"):
            raise DTypeError(at_user_line(f"{op}: seed must be int32 or int64, received {key.dtype.name}"))
        return api.cast(key, "int32")
    try:
        pair = [int(s) for s in seed]
    except (TypeError, ValueError):
        pair = []
    if len(pair) != 2:
        raise ValueError(at_user_line(f"{op}: seed must be a pair of ints or an int32 tensor of "
                                      f"shape (2,), received seed={seed!r}"))
    return api.constant(np.array([p & 0xFFFFFFFF for p in pair], np.uint32).view(np.int32))


def _shape(shape, op: str) -> tuple[int, ...]:
    try:
        dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        dims = (-1,)
    if any(d < 0 for d in dims):
        raise ValueError(at_user_line(f"{op}: shape must be a tuple of ints >= 0, received shape={shape!r}"))
    return dims


def _unit(shape, key, dtype) -> Tensor:
    """Uniform floats in [0, 1) on a grid of 2**-bits: integers from the low random bits,
    converted exactly and scaled by a power of two (so bit-identical everywhere)."""
    if dtype.name == "float64":  # 53 bits from two words: 26 + 27
        bits = rnd.random_bits.bind(key, shape=(2,) + shape)
        hi = api.cast(api.mod(bits[0], 1 << 26), dtype)
        lo = api.cast(api.mod(bits[1], 1 << 27), dtype)
        return (hi * float(1 << 27) + lo) * 2.0 ** -53
    n = _FRACTION_BITS[dtype.name]
    bits = rnd.random_bits.bind(key, shape=shape)
    return api.cast(api.mod(bits, 1 << n), dtype) * 2.0 ** -n


def split(seed, num: int = 2) -> Tensor:
    """`num` new seeds (int32, shape (num, 2)) derived from `seed`, as
    tf.random.experimental.stateless_split."""
    return rnd.random_bits.bind(_key(seed, "split"), shape=(int(num), 2))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype="float32") -> Tensor:
    """Uniform numbers in [minval, maxval), as tf.random.stateless_uniform.

    Floats: maxval defaults to 1 (minval and maxval may be tensors). Integers (int32,
    int64): maxval is required, minval + (bits mod (maxval - minval)), a range below 2**31.

    Example:
        >>> em.random.stateless_uniform((3,), seed=(7, 0), minval=-1.0, maxval=1.0).shape
        (3,)
    """
    op = "stateless_uniform"
    shape, key, dtype = _shape(shape, op), _key(seed, op), dtypes.as_dtype(dtype)
    if dtype.is_float:
        u = _unit(shape, key, dtype)
        maxval = 1.0 if maxval is None else maxval
        if isinstance(minval, Tensor) or isinstance(maxval, Tensor):
            minval, maxval = api.cast(minval, dtype), api.cast(maxval, dtype)
        return u * (maxval - minval) + minval
    if dtype.name not in ("int32", "int64"):
        raise DTypeError(at_user_line(f"{op}: dtype must be a float or int32/int64, received {dtype.name}"))
    if not isinstance(minval, int) or not isinstance(maxval, int) or not 0 < maxval - minval < 1 << 31:
        raise ValueError(at_user_line(f"{op}: integer dtypes need Python ints minval < maxval with "
                                      f"maxval - minval < 2**31, received minval={minval!r}, maxval={maxval!r}"))
    bits = rnd.random_bits.bind(key, shape=shape)
    return api.cast(api.mod(bits, maxval - minval), dtype) + minval


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32") -> Tensor:
    """Normally distributed numbers (Box-Muller of two uniforms), as tf.random.stateless_normal.

    Example:
        >>> em.random.stateless_normal((2, 2), seed=(1, 2), dtype="float64").shape
        (2, 2)
    """
    op = "stateless_normal"
    shape, key, dtype = _shape(shape, op), _key(seed, op), dtypes.as_dtype(dtype)
    if not dtype.is_float:
        raise DTypeError(at_user_line(f"{op}: dtype must be a float dtype, received {dtype.name}"))
    compute = dtypes.as_dtype("float32") if dtype.name == "float16" else dtype
    u = _unit((2,) + shape, key, compute)
    radius = api.sqrt(api.log(1.0 - u[0]) * -2.0)  # NOTE: 1 - u is in (0, 1]: log is finite
    z = radius * api.cos(u[1] * (2.0 * math.pi))
    if isinstance(mean, Tensor) or isinstance(stddev, Tensor):
        mean, stddev = api.cast(mean, compute), api.cast(stddev, compute)
    return api.cast(z * stddev + mean, dtype)
