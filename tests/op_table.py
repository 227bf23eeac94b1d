"""The op table: one row per public op (and so every primitive of the dialect), with its NumPy
reference, the operand shapes it is tried on, the dtypes it accepts and its input domain.

tests/test_ops.py runs every row eagerly against the reference and compiled against eager.
Adding a primitive to the dialect without a row here fails `test_every_primitive_has_a_row`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import special

import ember as em
from conftest import ALL, BOOLS, FLOATS, INTS, NUMERIC, random_input
import references as ref
from ember.dialects.ops import indexing as ix_ops
from ember.dialects.ops import nn as nn_ops
from ember.dialects.ops import pooling as pool_ops
from ember.dialects.ops import random as random_ops
from ember.frontend.windows import explicit_padding, pair


@dataclass(frozen=True)
class Case:
    """One row. `op(*tensors, **variant)` is the public op; `reference(*arrays, **variant)`
    its NumPy meaning, giving the expected dtype too."""

    name: str
    primitives: tuple[str, ...]     # ember primitives the traced op must contain
    op: Callable
    reference: Callable
    shapes: tuple                   # operand shapes, one tuple per call
    dtypes: tuple[str, ...]
    domain: tuple[str, ...] | str = "any"     # per operand, or one for all (conftest.random_input)
    exact: bool = False             # compiled == eager == reference bit for bit
    variants: tuple[dict, ...] = ({},)
    fits: Callable = field(default=lambda shapes, variant: True)  # which variants fit which shapes
    operand_dtypes: Callable | None = None     # dtype -> one dtype per operand (default: dtype)
    ir: tuple[str, ...] = ()        # more text the traced IR must contain (e.g. a predicate)

    def __str__(self) -> str:
        return self.name

    def domains(self, n: int) -> tuple[str, ...]:
        return (self.domain,) * n if isinstance(self.domain, str) else self.domain

    def dtypes_of(self, dtype: str, n: int) -> tuple[str, ...]:
        return (dtype,) * n if self.operand_dtypes is None else self.operand_dtypes(dtype)

    def calls(self, dtype: str, rng):
        """(label, input arrays, variant) for every shape and every variant that fits it."""
        for shapes in self.shapes:
            for variant in self.variants:
                if not self.fits(shapes, variant):
                    continue
                dts = self.dtypes_of(dtype, len(shapes))
                doms = self.domains(len(shapes))
                arrays = [random_input(rng, s, d, dom) for s, d, dom in zip(shapes, dts, doms)]
                yield f"{self.name}[{dtype}] shapes={list(shapes)} {variant}", arrays, variant


# -- shapes --------------------------------------------------------------------------------
UNARY = (((),), ((1,),), ((5,),), ((3, 4),), ((2, 1, 3),))
BINARY = (((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)), ((2, 3), ()), ((2, 1, 3), (1, 4, 1)),
          ((1,), (5,)), ((), ()))
TERNARY = (((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()), ((), (2, 3), (2, 1)), ((), (), ()))
REDUCE = (((),), ((5,),), ((3, 4),), ((2, 3, 4),), ((1, 4, 1),))
MATMUL = (((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4, 5)),
          ((3, 4), (4,)), ((4,), (4,)), ((1, 1), (1, 1)), ((2, 3, 4), (1, 4, 2)), ((4,), (2, 4, 3)))


def _axis_fits(shapes, variant) -> bool:
    axis, rank = variant.get("axis"), len(shapes[0])
    axes = () if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return all(-rank <= a < rank for a in axes)


AXES = tuple({"axis": a, "keepdims": k} for a in (None, 0, -1, (0, 2), (1,), ()) for k in (False, True))


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis):
    s = x - np.max(x, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _gelu(x, approximate=False):
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1 + np.tanh(inner))).astype(x.dtype)
    return (0.5 * x * (1 + special.erf(x / math.sqrt(2)))).astype(x.dtype)


def _floordiv(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(x, y)


def _fmod(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.fmod(x, y)


def _mod(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mod(x, y)


def _unary(name, prim, op, ref, dtypes, domain="any", exact=False):
    return Case(name, (prim,), op, ref, UNARY, dtypes, domain, exact)


def _binary(name, prim, op, ref, dtypes, domain="any", exact=False, shapes=BINARY):
    return Case(name, (prim,), op, ref, shapes, dtypes, domain, exact)


def _compare(name, predicate, op, ref):
    return Case(name, ("compare",), op, ref, BINARY, ALL, "coarse", exact=True,
                ir=(f'predicate = "{predicate}"',))


RESHAPE_TO = {(): (1, 1), (3, 4): (2, -1, 2), (2, 1, 3): (-1,), (1, 1, 1): (), (4,): (4, 1)}
BROADCAST_TO = {(): (2, 3), (3, 1): (2, 3, 4), (4,): (3, 4), (1,): (5,), (2, 3): (2, 3)}
PADDINGS = {(4, 5): ((1, 2), (0, 3)), (5,): ((2, 0),), (): (), (2, 3, 4): ((0, 0), (1, 1), (3, 0))}
SLICE_ARGS = {(4, 5): ((1, 2), (2, -1)), (5,): ((1,), (3,)), (): ((), ()), (2, 3, 4): ((0, 1, 0), (2, 1, -1))}
INDICES_3D = (1, -1, slice(1, 3), slice(None, None, 2), (slice(1, None, 2), Ellipsis, -1), None,
              (Ellipsis, None), (slice(None), None, 2), (slice(-3, -1), slice(1, 5, 3)), (0, 0, 0),
              Ellipsis, (Ellipsis, 0), (np.int64(2), slice(None, 4)), (slice(2, 2),), (None, 1, None))
INDICES_1D = (2, -1, slice(1, 4), slice(None, None, 3), (None, slice(None)), Ellipsis, slice(-2, None))

CASES: tuple[Case, ...] = (
    # -- unary elementwise -----------------------------------------------------------------
    _unary("negative", "neg", em.negative, np.negative, NUMERIC, exact=True),
    _unary("-x", "neg", lambda x: -x, np.negative, NUMERIC, exact=True),
    _unary("abs", "abs", em.abs, np.abs, NUMERIC, exact=True),
    _unary("abs()", "abs", lambda x: abs(x), np.abs, NUMERIC, exact=True),
    _unary("sign", "sign", em.sign, np.sign, NUMERIC, exact=True),
    _unary("exp", "exp", em.exp, np.exp, FLOATS),
    _unary("expm1", "expm1", em.expm1, np.expm1, FLOATS, "small"),
    _unary("log", "log", em.log, np.log, FLOATS, "positive"),
    _unary("log1p", "log1p", em.log1p, np.log1p, FLOATS, "positive"),
    _unary("sqrt", "sqrt", em.sqrt, np.sqrt, FLOATS, "positive", exact=True),
    _unary("rsqrt", "rsqrt", em.rsqrt, lambda x: 1 / np.sqrt(x), FLOATS, "positive"),
    _unary("tanh", "tanh", em.tanh, np.tanh, FLOATS),
    _unary("erf", "erf", em.erf, special.erf, FLOATS),
    _unary("sin", "sin", em.sin, np.sin, FLOATS),
    _unary("cos", "cos", em.cos, np.cos, FLOATS),
    _unary("floor", "floor", em.floor, np.floor, FLOATS, exact=True),
    _unary("ceil", "ceil", em.ceil, np.ceil, FLOATS, exact=True),
    _unary("sigmoid", "sigmoid", em.sigmoid, special.expit, FLOATS),
    _unary("relu", "relu", em.nn.relu, lambda x: np.maximum(x, np.zeros_like(x)), NUMERIC, exact=True),
    _unary("logical_not", "logical_not", em.logical_not, np.logical_not, BOOLS, exact=True),
    _unary("~x", "logical_not", lambda x: ~x, np.logical_not, BOOLS, exact=True),
    _unary("square", "mul", em.square, np.square, NUMERIC, exact=True),
    # NOTE: small integer exponents are multiplications (api.pow), so x ** 3 is (x * x) * x.
    _unary("x ** 3", "mul", lambda x: x ** 3, lambda x: x * x * x, NUMERIC, "small", exact=True),
    _unary("reciprocal", "div", em.reciprocal, np.reciprocal, FLOATS, "nonzero", exact=True),
    _unary("x + python scalar", "add", lambda x: x + 2, lambda x: x + x.dtype.type(2), NUMERIC, exact=True),
    _unary("python scalar - x", "sub", lambda x: 2 - x, lambda x: x.dtype.type(2) - x, NUMERIC, exact=True),
    _unary("x * 2.5", "mul", lambda x: x * 2.5, lambda x: x * x.dtype.type(2.5), FLOATS, exact=True),
    # -- binary elementwise ----------------------------------------------------------------
    _binary("add", "add", em.add, np.add, NUMERIC, exact=True),
    _binary("x + y", "add", lambda x, y: x + y, np.add, NUMERIC, exact=True),
    _binary("subtract", "sub", em.subtract, np.subtract, NUMERIC, exact=True),
    _binary("x - y", "sub", lambda x, y: x - y, np.subtract, NUMERIC, exact=True),
    _binary("multiply", "mul", em.multiply, np.multiply, NUMERIC, exact=True),
    _binary("x * y", "mul", lambda x, y: x * y, np.multiply, NUMERIC, exact=True),
    _binary("divide", "div", em.divide, np.divide, FLOATS, ("any", "nonzero"), exact=True),
    _binary("x / y", "div", lambda x, y: x / y, np.divide, FLOATS, ("any", "nonzero"), exact=True),
    Case("divide (ints, to float32)", ("cast", "div"), em.divide,
         lambda x, y: x.astype(np.float32) / y.astype(np.float32), BINARY, INTS, ("any", "nonzero"),
         exact=True),
    # NOTE: integer y includes 0 ("any"): NumPy and ember give 0 there.
    _binary("floordiv", "div", em.floordiv, _floordiv, INTS, exact=True),
    _binary("x // y", "div", lambda x, y: x // y, _floordiv, NUMERIC, ("any", "nonzero"), exact=True),
    # NOTE: integer y includes 0 ("any" for ints): NumPy and ember give 0 there too.
    _binary("fmod", "rem", em.fmod, _fmod, INTS, exact=True),
    _binary("fmod (floats)", "rem", em.fmod, _fmod, FLOATS, ("any", "nonzero"), exact=True),
    _binary("x % y", "rem", lambda x, y: x % y, _mod, NUMERIC, ("any", "nonzero"), exact=True),
    _binary("pow", "pow", em.pow, np.power, FLOATS, ("positive", "any")),
    _binary("x ** y", "pow", lambda x, y: x ** y, np.power, FLOATS, ("positive", "any")),
    _binary("maximum", "maximum", em.maximum, np.maximum, NUMERIC, "coarse", exact=True),
    _binary("minimum", "minimum", em.minimum, np.minimum, NUMERIC, "coarse", exact=True),
    _binary("logical_and", "logical_and", em.logical_and, np.logical_and, BOOLS, exact=True),
    _binary("x & y", "logical_and", lambda x, y: x & y, np.logical_and, BOOLS, exact=True),
    _binary("logical_or", "logical_or", em.logical_or, np.logical_or, BOOLS, exact=True),
    _binary("x | y", "logical_or", lambda x, y: x | y, np.logical_or, BOOLS, exact=True),
    # -- compare, select, cast -------------------------------------------------------------
    _compare("equal", "eq", em.equal, np.equal),
    _compare("not_equal", "ne", em.not_equal, np.not_equal),
    _compare("less", "lt", em.less, np.less),
    _compare("less_equal", "le", em.less_equal, np.less_equal),
    _compare("greater", "gt", em.greater, np.greater),
    _compare("greater_equal", "ge", em.greater_equal, np.greater_equal),
    _compare("x == y", "eq", lambda x, y: x == y, np.equal),
    _compare("x != y", "ne", lambda x, y: x != y, np.not_equal),
    _compare("x < y", "lt", lambda x, y: x < y, np.less),
    _compare("x <= y", "le", lambda x, y: x <= y, np.less_equal),
    _compare("x > y", "gt", lambda x, y: x > y, np.greater),
    _compare("x >= y", "ge", lambda x, y: x >= y, np.greater_equal),
    Case("where", ("select",), em.where, np.where, TERNARY, ALL, exact=True,
         operand_dtypes=lambda d: ("bool", d, d)),
    Case("cast", ("cast",), em.cast, lambda x, dtype: x.astype(dtype), UNARY[1:4], ALL, exact=True,
         variants=tuple({"dtype": d} for d in ALL)),
    # -- reductions ------------------------------------------------------------------------
    Case("reduce_sum", ("reduce_sum",), em.reduce_sum,
         lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
         REDUCE, NUMERIC, variants=AXES, fits=_axis_fits),
    Case("reduce_mean", ("reduce_mean",), em.reduce_mean,
         lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims),
         REDUCE, FLOATS, variants=AXES, fits=_axis_fits),
    Case("reduce_max", ("reduce_max",), em.reduce_max,
         lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
         REDUCE, NUMERIC, exact=True, variants=AXES, fits=_axis_fits),
    Case("reduce_min", ("reduce_min",), em.reduce_min,
         lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
         REDUCE, NUMERIC, exact=True, variants=AXES, fits=_axis_fits),
    # -- linear algebra --------------------------------------------------------------------
    Case("matmul", ("matmul",), em.matmul, np.matmul, MATMUL, NUMERIC),
    Case("x @ y", ("matmul",), lambda x, y: x @ y, np.matmul, MATMUL[:3], NUMERIC),
    # -- shapes ----------------------------------------------------------------------------
    Case("reshape", ("reshape",), lambda x: em.reshape(x, RESHAPE_TO[x.shape]),
         lambda x: np.reshape(x, RESHAPE_TO[x.shape]),
         (((),), ((3, 4),), ((2, 1, 3),), ((1, 1, 1),), ((4,),)), ALL, exact=True),
    Case("Tensor.reshape", ("reshape",), lambda x: x.reshape(-1, 2), lambda x: x.reshape(-1, 2),
         (((3, 4),), ((2,),)), ALL, exact=True),
    Case("transpose", ("transpose",), em.transpose, np.transpose,
         (((3, 4),), ((2, 3, 4),), ((1, 5),)), ALL, exact=True),
    Case("transpose(perm)", ("transpose",), lambda x: em.transpose(x, (2, 0, 1)),
         lambda x: np.transpose(x, (2, 0, 1)), (((2, 3, 4),), ((1, 3, 1),)), ALL, exact=True),
    Case("transpose(negative perm)", ("transpose",), lambda x: em.transpose(x, (-1, 0, 1)),
         lambda x: np.transpose(x, (-1, 0, 1)), (((2, 3, 4),),), NUMERIC, exact=True),
    Case("x.T", ("transpose",), lambda x: x.T, lambda x: x.T, (((3, 4),), ((2, 3, 4),)), NUMERIC, exact=True),
    Case("broadcast_to", ("broadcast_to",), lambda x: em.broadcast_to(x, BROADCAST_TO[x.shape]),
         lambda x: np.broadcast_to(x, BROADCAST_TO[x.shape]),
         (((),), ((3, 1),), ((4,),), ((1,),)), ALL, exact=True),
    Case("concat", ("concat",), lambda *xs: em.concat(list(xs), axis=0),
         lambda *xs: np.concatenate(xs, axis=0),
         (((2, 3), (1, 3), (4, 3)), ((5,), (2,)), ((1, 2, 2), (1, 2, 2))), ALL, exact=True),
    Case("concat(axis=-1)", ("concat",), lambda *xs: em.concat(list(xs), axis=-1),
         lambda *xs: np.concatenate(xs, axis=-1),
         (((2, 3), (2, 1), (2, 2)), ((2, 1, 3), (2, 1, 1), (2, 1, 2), (2, 1, 1))), ALL, exact=True),
    Case("stack", ("reshape", "concat"), lambda *xs, axis: em.stack(list(xs), axis=axis),
         lambda *xs, axis: np.stack(xs, axis=axis), (((2, 3), (2, 3), (2, 3)),), NUMERIC, exact=True,
         variants=({"axis": 0}, {"axis": 1}, {"axis": -1})),
    Case("expand_dims", ("reshape",), em.expand_dims, np.expand_dims, (((),), ((3, 4),)), NUMERIC,
         exact=True, variants=({"axis": 0}, {"axis": -1})),
    Case("squeeze", ("reshape",), em.squeeze, np.squeeze, (((1, 3, 1),),), NUMERIC, exact=True,
         variants=({"axis": None}, {"axis": 0}, {"axis": -1}, {"axis": (0, 2)})),
    Case("slice", ("slice",), lambda x: em.slice(x, *SLICE_ARGS[x.shape]),
         lambda x: x[tuple(slice(b, None if s == -1 else b + s) for b, s in zip(*SLICE_ARGS[x.shape]))],
         (((4, 5),), ((5,),), ((2, 3, 4),)), ALL, exact=True),
    Case("pad", ("pad",), lambda x: em.pad(x, PADDINGS[x.shape]),
         lambda x: np.pad(x, PADDINGS[x.shape]) if x.ndim else x, (((4, 5),), ((5,),), ((2, 3, 4),), ((),)), ALL,
         exact=True),
    Case("pad (constant_values)", ("pad", "select"), lambda x: em.pad(x, PADDINGS[x.shape], 1),
         lambda x: np.pad(x, PADDINGS[x.shape], constant_values=1), (((4, 5),), ((5,),)), NUMERIC,
         exact=True),
    Case("x[index] 3-D", ("slice", "reshape"), lambda x, index: x[index], lambda x, index: x[index],
         (((4, 5, 6),),), ALL, exact=True, variants=tuple({"index": i} for i in INDICES_3D)),
    Case("x[index] 1-D", ("slice", "reshape"), lambda x, index: x[index], lambda x, index: x[index],
         (((5,),),), NUMERIC, exact=True, variants=tuple({"index": i} for i in INDICES_1D)),
    # -- em.nn (composites) ----------------------------------------------------------------
    Case("nn.softmax", ("reduce_max", "sub", "exp", "reduce_sum", "div"), em.nn.softmax, _softmax,
         (((5,),), ((3, 4),), ((2, 3, 4),)), FLOATS, variants=({"axis": -1}, {"axis": 0})),
    Case("nn.log_softmax", ("reduce_max", "sub", "exp", "reduce_sum", "log"), em.nn.log_softmax,
         _log_softmax, (((5,),), ((3, 4),), ((2, 3, 4),)), FLOATS, variants=({"axis": -1}, {"axis": 0})),
    Case("nn.gelu", ("gelu",), em.nn.gelu, _gelu, UNARY, FLOATS, variants=({}, {"approximate": False})),
    Case("nn.gelu(approximate=True)", ("tanh", "mul", "add"), em.nn.gelu, _gelu, UNARY, FLOATS,
         variants=({"approximate": True},)),
    Case("nn.silu", ("sigmoid", "mul"), em.nn.silu, lambda x: x * special.expit(x), UNARY, FLOATS),
    Case("nn.softplus", ("relu", "log1p", "exp", "abs", "neg"), em.nn.softplus,
         lambda x: np.logaddexp(x, np.zeros_like(x)), UNARY, FLOATS),
    Case("nn.leaky_relu", ("select", "compare", "mul"), em.nn.leaky_relu,
         lambda x, negative_slope=0.2: np.where(x >= 0, x, x * x.dtype.type(negative_slope)),
         UNARY, FLOATS, exact=True, variants=({}, {"negative_slope": 0.01})),
)


# -- windows, indexing and random (dialects/ops/nn.py, indexing.py, random.py) -------------------
# NOTE: gradient primitives are bound directly on one configuration each; tests/test_nn_ops.py
# and tests/test_indexing.py try many more (strides, dilations, padding, clamped indices).
CONV_ATTRS = dict(strides=(2, 1), dilations=(1, 1), padding=(1, 1, 0, 1))  # (2,7,6,3) * (3,3,3,4) -> (2,4,5,4)
POOL_ATTRS = dict(ksize=(3, 3), strides=(2, 2), padding=(1, 1, 1, 1))      # (2,7,6,3) -> (2,4,3,3)
WINDOWED = ((2, 7, 6, 3),)
CONV_VARIANTS = ({"strides": 1, "padding": "same"}, {"strides": 2, "padding": "valid"},
                 {"padding": "same", "dilations": 2})
POOL_VARIANTS = ({"ksize": 2}, {"ksize": 3, "strides": 2, "padding": "same"}, {"ksize": (2, 3), "strides": 1})


def _conv2d(x, f, strides=1, padding="valid", dilations=1):
    s, d = pair("t", "strides", strides), pair("t", "dilations", dilations)
    return ref.conv2d(x, f, s, d, explicit_padding("t", padding, x.shape[1:3], f.shape[:2], s, d))


def _pool2d(kind):
    def reference(x, ksize, strides=None, padding="valid"):
        k = pair("t", "ksize", ksize)
        s = k if strides is None else pair("t", "strides", strides)
        return ref.pool2d(x, k, s, explicit_padding("t", padding, x.shape[1:3], k, s), kind)
    return reference


def _uniform_bits(key, shape):
    return np.mod(ref.random_bits(key, shape), 1 << 24).astype(np.float32) * np.float32(2.0 ** -24)


CASES += (
    Case("nn.conv2d", ("conv2d",), em.nn.conv2d, _conv2d, (((2, 7, 6, 3), (3, 3, 3, 4)), ((1, 8, 8, 2), (2, 2, 2, 3))),
         FLOATS, "small", variants=CONV_VARIANTS),
    Case("conv2d_backprop_input", ("conv2d_backprop_input",),
         lambda g, f: nn_ops.conv2d_backprop_input.bind(g, f, input_shape=WINDOWED[0], **CONV_ATTRS),
         lambda g, f: ref.conv2d_input_grad(g, f, WINDOWED[0], *CONV_ATTRS.values()),
         (((2, 4, 5, 4), (3, 3, 3, 4)),), ("float32",), "small"),
    Case("conv2d_backprop_filter", ("conv2d_backprop_filter",),
         lambda x, g: nn_ops.conv2d_backprop_filter.bind(x, g, filter_shape=(3, 3, 3, 4), **CONV_ATTRS),
         lambda x, g: ref.conv2d_filter_grad(x, g, (3, 3, 3, 4), *CONV_ATTRS.values()),
         ((WINDOWED[0], (2, 4, 5, 4)),), ("float64",), "small"),
    Case("nn.max_pool2d", ("max_pool2d",), em.nn.max_pool2d, _pool2d("max"), (WINDOWED,), ("float32", "int32"),
         exact=True, variants=POOL_VARIANTS),
    Case("nn.avg_pool2d", ("avg_pool2d",), em.nn.avg_pool2d, _pool2d("avg"), (WINDOWED,), ("float64",),
         variants=POOL_VARIANTS),
    Case("max_pool2d_grad", ("max_pool2d_grad",), lambda x, g: pool_ops.max_pool2d_grad.bind(x, g, **POOL_ATTRS),
         lambda x, g: ref.max_pool2d_grad(x, g, *POOL_ATTRS.values()), ((WINDOWED[0], (2, 4, 3, 3)),),
         ("float32",)),
    Case("avg_pool2d_grad", ("avg_pool2d_grad",),
         lambda g: pool_ops.avg_pool2d_grad.bind(g, input_shape=WINDOWED[0], **POOL_ATTRS),
         lambda g: ref.avg_pool2d_grad(g, WINDOWED[0], *POOL_ATTRS.values()), (((2, 4, 3, 3),),), ("float64",)),
    # NOTE: "any" int indices lie in [-10, 10]: negative and clamped ones occur
    Case("gather", ("gather",), em.gather, ref.take_clamped, (((4, 5), (2, 3)), ((6,), (4,)), ((3, 2), ())),
         ("float32", "int64"), exact=True, operand_dtypes=lambda d: (d, "int32"),
         variants=({"axis": 0}, {"axis": -1})),
    Case("scatter_add", ("scatter_add",),
         lambda u, i: ix_ops.scatter_add.bind(u, i, shape=(4, 5), axis=0),
         lambda u, i: ref.scatter_add(u, i, (4, 5), 0), (((2, 3, 5), (2, 3)),), ("float64", "int32"),
         operand_dtypes=lambda d: (d, "int64")),
    Case("argmax", ("reduce_max", "compare", "iota", "select", "reduce_min"), em.argmax,
         lambda x, axis: np.argmax(x, axis=axis), (((5,),), ((3, 4),), ((2, 3, 4),)), ("float32", "int32"),
         "coarse", exact=True, variants=({"axis": -1}, {"axis": 0})),
    Case("argmin", ("reduce_min", "compare", "iota", "select"), em.argmin,
         lambda x, axis: np.argmin(x, axis=axis), (((5,),), ((3, 4),)), ("float64", "int64"),
         "coarse", exact=True, variants=({"axis": -1}, {"axis": 0})),
    Case("one_hot", ("iota", "compare", "cast"), lambda i: em.one_hot(i, 3),
         lambda i: (i[..., None] == np.arange(3)).astype(np.float32), (((5,),), ((2, 3),)), ("int32", "int64"),
         "small", exact=True),
    Case("range", ("iota",), em.range, lambda start, limit=None, delta=1: np.arange(
         *((start,) if limit is None else (start, limit, delta)), dtype=np.int32), ((),), ("int32",),
         exact=True, variants=({"start": 5}, {"start": 2, "limit": 11, "delta": 3}, {"start": 5, "limit": -4, "delta": -2})),
    Case("random_bits", ("random_bits",), lambda key: random_ops.random_bits.bind(key, shape=(3, 5)),
         lambda key: ref.random_bits(key, (3, 5)), (((2,),),), ("int32",), exact=True),
    Case("random.stateless_uniform", ("random_bits", "rem", "cast", "mul"),
         lambda key: em.random.stateless_uniform((4, 5), key), lambda key: _uniform_bits(key, (4, 5)),
         (((2,),),), ("int32",), exact=True),
    Case("nn.dropout", ("random_bits", "compare", "select"), lambda x, key: em.nn.dropout(x, 0.5, key),
         lambda x, key: np.where(_uniform_bits(key, x.shape) >= 0.5, x * np.float32(2.0), np.float32(0)),
         (((4, 5), (2,)),), ("float32",), exact=True, operand_dtypes=lambda d: (d, "int32")),
)
