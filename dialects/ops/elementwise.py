"""Elementwise primitives: one NumPy kernel and one scalar body each.

The scalar body is written against the scalar builder (`dialects/scalar.py`); the linalg
lowering turns it into arith/math ops inside a `linalg.generic`, so fused chains of these
ops become one loop nest. All binary ops broadcast as NumPy does.
"""
from __future__ import annotations

import math

import numpy as np

from ...frontend.dtypes import bool_
from ...frontend.errors import DTypeError
from ..primitive import ELEMENTWISE, STR, TYPE, AVal, Primitive, broadcast_shapes
from ..values import producer, splat_value

FLOAT = "floating-point"
NUMERIC = "numeric (integer or floating-point)"
BOOL = "bool"
ANY = "any"


def _special():
    """scipy.special, imported on first use (NOTE: it costs ~0.1 s of `import ember`, and
    only the eager kernels of erf, sigmoid and gelu need it)."""
    from scipy import special

    return special


def _accepts(kind: str, dtype) -> bool:
    return {FLOAT: dtype.is_float, NUMERIC: not dtype.is_bool, BOOL: dtype.is_bool,
            ANY: True}[kind]


def _check(kind: str, *avals: AVal) -> None:
    for a in avals:
        if not _accepts(kind, a.dtype):
            raise DTypeError(f"expected {kind} tensors, received {a.dtype.name}")
    if len({a.dtype for a in avals}) > 1:
        names = " and ".join(a.dtype.name for a in avals)
        raise DTypeError(f"operands must have the same dtype, received {names}; cast one with em.cast")


def unary(name: str, doc: str, accepts: str, eager, scalar, **kw) -> Primitive:
    def shape(x: AVal) -> AVal:
        _check(accepts, x)
        return x

    return Primitive(name, kind=ELEMENTWISE, operands=("x",), doc=doc, shape=shape,
                     eager=eager, scalar=scalar, **kw)


def binary(name: str, doc: str, accepts: str, eager, scalar, result=None, **kw) -> Primitive:
    def shape(x: AVal, y: AVal) -> AVal:
        _check(accepts, x, y)
        return AVal(broadcast_shapes(x.shape, y.shape), result or x.dtype)

    return Primitive(name, kind=ELEMENTWISE, operands=("x", "y"), doc=doc, shape=shape,
                     eager=eager, scalar=scalar, **kw)


# -- unary ---------------------------------------------------------------------------------
neg = unary("neg", "-x", NUMERIC, np.negative, lambda b, x: b.neg(x), cheap=True)
abs_ = unary("abs", "|x|", NUMERIC, np.abs, lambda b, x: b.abs(x), cheap=True)
sign = unary("sign", "-1, 0 or 1 by the sign of x", NUMERIC, np.sign,
             lambda b, x: b.select(b.cmp("gt", x, b.zero(x)), b.one(x),
                                   b.select(b.cmp("lt", x, b.zero(x)), b.neg(b.one(x)), x)))
exp = unary("exp", "e to the power x", FLOAT, np.exp, lambda b, x: b.exp(x))
expm1 = unary("expm1", "exp(x) - 1, accurate near 0", FLOAT, np.expm1, lambda b, x: b.expm1(x))
log = unary("log", "natural logarithm", FLOAT, np.log, lambda b, x: b.log(x))
log1p = unary("log1p", "log(1 + x), accurate near 0", FLOAT, np.log1p, lambda b, x: b.log1p(x))
sqrt = unary("sqrt", "square root", FLOAT, np.sqrt, lambda b, x: b.sqrt(x))
rsqrt = unary("rsqrt", "1 / sqrt(x)", FLOAT, lambda x: 1 / np.sqrt(x), lambda b, x: b.rsqrt(x))
tanh = unary("tanh", "hyperbolic tangent", FLOAT, np.tanh, lambda b, x: b.tanh(x))
erf = unary("erf", "the error function", FLOAT, lambda x: _special().erf(x), lambda b, x: b.erf(x))
sin = unary("sin", "sine", FLOAT, np.sin, lambda b, x: b.sin(x))
cos = unary("cos", "cosine", FLOAT, np.cos, lambda b, x: b.cos(x))
floor = unary("floor", "largest integer <= x", FLOAT, np.floor, lambda b, x: b.floor(x))
ceil = unary("ceil", "smallest integer >= x", FLOAT, np.ceil, lambda b, x: b.ceil(x))
sigmoid = unary("sigmoid", "1 / (1 + exp(-x))", FLOAT, lambda x: _special().expit(x),
                lambda b, x: b.div(b.one(x), b.add(b.one(x), b.exp(b.neg(x)))))
relu = unary("relu", "max(x, 0)", NUMERIC, lambda x: np.maximum(x, 0),
             lambda b, x: b.maximum(x, b.zero(x)), cheap=True)
logical_not = unary("logical_not", "not x, on bools", BOOL, np.logical_not, lambda b, x: b.not_(x))

_SQRT_HALF = math.sqrt(0.5)
gelu = unary("gelu", "x * Phi(x), the exact (erf) form", FLOAT,
             lambda x: 0.5 * x * (1 + _special().erf(x * _SQRT_HALF)),
             lambda b, x: b.mul(b.mul(b.const(0.5, x), x),
                                b.add(b.one(x), b.erf(b.mul(x, b.const(_SQRT_HALF, x))))))

# -- binary --------------------------------------------------------------------------------
add = binary("add", "x + y", NUMERIC, np.add, lambda b, x, y: b.add(x, y), cheap=True)
sub = binary("sub", "x - y", NUMERIC, np.subtract, lambda b, x, y: b.sub(x, y), cheap=True)
mul = binary("mul", "x * y", NUMERIC, np.multiply, lambda b, x, y: b.mul(x, y), cheap=True)
pow_ = binary("pow", "x ** y", FLOAT, np.power, lambda b, x, y: b.pow(x, y))
maximum = binary("maximum", "the larger of x and y (NaN if either is)", NUMERIC, np.maximum,
                 lambda b, x, y: b.maximum(x, y), cheap=True)
minimum = binary("minimum", "the smaller of x and y (NaN if either is)", NUMERIC, np.minimum,
                 lambda b, x, y: b.minimum(x, y), cheap=True)
logical_and = binary("logical_and", "x and y, on bools", BOOL, np.logical_and,
                     lambda b, x, y: b.and_(x, y))
logical_or = binary("logical_or", "x or y, on bools", BOOL, np.logical_or,
                    lambda b, x, y: b.or_(x, y))


def _div_eager(x, y):
    if x.dtype.kind == "f":
        return np.divide(x, y)
    # NOTE: NumPy floor-divides integers and gives 0 where y == 0; the compiled form does the same.
    return np.floor_divide(x, y)


def _div_scalar(b, x, y):
    if b.dtype(x).is_float:
        return b.div(x, y)
    zero = b.cmp("eq", y, b.zero(y))
    safe = b.select(zero, b.one(y), y)
    return b.select(zero, b.zero(x), b.floordiv(x, safe))


div = binary("div", "x / y for floats; floor division (0 where y == 0) for integers", NUMERIC,
             _div_eager, _div_scalar)

def _rem_eager(x, y):
    # NOTE: np.fmod gives 0 where an integer y == 0 (and NaN for floats), as the compiled form.
    return np.fmod(x, y)


def _rem_scalar(b, x, y):
    if b.dtype(x).is_float:
        return b.rem(x, y)
    zero = b.cmp("eq", y, b.zero(y))
    return b.select(zero, b.zero(x), b.rem(x, b.select(zero, b.one(y), y)))


rem = binary("rem", "remainder of x / y with the sign of x (C fmod; 0 where an integer y == 0)",
             NUMERIC, _rem_eager, _rem_scalar)

# -- compare, select, cast -----------------------------------------------------------------
PREDICATES = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
              "gt": np.greater, "ge": np.greater_equal}


def _compare_shape(x: AVal, y: AVal, predicate: str) -> AVal:
    if predicate not in PREDICATES:
        raise DTypeError(f"predicate must be one of {', '.join(PREDICATES)}, received {predicate!r}")
    _check(ANY, x, y)
    return AVal(broadcast_shapes(x.shape, y.shape), bool_)


compare = Primitive(
    "compare", kind=ELEMENTWISE, operands=("x", "y"), attrs={"predicate": STR},
    doc="x <predicate> y elementwise, giving i1; predicate is eq, ne, lt, le, gt or ge",
    shape=_compare_shape,
    eager=lambda x, y, predicate: PREDICATES[predicate](x, y),
    scalar=lambda b, x, y, predicate: b.cmp(predicate, x, y), cheap=True)


def _select_shape(cond: AVal, x: AVal, y: AVal) -> AVal:
    if not cond.dtype.is_bool:
        raise DTypeError(f"the condition must be a bool tensor, received {cond.dtype.name}")
    _check(ANY, x, y)
    return AVal(broadcast_shapes(cond.shape, x.shape, y.shape), x.dtype)


select = Primitive(
    "select", kind=ELEMENTWISE, operands=("cond", "x", "y"),
    doc="x where cond is true, else y", shape=_select_shape,
    eager=np.where, scalar=lambda b, c, x, y: b.select(c, x, y), cheap=True)

cast = Primitive(
    "cast", kind=ELEMENTWISE, operands=("x",), attrs={"dtype": TYPE},
    doc="converts x to the element type `dtype` (float to int truncates; to bool is x != 0)",
    shape=lambda x, dtype: AVal(x.shape, dtype),
    eager=lambda x, dtype: x.astype(dtype.numpy),
    scalar=lambda b, x, dtype: b.cast(x, dtype), cheap=True)


# -- simplifications (ember-canonicalize) ----------------------------------------------------
def _drop_identity(identity, positions):
    """x op identity -> x, when the other operand already has the result's shape and dtype.
    `identity` is a number, or a predicate on the constant."""
    matches = identity if callable(identity) else (lambda v: v == identity)

    def rule(op):
        for p in positions:
            other = op.operands[1 - p]
            value = splat_value(op.operands[p])
            if value is not None and matches(value) and AVal.of_type(other.type) == op.out_aval:
                return other
        return None
    return rule


def _is_additive_identity(value) -> bool:
    # NOTE: for floats only -0.0 is: -0.0 + 0.0 is +0.0, but x + -0.0 is x for every x.
    return value == 0 and (not isinstance(value, float) or math.copysign(1.0, value) < 0)


add.simplify(_drop_identity(_is_additive_identity, (0, 1)))
sub.simplify(_drop_identity(0, (1,)))
mul.simplify(_drop_identity(1, (0, 1)))
div.simplify(_drop_identity(1, (1,)))


@neg.simplify
def _(op):
    inner = producer(op.operands[0])
    return inner.operands[0] if inner is not None and inner.name == "ember.neg" else None


@cast.simplify
def _(op):
    x = op.operands[0]
    return x if AVal.of_type(x.type) == op.out_aval else None


# -- gradients (vjp rules) ---------------------------------------------------------------------
# NOTE: the rules use em Tensor operators, so they run eagerly or are traced like user code.
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ONE_OVER_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def unbroadcast(g, shape):
    """Sums the cotangent `g` of a broadcast result back to an operand's `shape`."""
    from .reduction import reduce_sum
    from .structured import reshape

    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(shape)
                                      if d == 1 and g.shape[lead + i] != 1)
    if axes:
        g = reduce_sum.bind(g, axes=axes, keepdims=False)
    return g if g.shape == shape else reshape.bind(g, shape=shape)


def _float(x) -> bool:
    return x.dtype.is_float


def _zeros_like(g):
    return g * 0


def _where(cond, a, b):
    return select.bind(cond, a, b)


def _unary_vjp(prim, rule):
    prim.vjp(lambda g, out, x: (rule(g, out, x) if _float(x) else None,))


def _binary_vjp(prim, rule_x, rule_y):
    def vjp(g, out, x, y):
        if not _float(x):
            return (None, None)
        return (unbroadcast(rule_x(g, out, x, y), x.shape), unbroadcast(rule_y(g, out, x, y), y.shape))
    prim.vjp(vjp)


_unary_vjp(neg, lambda g, out, x: -g)
_unary_vjp(abs_, lambda g, out, x: g * sign(x))
_unary_vjp(sign, lambda g, out, x: _zeros_like(g))
_unary_vjp(exp, lambda g, out, x: g * out)
_unary_vjp(expm1, lambda g, out, x: g * (out + 1.0))
_unary_vjp(log, lambda g, out, x: g / x)
_unary_vjp(log1p, lambda g, out, x: g / (x + 1.0))
_unary_vjp(sqrt, lambda g, out, x: g * 0.5 / out)
_unary_vjp(rsqrt, lambda g, out, x: g * -0.5 * out / x)
_unary_vjp(tanh, lambda g, out, x: g * (1.0 - out * out))
_unary_vjp(erf, lambda g, out, x: g * _TWO_OVER_SQRT_PI * exp(-(x * x)))
_unary_vjp(sin, lambda g, out, x: g * cos(x))
_unary_vjp(cos, lambda g, out, x: -(g * sin(x)))
_unary_vjp(floor, lambda g, out, x: _zeros_like(g))
_unary_vjp(ceil, lambda g, out, x: _zeros_like(g))
_unary_vjp(sigmoid, lambda g, out, x: g * out * (1.0 - out))
# NOTE: from the output (max(x, 0) > 0 exactly where x > 0, NaN included), as TensorFlow's
# ReluGrad: a layer's pre-activation (a convolution's or matmul's result) is then read only
# by the activation, so `ember-fuse-epilogues` can keep it in cache, row by row.
_unary_vjp(relu, lambda g, out, x: _where(out > 0, g, _zeros_like(g)))
_unary_vjp(gelu, lambda g, out, x: g * (0.5 * (1.0 + erf(x * _SQRT_HALF))
                                         + x * exp(x * x * -0.5) * _ONE_OVER_SQRT_2PI))
logical_not.vjp(lambda g, out, x: (None,))

_binary_vjp(add, lambda g, out, x, y: g, lambda g, out, x, y: g)
_binary_vjp(sub, lambda g, out, x, y: g, lambda g, out, x, y: -g)
_binary_vjp(mul, lambda g, out, x, y: g * y, lambda g, out, x, y: g * x)
_binary_vjp(div, lambda g, out, x, y: g / y, lambda g, out, x, y: -(g * out) / y)
_binary_vjp(rem, lambda g, out, x, y: g,
            lambda g, out, x, y: -(g * _trunc(div(x, y))))
_binary_vjp(pow_, lambda g, out, x, y: g * y * pow_(x, y - 1.0),
            lambda g, out, x, y: g * out * _where(x > 0, log(_where(x > 0, x, out * 0 + 1.0)),
                                                  _zeros_like(out)))
_binary_vjp(maximum, lambda g, out, x, y: _where(x >= y, g, _zeros_like(g)),
            lambda g, out, x, y: _where(x >= y, _zeros_like(g), g))
_binary_vjp(minimum, lambda g, out, x, y: _where(x <= y, g, _zeros_like(g)),
            lambda g, out, x, y: _where(x <= y, _zeros_like(g), g))
logical_and.vjp(lambda g, out, x, y: (None, None))
logical_or.vjp(lambda g, out, x, y: (None, None))
compare.vjp(lambda g, out, x, y, predicate: (None, None))


def _trunc(q):
    return _where(q >= 0, floor(q), ceil(q))


@select.vjp
def _(g, out, cond, x, y):
    if not _float(x):
        return (None, None, None)
    zero = _zeros_like(g)
    return (None, unbroadcast(_where(cond, g, zero), x.shape), unbroadcast(_where(cond, zero, g), y.shape))


@cast.vjp
def _(g, out, x, dtype):
    return (cast.bind(g, dtype=x.dtype) if _float(x) and dtype.is_float else None,)
