"""The linalg ops ember's passes build, from MLIR's generated op classes and the C++ region
builders of the named ops.

NOTE: not through the package `mlir.dialects.linalg`: importing it runs the opdsl (Python)
definitions of every named op, 70-80 ms of a process's first compile, and ember builds its
few named ops from their C++ definitions. Each builder returns the op's result value(s)
(tensors), at the current insertion point and location.
"""
from __future__ import annotations


def _ops():
    """MLIR's generated linalg op classes. (The bindings find the dialect's Python module in
    `ember.dialects.bindings`, see `dialects/context.py`, so meeting a linalg op or attribute
    does not import `mlir.dialects.linalg` either.)"""
    from mlir.dialects import _linalg_ops_gen

    return _linalg_ops_gen


def _named(op):
    """`op` with its body built by the op's own (C++) region builder."""
    from mlir._mlir_libs._mlirDialectsLinalg import fill_builtin_region

    fill_builtin_region(op.operation)
    return op


def _pair(values):
    """A named op's `strides` / `dilations`: dense<[a, b]> : tensor<2xi64>."""
    from mlir import ir

    a, b = (int(v) for v in values)
    return ir.Attribute.parse(f"dense<[{a}, {b}]> : tensor<2xi64>")


def fill(value, init):
    """`init` filled with the scalar `value`."""
    return _named(_ops().FillOp([init.type], [value], [init])).results[0]


def copy(src, init):
    """`src` copied into `init`: the copy (tensors), or None (memrefs: `init` is written)."""
    from mlir import ir

    if isinstance(init.type, ir.MemRefType):
        _named(_ops().CopyOp([], [src], [init]))
        return None
    return _named(_ops().CopyOp([init.type], [src], [init])).results[0]


def transpose(x, init, permutation):
    """`x` with its dims permuted into `init` (init.shape[i] == x.shape[permutation[i]]), as
    a linalg.generic that reads `x` through the permutation. NOTE: not the named
    linalg.transpose: the CPU passes split generics across threads (`ember-parallelize`) and
    vectorize their transposed reads in 2-D tiles (`ember-vectorize-elementwise`)."""
    from mlir import ir

    rank = len(permutation)
    dims = [ir.AffineDimExpr.get(i) for i in range(rank)]
    read = ir.AffineMap.get(rank, 0, [dims[list(permutation).index(j)] for j in range(rank)])
    op = generic([x], [init], [read, ir.AffineMap.get_identity(rank)], ["parallel"] * rank)
    with ir.InsertionPoint(op.regions[0].blocks[0]):
        yield_([op.regions[0].blocks[0].arguments[0]])
    return op.results[0]


def conv_2d_nhwc_hwcf(x, filter_, init, strides, dilations):
    """init + the convolution of `x` (NHWC) with `filter_` (HWCF)."""
    op = _ops().Conv2DNhwcHwcfOp([init.type], [x, filter_], [init], strides=_pair(strides),
                                 dilations=_pair(dilations))
    return _named(op).results[0]


def generic(inputs, inits, indexing_maps, iterator_types):
    """A linalg.generic (`indexing_maps`: AffineMaps, `iterator_types`: "parallel" or
    "reduction" per loop) whose block has one argument per input and init (their element
    types) and no ops yet: the caller builds them and ends the block with `yield_`."""
    from mlir import ir

    ops = _ops()
    maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in indexing_maps])
    iterators = ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{it}>")
                                  for it in iterator_types])
    op = ops.GenericOp([i.type for i in inits], list(inputs), list(inits), maps, iterators)
    op.regions[0].blocks.append(*[ir.ShapedType(v.type).element_type
                                  for v in list(inputs) + list(inits)])
    return op


def yield_(values) -> None:
    _ops().YieldOp(list(values))


def index(dim: int):
    """The iteration index of loop `dim` inside a linalg.generic body (type index)."""
    return _ops().IndexOp(dim).result
