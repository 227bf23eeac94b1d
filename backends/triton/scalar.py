"""The scalar builder (`dialects/scalar.py`) for Triton: each call emits one line of `tl.*` source.

Elementwise primitives have one scalar body; the linalg lowering runs it against arith/math
and this builder runs the same body to write the lines of a Triton kernel, so every
elementwise primitive has its Triton form without a second rule.

Example:
    >>> lines = []
    >>> b = TritonBuilder(lines)
    >>> y = b.maximum(Expr("x", float32), b.zero(Expr("x", float32)))
    >>> lines
    ['t0 = tl.maximum(x, 0.0, propagate_nan=tl.PropagateNan.ALL)']

NOTE: functions that Triton's interpreter cannot run (libdevice's tanh, expm1, log1p, pow)
are written here with `tl.exp`/`tl.log` (Kahan's forms for expm1 and log1p), so the code
tested in the interpreter is the code that runs on the GPU. float32 division and square
root use the correctly rounded `div_rn`/`sqrt_rn` (plain `/` is approximate on NVIDIA);
float16 transcendentals are computed in float32.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ...frontend import dtypes
from ...frontend.dtypes import DType
from ...frontend.errors import CompileError

TL_TYPES = {"float16": "tl.float16", "float32": "tl.float32", "float64": "tl.float64",
            "int32": "tl.int32", "int64": "tl.int64", "bool": "tl.int1"}
_CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class Expr:
    """A value in generated source: a name (or a Python literal) and its ember dtype."""

    text: str
    dtype: DType
    literal: bool = False


def tl_type(dtype: DType) -> str:
    try:
        return TL_TYPES[dtype.name]
    except KeyError:
        raise CompileError(f"the triton backend has no Triton type for {dtype.name}") from None


def literal(value, dtype: DType) -> str:
    """`value` as Python source that Triton reads as a constant of `dtype`."""
    if dtype.is_bool:
        return "True" if value else "False"
    if dtype.is_int:
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    return repr(value)


class TritonBuilder:
    """Implements `ScalarBuilder`; appends `tN = ...` lines to `lines`."""

    def __init__(self, lines: list[str], prefix: str = "t", counter: list | None = None):
        self.lines = lines
        self.prefix = prefix
        self.counter = counter if counter is not None else [0]

    def let(self, text: str, dtype: DType) -> Expr:
        name = f"{self.prefix}{self.counter[0]}"
        self.counter[0] += 1
        self.lines.append(f"{name} = {text}")
        return Expr(name, dtype)

    def tensor(self, x: Expr) -> str:
        """x as a tensor expression (a literal becomes a 1-element tensor of its dtype)."""
        return f"tl.full([1], {x.text}, {tl_type(x.dtype)})" if x.literal else x.text

    # -- ScalarBuilder ---------------------------------------------------------------------
    def dtype(self, x: Expr) -> DType:
        return x.dtype

    def const(self, value, like: Expr) -> Expr:
        return Expr(literal(value, like.dtype), like.dtype, literal=True)

    def zero(self, like: Expr) -> Expr:
        return self.const(0, like)

    def one(self, like: Expr) -> Expr:
        return self.const(1, like)

    def _binary(self, op: str, x: Expr, y: Expr) -> Expr:
        if x.literal and y.literal:
            return Expr(f"({x.text} {op} {y.text})", x.dtype, literal=True)
        return self.let(f"{x.text} {op} {y.text}", x.dtype)

    def add(self, x, y): return self._binary("+", x, y)
    def sub(self, x, y): return self._binary("-", x, y)
    def mul(self, x, y): return self._binary("*", x, y)

    def div(self, x, y):
        if x.dtype.name == "float64":
            return self._binary("/", x, y)
        return self._in_f32(x, lambda a, b: f"tl.math.div_rn({a}, {b})", y)

    def floordiv(self, x, y):
        # NOTE: Triton's `//` truncates (C); NumPy floors: step down where the signs differ
        # and the division is inexact.
        q = self.let(f"{x.text} // {y.text}", x.dtype)
        fix = self.let(f"(({x.text} % {y.text}) != 0) & (({x.text} < 0) != ({y.text} < 0))",
                       dtypes.bool_)
        return self.let(f"{q.text} - {fix.text}.to({tl_type(x.dtype)})", x.dtype)

    def rem(self, x, y):
        return self._binary("%", x, y)   # frem / srem: the sign of x, as C fmod

    def neg(self, x):
        return Expr(f"(-{x.text})", x.dtype, True) if x.literal else self.let(f"-{x.text}", x.dtype)

    def abs(self, x):
        return self.let(f"tl.abs({self.tensor(x)})", x.dtype)

    def _extremum(self, fn: str, x, y):
        nan = ", propagate_nan=tl.PropagateNan.ALL" if x.dtype.is_float else ""
        return self.let(f"tl.{fn}({self.tensor(x)}, {y.text}{nan})", x.dtype)

    def maximum(self, x, y): return self._extremum("maximum", x, y)
    def minimum(self, x, y): return self._extremum("minimum", x, y)

    # -- floating-point functions --------------------------------------------------------------
    def _in_f32(self, x: Expr, fn, y: Expr | None = None) -> Expr:
        """fn(x[, y]) computed in float32 for float16 operands (Triton's math wants f32/f64)."""
        args = [self.tensor(x)] + ([] if y is None else [self.tensor(y)])
        if x.dtype.name == "float16":
            args = [f"{a}.to(tl.float32)" for a in args]
            return self.let(f"({fn(*args)}).to(tl.float16)", x.dtype)
        return self.let(fn(*args), x.dtype)

    def _fn(self, name: str, x: Expr) -> Expr:
        return self._in_f32(x, lambda a: f"tl.{name}({a})")

    def exp(self, x): return self._fn("exp", x)
    def log(self, x): return self._fn("log", x)
    def rsqrt(self, x): return self._fn("rsqrt", x)
    def erf(self, x): return self._fn("erf", x)
    def sin(self, x): return self._fn("sin", x)
    def cos(self, x): return self._fn("cos", x)
    def floor(self, x): return self._fn("floor", x)
    def ceil(self, x): return self._fn("ceil", x)

    def sqrt(self, x):
        return self._fn("sqrt" if x.dtype.name == "float64" else "sqrt_rn", x)

    def expm1(self, x):
        # NOTE: Kahan: (u - 1) * x / log(u) cancels the rounding error of u = exp(x).
        u = self.exp(x)
        um1 = self.sub(u, self.one(x))
        ratio = self.div(self.mul(um1, x), self.log(u))
        r = self.select(self.cmp("eq", um1, self.const(-1, x)), self.const(-1, x), ratio)
        r = self.select(self.cmp("eq", u, self.const(math.inf, x)), u, r)
        return self.select(self.cmp("eq", u, self.one(x)), x, r)

    def log1p(self, x):
        # NOTE: Kahan: log(u) * x / (u - 1) with u = 1 + x is accurate near 0.
        u = self.add(x, self.one(x))
        ratio = self.div(self.mul(self.log(u), x), self.sub(u, self.one(x)))
        r = self.select(self.cmp("eq", u, self.const(math.inf, x)), u, ratio)
        return self.select(self.cmp("eq", u, self.one(x)), x, r)

    def tanh(self, x):
        # tanh|x| = -expm1(-2|x|) / (expm1(-2|x|) + 2), odd in x
        t = self.expm1(self.mul(self.abs(x), self.const(-2.0, x)))
        r = self.div(self.neg(t), self.add(t, self.const(2.0, x)))
        return self.select(self.cmp("lt", x, self.zero(x)), self.neg(r), r)

    def pow(self, x, y):
        ax = self.abs(x)
        r = self.exp(self.mul(y, self.log(ax)))
        is_int = self.cmp("eq", self.floor(y), y)
        odd = self.and_(is_int, self.cmp("ne", self.rem(y, self.const(2.0, y)), self.zero(y)))
        negative = self.cmp("lt", x, self.zero(x))
        r = self.select(self.and_(negative, odd), self.neg(r), r)
        r = self.select(self.and_(negative, self.not_(is_int)), self.const(math.nan, x), r)
        r = self.select(self.cmp("eq", x, self.one(x)), self.one(x), r)
        return self.select(self.cmp("eq", y, self.zero(y)), self.one(x), r)

    # -- comparisons, selection, conversion, logic ----------------------------------------
    def cmp(self, predicate: str, x, y):
        if predicate not in _CMP:
            raise CompileError(f"unknown comparison '{predicate}'; expected one of {', '.join(_CMP)}")
        return self.let(f"{self.tensor(x)} {_CMP[predicate]} {y.text}", dtypes.bool_)

    def select(self, cond, x, y):
        if x.literal and y.literal:
            x = Expr(self.tensor(x), x.dtype)
        return self.let(f"tl.where({cond.text}, {x.text}, {y.text})", x.dtype)

    def cast(self, x, dtype: DType):
        if x.dtype == dtype:
            return x
        if dtype.is_bool:
            return self.let(f"{self.tensor(x)} != 0", dtype)
        return self.let(f"{self.tensor(x)}.to({tl_type(dtype)})", dtype)

    def and_(self, x, y): return self.let(f"{self.tensor(x)} & {y.text}", dtypes.bool_)
    def or_(self, x, y): return self.let(f"{self.tensor(x)} | {y.text}", dtypes.bool_)
    def not_(self, x): return self.let(f"{self.tensor(x)} == 0", dtypes.bool_)


def apply_scalar(builder: TritonBuilder, prim, args: list[Expr], attrs: dict) -> Expr:
    """Runs an elementwise primitive's scalar body on Triton values."""
    if prim.scalar_rule is None:
        raise CompileError(f"ember.{prim.name} has no scalar body: the triton backend cannot "
                           f"emit it elementwise")
    return prim.scalar_rule(builder, *args, **attrs)
