"""`em.keras.random`: seeds for Keras layers and initializers, and seeded random tensors.

Two kinds of randomness, as in Keras 3:

* host-side draws (weight initializers) take their seeds from a global Python-side stream,
  reset by `set_random_seed`;
* in-graph draws (Dropout masks) use a `SeedGenerator`, whose state is an int32
  `em.Variable` of shape (2,). `next()` returns the current state as the key of a stateless
  random op and assigns the incremented state, so a compiled step (`@em.function`) draws new
  numbers at every call: the state is an input and its new value an output of the step.

Example:
    >>> import ember as em
    >>> em.keras.random.set_random_seed(0)
    >>> gen = em.keras.random.SeedGenerator(42)
    >>> x = em.keras.random.uniform((2, 3), seed=gen)        # a new draw at every call
"""
from __future__ import annotations

import numpy as np

from ...frontend.variable import Variable

_MAX_SEED = 2**31 - 1
_stream = {"rng": np.random.default_rng()}
_default_generator = {"gen": None}


def set_random_seed(seed: int) -> None:
    """Makes every later unseeded initializer, SeedGenerator and shuffle reproducible.

    Args:
        seed: a non-negative int.

    Example:
        >>> em.keras.random.set_random_seed(1337)
        >>> model = em.keras.Sequential([em.keras.layers.Dense(3)])   # same weights every run
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed expects a non-negative int. Received: seed={seed!r}")
    _stream["rng"] = np.random.default_rng(int(seed))
    _default_generator["gen"] = None


def draw_seed() -> int:
    """A seed from the global stream (for unseeded initializers, generators and shuffles)."""
    return int(_stream["rng"].integers(0, _MAX_SEED))


def _check_seed(seed, what: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= _MAX_SEED:
        raise ValueError(f"{what}: seed must be an int in [0, 2**31 - 1] or None. "
                         f"Received: seed={seed!r}")
    return int(seed)


class SeedGenerator:
    """A stream of keys (int32 tensors of shape (2,)) for stateless random ops.

    Args:
        seed: an int; None draws one from the global stream (see `set_random_seed`).
        name: the name of its state variable.

    Example:
        >>> gen = em.keras.random.SeedGenerator(7)
        >>> key = gen.next()                  # [7, 0]; the state becomes [7, 1]
        >>> y = em.nn.dropout(x, 0.5, seed=gen.next())
    """

    def __init__(self, seed: int | None = None, name: str | None = None):
        seed = draw_seed() if seed is None else _check_seed(seed, "SeedGenerator")
        self.initial_seed = seed
        self.state = Variable(np.array([seed, 0], np.int32), trainable=False,
                              name=name or "seed_generator_state")

    def next(self):
        """The current key; assigns the next state (a symbolic assignment inside a trace)."""
        key = self.state.value()
        self.state.assign(key + np.array([0, 1], np.int32))
        return key

    def get_config(self) -> dict:
        return {"seed": self.initial_seed}


def _key(seed):
    """The key of a stateless op for `seed` (int, SeedGenerator, or None: a global one)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        if _default_generator["gen"] is None:
            _default_generator["gen"] = SeedGenerator(name="global_seed_generator")
        return _default_generator["gen"].next()
    return np.array([_check_seed(seed, "em.keras.random"), 0], np.int32)


def _random():
    import ember as em

    return em.random


def uniform(shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
    """Uniform samples in [minval, maxval).

    Args:
        shape: the output shape.
        minval, maxval: the range.
        dtype: a float dtype.
        seed: an int, a SeedGenerator, or None (the global generator).
    """
    return _random().stateless_uniform(tuple(shape), seed=_key(seed), minval=minval,
                                       maxval=maxval, dtype=dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    """Normal samples with `mean` and `stddev` (seed as in `uniform`)."""
    return _random().stateless_normal(tuple(shape), seed=_key(seed), mean=mean, stddev=stddev,
                                      dtype=dtype)


def dropout(inputs, rate: float, seed=None):
    """`inputs` with a fraction `rate` of elements zeroed and the rest scaled by 1 / (1 - rate)."""
    import ember as em

    return em.nn.dropout(inputs, rate, seed=_key(seed))
