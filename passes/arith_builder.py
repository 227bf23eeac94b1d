"""The scalar builder (dialects/scalar.py) as arith and math ops, used inside linalg bodies."""
from __future__ import annotations

from ..frontend import dtypes
from ..frontend.dtypes import DType

_FLOAT_PREDICATES = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
_INT_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_BOOL_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


class ArithBuilder:
    """Emits arith/math ops at the current insertion point and location."""

    def dtype(self, x) -> DType:
        return dtypes.from_mlir(x.type)

    def const(self, value, like):
        from mlir import ir
        from mlir.dialects import arith

        dtype = self.dtype(like)
        type_ = dtype.mlir_type()
        if dtype.is_float:
            attr = ir.FloatAttr.get(type_, float(value))
        else:
            attr = ir.IntegerAttr.get(type_, int(bool(value)) if dtype.is_bool else int(value))
        return arith.ConstantOp(type_, attr).result

    def zero(self, like):
        return self.const(0, like)

    def one(self, like):
        return self.const(1, like)

    def _by_kind(self, x, float_op, int_op, *operands):
        return (float_op if self.dtype(x).is_float else int_op)(*operands)

    def add(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.addf, arith.addi, x, y)

    def sub(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.subf, arith.subi, x, y)

    def mul(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.mulf, arith.muli, x, y)

    def div(self, x, y):
        from mlir.dialects import arith
        return arith.divf(x, y)

    def floordiv(self, x, y):
        from mlir.dialects import arith
        return arith.floordivsi(x, y)

    def rem(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.remf, arith.remsi, x, y)

    def neg(self, x):
        from mlir.dialects import arith
        return arith.negf(x) if self.dtype(x).is_float else arith.subi(self.zero(x), x)

    def abs(self, x):
        from mlir.dialects import math
        return self._by_kind(x, math.absf, math.absi, x)

    def maximum(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.maximumf, arith.maxsi, x, y)

    def minimum(self, x, y):
        from mlir.dialects import arith
        return self._by_kind(x, arith.minimumf, arith.minsi, x, y)

    def _math(self, name, *operands):
        from mlir.dialects import math
        return getattr(math, name)(*operands)

    def pow(self, x, y): return self._math("powf", x, y)
    def exp(self, x): return self._math("exp", x)
    def expm1(self, x): return self._math("expm1", x)
    def log(self, x): return self._math("log", x)
    def log1p(self, x): return self._math("log1p", x)
    def sqrt(self, x): return self._math("sqrt", x)
    def rsqrt(self, x): return self._math("rsqrt", x)
    def tanh(self, x): return self._math("tanh", x)
    def erf(self, x): return self._math("erf", x)
    def sin(self, x): return self._math("sin", x)
    def cos(self, x): return self._math("cos", x)
    def floor(self, x): return self._math("floor", x)
    def ceil(self, x): return self._math("ceil", x)

    def cmp(self, predicate, x, y):
        from mlir.dialects import arith

        dtype = self.dtype(x)
        if dtype.is_float:
            return arith.cmpf(getattr(arith.CmpFPredicate, _FLOAT_PREDICATES[predicate].upper()), x, y)
        table = _BOOL_PREDICATES if dtype.is_bool else _INT_PREDICATES
        return arith.cmpi(getattr(arith.CmpIPredicate, table[predicate]), x, y)

    def select(self, cond, x, y):
        from mlir.dialects import arith
        return arith.select(cond, x, y)

    def cast(self, x, dtype: DType):
        from mlir.dialects import arith

        src = self.dtype(x)
        target = dtype.mlir_type()
        if src is dtype:
            return x
        if dtype.is_bool:
            return self.cmp("ne", x, self.zero(x))
        if src.is_bool:
            return (arith.uitofp if dtype.is_float else arith.extui)(target, x)
        if src.is_float and dtype.is_float:
            return (arith.extf if dtype.bits > src.bits else arith.truncf)(target, x)
        if src.is_float:
            return arith.fptosi(target, x)
        if dtype.is_float:
            return arith.sitofp(target, x)
        return (arith.extsi if dtype.bits > src.bits else arith.trunci)(target, x)

    def and_(self, x, y):
        from mlir.dialects import arith
        return arith.andi(x, y)

    def or_(self, x, y):
        from mlir.dialects import arith
        return arith.ori(x, y)

    def not_(self, x):
        from mlir.dialects import arith
        return arith.xori(x, self.one(x))
