"""Reductions over `axes` (sorted, non-negative) with `keepdims`.

Each declares its combiner (a scalar body over accumulator and element), its identity,
and whether the result is divided by the number of reduced elements (mean). The fusion
pass puts elementwise producers in front of a reduction; the linalg lowering then emits
one `linalg.generic` with reduction iterators for the whole group.
"""
from __future__ import annotations

import numpy as np

from ...frontend.errors import ShapeError
from ..primitive import BOOL, INTS, REDUCTION, AVal, Primitive
from .elementwise import FLOAT, NUMERIC, _check


class Reduction(Primitive):
    """A primitive reducing `axes` of its single operand with `combine`, from `identity`."""

    def __init__(self, name: str, doc: str, accepts: str, eager, combine, identity,
                 mean: bool = False, empty_ok: bool = True):
        def shape(x: AVal, axes, keepdims) -> AVal:
            _check(accepts, x)
            axes = tuple(axes)
            if list(axes) != sorted(set(axes)) or any(not 0 <= a < x.rank for a in axes):
                raise ShapeError(f"axes must be sorted, distinct and within [0, {x.rank}), "
                                 f"received {list(axes)} for shape {x.shape}")
            if not empty_ok and any(x.shape[a] == 0 for a in axes):
                raise ShapeError(f"{name} over an empty axis has no result (shape {x.shape}, "
                                 f"axes {list(axes)})")
            dims = [1 if i in axes else d for i, d in enumerate(x.shape)]
            if not keepdims:
                dims = [d for i, d in enumerate(x.shape) if i not in axes]
            return AVal(tuple(dims), x.dtype)

        super().__init__(
            name, kind=REDUCTION, operands=("x",), attrs={"axes": INTS, "keepdims": BOOL},
            doc=doc, shape=shape,
            eager=lambda x, axes, keepdims: np.asarray(
                eager(x, axis=tuple(axes), keepdims=keepdims), dtype=x.dtype))
        self.combine = combine      # (b, acc, x) -> acc
        self.identity = identity    # dtype -> Python number
        self.mean = mean


def _lowest(dtype):
    return -np.inf if dtype.is_float else int(np.iinfo(dtype.numpy).min)


def _highest(dtype):
    return np.inf if dtype.is_float else int(np.iinfo(dtype.numpy).max)


reduce_sum = Reduction("reduce_sum", "sum over `axes`", NUMERIC,
                       lambda x, **kw: np.sum(x, dtype=x.dtype, **kw),
                       lambda b, acc, x: b.add(acc, x), lambda dtype: 0)
reduce_mean = Reduction("reduce_mean", "arithmetic mean over `axes`", FLOAT, np.mean,
                        lambda b, acc, x: b.add(acc, x), lambda dtype: 0, mean=True)
reduce_max = Reduction("reduce_max", "maximum over `axes` (NaN if any element is)", NUMERIC, np.max,
                       lambda b, acc, x: b.maximum(acc, x), _lowest, empty_ok=False)
reduce_min = Reduction("reduce_min", "minimum over `axes` (NaN if any element is)", NUMERIC, np.min,
                       lambda b, acc, x: b.minimum(acc, x), _highest, empty_ok=False)


# -- gradients (vjp rules) ---------------------------------------------------------------------
def _keepdims_shape(x_shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(x_shape))


def _expand_back(g, x_shape, axes):
    """The cotangent of a reduction, broadcast back over the reduced axes."""
    from .structured import broadcast_to, reshape

    g = reshape.bind(g, shape=_keepdims_shape(x_shape, axes))
    return broadcast_to.bind(g, shape=tuple(x_shape))


@reduce_sum.vjp
def _(g, out, x, axes, keepdims):
    return (_expand_back(g, x.shape, axes) if x.dtype.is_float else None,)


@reduce_mean.vjp
def _(g, out, x, axes, keepdims):
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64)) or 1
    return (_expand_back(g, x.shape, axes) * (1.0 / count),)


def _extremum_vjp(g, out, x, axes, keepdims):
    """The cotangent goes to the elements equal to the extremum, split evenly among ties."""
    from .elementwise import cast, compare

    if not x.dtype.is_float:
        return (None,)
    hit = cast.bind(compare.bind(x, _expand_back(out, x.shape, axes), predicate="eq"), dtype=x.dtype)
    count = reduce_sum.bind(hit, axes=axes, keepdims=True)
    share = _expand_back(g, x.shape, axes) / _expand_back(count, x.shape, axes)
    return (share * hit,)


reduce_max.vjp(_extremum_vjp)
reduce_min.vjp(_extremum_vjp)
