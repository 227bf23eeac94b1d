"""Axis handling and the normalisation shared by BatchNormalization and LayerNormalization."""
from __future__ import annotations

import ember as em


def normalize_axes(axis, rank: int, layer: str) -> tuple[int, ...]:
    """Non-negative axes for an int or a list of ints, ValueError when out of range."""
    axes = [axis] if isinstance(axis, int) and not isinstance(axis, bool) else list(axis)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int) or not -rank <= a < rank:
            raise ValueError(f"{layer}: axis {a!r} is out of range for inputs of rank {rank}. "
                             f"Received: axis={axis!r}")
        out.append(a % rank)
    return tuple(sorted(set(out)))


def check_axis_arg(axis, layer: str):
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return list(axis)
    raise ValueError(f"{layer}: `axis` must be an int or a list of ints. Received: axis={axis!r}")


def broadcast_shape(shape, axes) -> tuple[int, ...]:
    """The shape of per-feature parameters for broadcasting against inputs of `shape`."""
    return tuple(d if i in axes else 1 for i, d in enumerate(shape))


def normalize(inputs, mean, variance, epsilon, gamma, beta, shape):
    """(inputs - mean) / sqrt(variance + epsilon), scaled by gamma and shifted by beta
    (each optional, reshaped to `shape` for broadcasting)."""
    factor = em.rsqrt(variance + epsilon)
    if gamma is not None:
        factor = factor * em.reshape(gamma, shape)
    out = (inputs - mean) * factor
    if beta is not None:
        out = out + em.reshape(beta, shape)
    return out
