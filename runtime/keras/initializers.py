"""`em.keras.initializers`: the initial values of layer weights, as in Keras 3.

Initializers compute on the host with NumPy and return NumPy arrays, so a layer can create
its weights even while a function is being traced. A seeded initializer returns the same
values at every call; an unseeded one takes a seed from the global stream when it is
created (`em.keras.random.set_random_seed` makes that reproducible).

Example:
    >>> import ember as em
    >>> init = em.keras.initializers.GlorotUniform(seed=0)
    >>> init((64, 10)).std()                      # limit sqrt(6 / (64 + 10)), std limit / sqrt(3)
"""
from __future__ import annotations

import math

import numpy as np

from . import random as keras_random

# NOTE: the standard deviation of a unit normal truncated at +-2: Keras divides by it so
# that truncated draws keep the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer:
    """Base class: `initializer(shape, dtype)` returns a NumPy array."""

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype)")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _shape(shape) -> tuple[int, ...]:
    try:
        out = tuple(int(d) for d in shape)
    except TypeError:
        out = None
    if out is None or any(d < 0 for d in out):
        raise ValueError(f"An initializer needs a fully known shape. Received: shape={shape!r}")
    return out


def _float(dtype) -> np.dtype:
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt.kind != "f":
        raise ValueError(f"A random initializer needs a float dtype. Received: dtype={dtype!r}")
    return dt


class Constant(Initializer):
    """Every element is `value`.

    Args:
        value: a Python number.

    Example:
        >>> em.keras.initializers.Constant(0.5)((2,))
        array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, value=0.0):
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
            raise ValueError(f"Constant expects a Python number. Received: value={value!r}")
        self.value = value

    def __call__(self, shape, dtype="float32"):
        return np.full(_shape(shape), self.value, np.dtype(getattr(dtype, "name", dtype)))

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    """Every element is 0. Example: `Zeros()((3,))`."""

    def __init__(self):
        super().__init__(0)

    def get_config(self):
        return {}


class Ones(Constant):
    """Every element is 1. Example: `Ones()((3,))`."""

    def __init__(self):
        super().__init__(1)

    def get_config(self):
        return {}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed."""

    def __init__(self, seed=None):
        self._init_seed = seed
        self.seed = keras_random.draw_seed() if seed is None else keras_random._check_seed(
            seed, type(self).__name__)

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _truncated_normal(rng, shape, dtype) -> np.ndarray:
    """Unit normal samples redrawn until they lie in [-2, 2]."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out.astype(dtype)


class RandomNormal(RandomInitializer):
    """Normal samples.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int, or None (from the global stream).

    Example:
        >>> em.keras.initializers.RandomNormal(stddev=0.05, seed=1)((64, 32))
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        if stddev < 0:
            raise ValueError(f"RandomNormal: stddev must be >= 0. Received: stddev={stddev}")
        self.mean, self.stddev = float(mean), float(stddev)
        super().__init__(seed)

    def __call__(self, shape, dtype="float32"):
        out = self._rng().normal(self.mean, self.stddev, _shape(shape))
        return out.astype(_float(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal samples redrawn outside two standard deviations of the mean.

    Args:
        mean, stddev: of the normal before truncation.
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.TruncatedNormal(stddev=0.02, seed=1)((8, 8))
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        if stddev < 0:
            raise ValueError(f"TruncatedNormal: stddev must be >= 0. Received: stddev={stddev}")
        self.mean, self.stddev = float(mean), float(stddev)
        super().__init__(seed)

    def __call__(self, shape, dtype="float32"):
        dtype = _float(dtype)
        return (self.mean + self.stddev * _truncated_normal(self._rng(), _shape(shape), np.float64)).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform samples in [minval, maxval).

    Args:
        minval, maxval: the range.
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.RandomUniform(-0.1, 0.1, seed=3)((4, 4))
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        if maxval < minval:
            raise ValueError(f"RandomUniform: maxval must be >= minval. Received: "
                             f"minval={minval}, maxval={maxval}")
        self.minval, self.maxval = float(minval), float(maxval)
        super().__init__(seed)

    def __call__(self, shape, dtype="float32"):
        out = self._rng().uniform(self.minval, self.maxval, _shape(shape))
        return out.astype(_float(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them: a kernel (..., in, out) has receptive field
    prod(shape[:-2]) (the window of a convolution)."""
    shape = _shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(RandomInitializer):
    """Samples scaled to the kernel's fans: variance scale / n, n = fan_in, fan_out or their mean.

    Args:
        scale: a positive float.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=0)((3, 3, 1, 8))
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {list(self._MODES)}. "
                             f"Received: mode={mode!r}")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{list(self._DISTRIBUTIONS)}. Received: distribution={distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution
        super().__init__(seed)

    def __call__(self, shape, dtype="float32"):
        shape, dtype = _shape(shape), _float(dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return rng.uniform(-limit, limit, shape).astype(dtype)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(scale), shape).astype(dtype)
        return (_truncated_normal(rng, shape, np.float64) * math.sqrt(scale) / _TRUNCATED_STDDEV).astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


def _fixed_variance_scaling(name: str, scale: float, mode: str, distribution: str, doc: str):
    class _Fixed(VarianceScaling):
        __doc__ = doc

        def __init__(self, seed=None):
            super().__init__(scale, mode, distribution, seed)

        def get_config(self):
            return {"seed": self._init_seed}

    _Fixed.__name__ = _Fixed.__qualname__ = name
    return _Fixed


GlorotUniform = _fixed_variance_scaling(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)) (Keras' default kernel).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.GlorotUniform(seed=0)((64, 10))
    """)
GlorotNormal = _fixed_variance_scaling(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.GlorotNormal(seed=0)((64, 10))
    """)
HeUniform = _fixed_variance_scaling(
    "HeUniform", 2.0, "fan_in", "uniform",
    """Uniform in [-limit, limit], limit = sqrt(6 / fan_in).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.HeUniform(seed=0)((3, 3, 16, 32))
    """)
HeNormal = _fixed_variance_scaling(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    """Truncated normal with stddev sqrt(2 / fan_in).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.HeNormal(seed=0)((3, 3, 16, 32))
    """)
LecunNormal = _fixed_variance_scaling(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    """Truncated normal with stddev sqrt(1 / fan_in).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.LecunNormal(seed=0)((64, 10))
    """)
LecunUniform = _fixed_variance_scaling(
    "LecunUniform", 1.0, "fan_in", "uniform",
    """Uniform in [-limit, limit], limit = sqrt(3 / fan_in).

    Args:
        seed: an int, or None.

    Example:
        >>> em.keras.initializers.LecunUniform(seed=0)((64, 10))
    """)

ALL = {cls.__name__: cls for cls in (
    Constant, Zeros, Ones, RandomNormal, TruncatedNormal, RandomUniform, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunNormal, LecunUniform)}
_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
            "truncated_normal": TruncatedNormal, "random_uniform": RandomUniform,
            "uniform": RandomUniform, "normal": RandomNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
            "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform}


def serialize(initializer) -> dict:
    """{"class_name": ..., "config": ...} of an initializer (for get_config)."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: dict) -> Initializer:
    cls = ALL.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown initializer class {config.get('class_name')!r}; valid ones: "
                         f"{sorted(ALL)}. Received: config={config!r}")
    return cls.from_config(config.get("config", {}))


def get(identifier) -> Initializer:
    """An initializer from a name ("glorot_uniform" or "GlorotUniform"), a config dict, an
    Initializer, or a callable `(shape, dtype) -> array`.

    Example:
        >>> em.keras.initializers.get("he_normal")
    """
    if isinstance(identifier, Initializer) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or ALL.get(identifier)
        if cls is not None:
            return cls()
    names = sorted(_ALIASES)
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}. "
                     f"Valid names: {names}")
