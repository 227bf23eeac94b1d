"""`random_bits`: counter-based, stateless random numbers (Threefry-2x32, 20 rounds).

Element i (row-major) of the result is the first word of Threefry-2x32(key, (i mod 2^32,
i >> 32)), the block cipher of Salmon et al., "Parallel random numbers: as easy as 1, 2,
3" (SC 2011), also behind JAX's PRNG: only 32-bit adds, rotations and xors, so the NumPy
kernel and the compiled code compute it bit for bit alike. The cipher is written once
(`threefry2x32`) against a tiny ops interface, used by both.
"""
from __future__ import annotations

import numpy as np

from ...frontend.dtypes import int32
from ...frontend.errors import DTypeError, ShapeError
from ..primitive import INTS, STRUCTURED, AVal, Primitive

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


def threefry2x32(ops, k0, k1, x0, x1):
    """Threefry-2x32-20 of the counter (x0, x1) under the key (k0, k1); 32-bit words."""
    ks = (k0, k1, ops.xor(ops.xor(k0, k1), ops.const(_PARITY)))
    x0, x1 = ops.add(x0, ks[0]), ops.add(x1, ks[1])
    for group in range(5):
        for r in _ROTATIONS[group % 2]:
            x0 = ops.add(x0, x1)
            x1 = ops.xor(ops.rotl(x1, r), x0)
        x0 = ops.add(x0, ks[(group + 1) % 3])
        x1 = ops.add(ops.add(x1, ks[(group + 2) % 3]), ops.const(group + 1))
    return x0, x1


class _NumPyOps:
    """uint32 arrays (NumPy wraps around on overflow for arrays)."""

    @staticmethod
    def const(v): return np.uint32(v)
    @staticmethod
    def add(x, y): return x + y
    @staticmethod
    def xor(x, y): return x ^ y
    @staticmethod
    def rotl(x, r): return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


class _ArithOps:
    """i32 values inside a linalg body (arith wraps around, as uint32 does)."""

    def __init__(self):
        from mlir import ir
        from mlir.dialects import arith

        self.arith, self.i32 = arith, ir.IntegerType.get_signless(32)

    def const(self, v):
        return self.arith.constant(self.i32, int(np.uint32(v).astype(np.int32)))

    def add(self, x, y): return self.arith.addi(x, y)
    def xor(self, x, y): return self.arith.xori(x, y)

    def rotl(self, x, r):
        return self.arith.ori(self.arith.shli(x, self.const(r)), self.arith.shrui(x, self.const(32 - r)))


def _random_bits_shape(key: AVal, shape) -> AVal:
    if key.dtype is not int32:
        raise DTypeError(f"the key must be an int32 tensor, received {key.dtype.name}")
    if key.shape != (2,):
        raise ShapeError(f"the key must have shape (2,), received {key.shape}")
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ShapeError(f"dims must be >= 0, received shape {shape}")
    return AVal(shape, int32)


def _random_bits_eager(key, shape):
    k = key.astype(np.int32).view(np.uint32).reshape(2, 1)
    counter = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.uint64)
    lo = (counter & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    hi = (counter >> np.uint64(32)).astype(np.uint32)
    bits, _ = threefry2x32(_NumPyOps, k[0], k[1], lo, hi)
    return bits.view(np.int32).reshape(shape)


random_bits = Primitive(
    "random_bits", kind=STRUCTURED, operands=("key",), attrs={"shape": INTS},
    doc="32 random bits (int32) per element of `shape`: Threefry-2x32-20 of the element's "
        "row-major index under `key` (int32[2]); stateless, the same key gives the same bits",
    shape=_random_bits_shape, eager=_random_bits_eager)


@random_bits.lower
def _(lw, op, operands):
    from mlir import ir
    from mlir.dialects import arith, tensor

    out = op.out_aval
    key = operands[0]
    k0 = tensor.extract(key, [lw.index_const(0)])
    k1 = tensor.extract(key, [lw.index_const(1)])
    strides = [int(np.prod(out.shape[d + 1:], dtype=np.int64)) for d in range(out.rank)]

    def body(b, _):
        i64 = ir.IntegerType.get_signless(64)
        flat = lw.index_const(0)
        for d, stride in enumerate(strides):
            flat = arith.addi(flat, arith.muli(lw.index(d), lw.index_const(stride)))
        flat = arith.index_cast(i64, flat)
        ops = _ArithOps()
        lo = arith.trunci(ops.i32, flat)
        hi = arith.trunci(ops.i32, arith.shrui(flat, arith.constant(i64, 32)))
        bits, _ = threefry2x32(ops, k0, k1, lo, hi)
        return bits

    return lw.generic([], [], lw.empty(out), lw.dims_map(out.rank, range(out.rank)),
                      ["parallel"] * out.rank, body)


random_bits.vjp(lambda g, out, key, shape: (None,))
