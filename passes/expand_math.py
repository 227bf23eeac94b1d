"""`ember-expand-math`: f32 `math.exp`, `math.tanh` and `math.erf` as polynomial arith code.

LLVM lowers these ops to scalar libm calls, which stop loops from vectorizing (tanhf is
~8x slower than NumPy's SIMD tanh on a 4M chain). These expansions are branch-free arith,
on scalars or vectors of f32. Accuracy, checked against float64 over the whole f32 range:
exp <= 1 ulp (Cephes' range reduction and polynomial, denormals kept), tanh and erf
<= 8 ulp, absolute error < 5e-7 (rational minimax forms, as in Eigen). f64 keeps libm.

The pass runs after the schedules have vectorized the loops (the math ops are
elementwise-mappable, so they vectorize as they are), which lets exp scale by 2^m with one
instruction where the host has one: LLVM's `llvm.ldexp` intrinsic on a 1-D vector becomes
AVX-512's `vscalefps`, against nine integer and float ops that build 2^m from exponent bits
(scalar ldexp, and vector ldexp without AVX-512, are libm calls).
"""
from __future__ import annotations

from ..dialects.locations import walk
from .registry import register_pass
from .tile_matmul import host_cpu_flags

# The clamp keeps the reduction in range and the result exact at the ends: for x in
# (88.7228, 89], m is 128 and y * 2^128 overflows to inf; at -104, m is -150 and
# y * 2^-150 rounds to 0. So only NaN needs a select.
_EXP_HI = 89.0
_EXP_LO = -104.0
_EXP_POLY = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
             1.6666665459e-1, 5.0000001201e-1)
_TANH_CLAMP = 7.90531110763549805  # tanh(x) rounds to +-1 in f32 beyond this
_TANH_P = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
           5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
           4.89352455891786e-03)
_TANH_Q = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
           4.89352518554385e-03)
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)


def _f32_shape(type_) -> list[int] | None:
    """The vector shape of an f32 or vector-of-f32 type ([] for a scalar); None otherwise."""
    from mlir import ir

    if isinstance(type_, ir.F32Type):
        return []
    if isinstance(type_, ir.VectorType):
        if isinstance(type_.element_type, ir.F32Type) and not any(type_.scalable_dims):
            return list(type_.shape)
    return None


class _F32:
    """Tiny f32 arith emitter at the current insertion point, on scalars or on vectors of one
    shape (constants are splats)."""

    def __init__(self, shape: list[int]):
        from mlir import ir

        f32, i32 = ir.F32Type.get(), ir.IntegerType.get_signless(32)
        self.shape = shape
        self.f32 = ir.VectorType.get(shape, f32) if shape else f32
        self.i32 = ir.VectorType.get(shape, i32) if shape else i32

    def _const(self, type_, attr):
        from mlir import ir
        from mlir.dialects import arith

        if self.shape:
            attr = ir.DenseElementsAttr.get_splat(type_, attr)
        return arith.ConstantOp(type_, attr).result

    def c(self, value):
        from mlir import ir

        return self._const(self.f32, ir.FloatAttr.get(ir.F32Type.get(), value))

    def ci(self, value):
        from mlir import ir

        return self._const(self.i32, ir.IntegerAttr.get(ir.IntegerType.get_signless(32), value))

    def ldexp(self, y, m):
        """y * 2^m for integral f32 m in [-150, 128], without overflow or flushing denormals."""
        from mlir import ir
        from mlir.dialects import arith

        mi = arith.fptosi(self.i32, m)
        if len(self.shape) == 1 and "avx512f" in host_cpu_flags():
            # NOTE: llvm.intr.ldexp takes a scalar exponent only; the intrinsic takes vectors
            return ir.Operation.create(
                "llvm.call_intrinsic", results=[self.f32], operands=[y, mi],
                attributes={"intrin": ir.StringAttr.get("llvm.ldexp"),
                            "op_bundle_sizes": ir.DenseI32ArrayAttr.get([]),
                            "operandSegmentSizes": ir.DenseI32ArrayAttr.get([2, 0])}).result
        # 2^m as two factors, so m stays representable
        e1 = arith.shrsi(mi, self.ci(1))
        e2 = arith.subi(mi, e1)
        s1 = arith.bitcast(self.f32, arith.shli(arith.addi(e1, self.ci(127)), self.ci(23)))
        s2 = arith.bitcast(self.f32, arith.shli(arith.addi(e2, self.ci(127)), self.ci(23)))
        return arith.mulf(arith.mulf(y, s1), s2)

    def horner(self, x, coefficients):
        from mlir.dialects import arith, math

        acc = self.c(coefficients[0])
        for k in coefficients[1:]:
            acc = math.fma(acc, x, self.c(k))
        return acc

    def clamp(self, x, lo, hi):
        from mlir.dialects import arith

        return arith.minimumf(arith.maximumf(x, self.c(lo)), self.c(hi))


def _exp(e: _F32, x):
    from mlir.dialects import arith, math

    c = e.clamp(x, _EXP_LO, _EXP_HI)
    m = math.floor(math.fma(c, e.c(1.44269504088896341), e.c(0.5)))
    r = math.fma(m, e.c(-0.693359375), c)        # ln2 split in two for an exact product
    r = math.fma(m, e.c(2.12194440e-4), r)
    y = arith.addf(math.fma(e.horner(r, _EXP_POLY), arith.mulf(r, r), r), e.c(1.0))
    out = e.ldexp(y, m)
    return arith.select(arith.cmpf(arith.CmpFPredicate.UNO, x, x), x, out)


def _rational_odd(e: _F32, x, clamp, p, q, small=None):
    from mlir.dialects import arith, math

    c = e.clamp(x, -clamp, clamp)
    x2 = arith.mulf(c, c)
    out = arith.divf(arith.mulf(c, e.horner(x2, p)), e.horner(x2, q))
    if small is not None:  # tanh(x) == x in f32 for tiny x, and +-1 past the clamp
        tiny = arith.cmpf(arith.CmpFPredicate.OLT, math.absf(x), e.c(small))
        out = arith.select(tiny, x, out)
        big = arith.cmpf(arith.CmpFPredicate.OGE, math.absf(x), e.c(clamp))
        out = arith.select(big, math.copysign(e.c(1.0), x), out)
    return out


_EXPANSIONS = {
    "math.exp": _exp,
    "math.tanh": lambda e, x: _rational_odd(e, x, _TANH_CLAMP, _TANH_P, _TANH_Q, small=0.0004),
    "math.erf": lambda e, x: _rational_odd(e, x, 4.0, _ERF_P, _ERF_Q),
}


@register_pass("ember-expand-math", "Expand f32 math.exp/tanh/erf (scalars or vectors) into polynomials")
def expand_math(module_op) -> None:
    from mlir import ir

    for op in list(walk(module_op)):
        expand = _EXPANSIONS.get(op.name)
        shape = None if expand is None else _f32_shape(op.results[0].type)
        if shape is None:
            continue
        with op.location, ir.InsertionPoint(op):
            value = expand(_F32(shape), op.operands[0])
        op.results[0].replace_all_uses_with(value)
        op.erase()
