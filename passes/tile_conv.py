"""`ember-tile-conv`: a tiled, vectorized CPU schedule for the convolution generics.

Matches the `linalg.generic`s marked `ember.convolution` (body `acc + x * f`, static f32/f64
tensors). Filter gradients whose input channels divide into blocks of 4 to 8, or that have
fewer than 4 (and no dilation), get schedules of their own (`_FilterGradScript`); the others
are rewritten as a `linalg.conv_2d_nhwc_hwcf` (loops (n, oh, ow, f, kh, kw, c)):

  - conv2d (`Lowerer.conv2d`, also conv2d_backprop_input's stride-1 convolution): loops
    (n, oh, kh, kw, c, ow, f), maps x[n, oh*sh + kh*dh, ow*sw + kw*dw, c], filter
    [kh, kw, c, f], out [n, oh, ow, f]: the same convolution;
  - conv2d_backprop_filter: loops (kh, kw, n, oh, ow, c, o), maps
    x[n, oh*sh + kh*dh, ow*sw + kw*dw, c], g[n, oh, ow, o], out [kh, kw, c, o]: the
    convolution of x as (c, h, w, n) with g as the filter (oh, ow, n, o), strides and
    dilations swapped, transposed in and out.

then applies a transform-dialect schedule to it, the conv analogue of `ember-tile-matmul`'s:

  1. split ow and f at static points into whole register tiles and a remainder smaller
     than a tile (shapes are static: no masks, no dynamic sizes);
  2. tile n, oh and kh by 1, ow by OWR, f by NR, then c by CR (a divisor of c), innermost;
  3. decompose the (1 x 1 x OWR x NR x 1 x kw x CR) tile into a 1-D convolution and
     vectorize it (the 1-D convolution vectorizer: one `vector.contract` per kw tap and
     output column), hoist the OWR x NR accumulator out of the c and kh loops, and lower
     the contractions to outer products (fma of a broadcast x element and a filter row).

OWR x NR is `tile_matmul.register_tile` (MR x NR): NR is two vector registers of output
channels and OWR output columns keep OWR * 2 accumulators in registers.
"""
from __future__ import annotations

from ..dialects.locations import walk
from . import linalg_ops
from .registry import register_pass
from .tile_matmul import _FLOATS, _apply, _Script, _sequence, lower_contractions, register_tile

CONVOLUTION = "ember.convolution"   # set by `Lowerer.conv2d` and conv2d_backprop_filter's lowering
_TARGET = "ember.tile_conv.target"
NEST = "ember.tile_conv.nest"       # the outermost loop of each scheduled part
CR = 8                              # the most input channels per innermost iteration
MIN_CHANNEL_BLOCK = 4               # filter gradients: the fewest channels of a blocked tile


def channel_tile(c: int, most: int = CR) -> int:
    """The largest divisor of c not above `most` (c is tiled in whole steps)."""
    return max(d for d in range(1, min(c, most) + 1) if c % d == 0)


class _ConvScript(_Script):
    """Writes the transform-dialect sequence for one conv_2d_nhwc_hwcf."""

    def conv_schedule(self, handle: str, ow: tuple, f: tuple, cr: int) -> None:
        # NOTE: dims (n, oh, ow, f, kh, kw, c); kw stays whole (the 1-D vectorizer unrolls it).
        op, loops = self.tile(handle, [1, 1, ow[2], f[2], 1, 0, cr])
        op = self.decompose(op)
        self.emit(f"transform.structured.vectorize {op} : !transform.any_op")
        self.emit(f"transform.annotate {loops[0]} \"{NEST}\" : !transform.any_op")
        self.k_loops.extend(reversed(loops[-2:] if cr else loops[-1:]))   # c, then kh

    def decompose(self, handle: str) -> str:
        op = self.fresh()
        self.emit(f"{op} = transform.structured.decompose {handle} "
                  f": (!transform.any_op) -> !transform.any_op")
        return op

    def conv_text(self, ow_size: int, f_size: int, c_size: int, owr: int, nr: int) -> str:
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.conv_2d_nhwc_hwcf\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        cr = channel_tile(c_size)
        cr = 0 if cr == c_size else cr   # 0: c is not tiled
        for how, ow in self.split("%op", 2, register_parts(ow_size, owr)):
            for hf, f in self.split(how, 3, register_parts(f_size, nr)):
                self.conv_schedule(hf, ow, f, cr)
        return self.finish()


class _FilterGradScript(_Script):
    """The schedules of a filter-gradient generic, loops (kh, kw, n, oh, ow, c, o):
    df[kh, kw, c, o] += x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * g[n, oh, ow, o].

    `blocked_text`, for channels in blocks of MIN_CHANNEL_BLOCK to CR: a matrix product over
    the output pixels (below). `filter_text`, for fewer input channels than that and no
    dilation (`_few_channels`): its reduction (n, oh, ow) is long and its output small, so
    it is not turned into a convolution (whose c x kh x kw output would be one short row per
    channel): every (c, NR channels of o) tile keeps the whole kh x kw x NR accumulator in
    registers while n, oh and ow run innermost; each step is kh*kw broadcasts of x times one
    row of g.
    Measured, batch 64, 28x28x1 -> 32 (the first layer of a CNN): 7.2 -> 1.8 ms for forward
    and filter gradient together. With 32 input channels the kh x kw gather of x costs more
    than it saves (4.3 -> 6 ms); they take `blocked_text`, which replaced the convolution
    form (transposes of x and g, then a convolution whose output rows are kw = 3 columns
    wide: 3 x NR accumulators, too few to hide the FMA latency). Measured on AVX-512, one
    thread, the CNN's 64x13x13x32 -> 64 filter gradient (em.grad of sum(conv2d(x, w) * g) with
    respect to w): 4.6 -> 2.2 ms."""

    def filter_text(self, o_size: int, nr: int) -> str:
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        for handle, o in self.split("%op", 6, register_parts(o_size, nr)):
            op, loops = self.tile(handle, [0, 0, 1, 1, 1, 1, o[2]], [5, 6, 2, 3, 4, 0, 1])
            self.emit(f"transform.annotate {loops[0]} \"{NEST}\" : !transform.any_op")
            # NOTE: with the unit dims (n, oh, ow, c) folded away, x's read is a plain (kh, kw)
            # one
            self.fold_and_vectorize(loops)
            self.k_loops.append(loops[-1])
        return self.finish()

    def fold_and_vectorize(self, loops: list[str]) -> None:
        """Folds the unit dims of the tile in the nest `loops` away and vectorizes it. NOTE:
        x's map keeps oh*sh + kh*dh, which the vectorizer refuses; without the unit dims it
        is a plain read. The folding replaces the tile (not the loops): it is found again
        inside the innermost loop."""
        self.emit(f"transform.apply_patterns to {loops[0]} {{")
        self.emit("  transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices")
        self.emit("} : !transform.any_op")
        tile = self.fresh()
        self.emit(f"{tile} = transform.structured.match ops{{[\"linalg.generic\"]}} in "
                  f"{loops[-1]} : (!transform.any_op) -> !transform.any_op")
        self.emit(f"transform.structured.vectorize {tile} : !transform.any_op")

    def blocked_text(self, o_size: int, cb: int, nr: int) -> str:
        """The schedule of a filter gradient with a channel block `cb` (a divisor of c, at
        least MIN_CHANNEL_BLOCK): the matrix product df[(kh, kw, c), o] = sum over
        (n, oh, ow) of x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * g[n, oh, ow, o].

        One image at a time (n outermost: its x and g stay in L1/L2 while every tap and
        channel block reads them), then loops (kh, kw, c / cb, o / NR, oh, ow): each register
        tile of cb channels x NR output channels runs over the image's output pixels, each
        step cb broadcasts of x (contiguous channels of one pixel) times one row of g."""
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{_TARGET}}} in %root : (!transform.any_op) -> !transform.any_op")
        for handle, o in self.split("%op", 6, register_parts(o_size, nr)):
            image, outer = self.tile(handle, [0, 0, 1, 0, 0, 0, 0])
            op, loops = self.tile(image, [1, 1, 0, 1, 1, cb, o[2]], [0, 1, 5, 6, 2, 3, 4])
            self.emit(f"transform.annotate {outer[0]} \"{NEST}\" : !transform.any_op")
            # NOTE: with the unit dims (kh, kw, n, oh, ow) folded away, x's read is a plain one
            # of cb channels, and the tile out[c, o] += x[c] * g[o]
            self.fold_and_vectorize(loops)
            self.k_loops += [loops[-1], loops[-2]]   # ow, then oh
        return self.finish()


def register_parts(size: int, tile: int) -> list[tuple[int, int, int]]:
    """Splits a dim into (extent, 0, register tile) parts: whole tiles, then a remainder
    smaller than a tile, tiled whole (its vectors have its static size)."""
    whole = size // tile * tile
    return [p for p in [(whole, 0, tile), (size - whole, 0, size - whole)] if p[0] > 0]


def balanced_parts(size: int, most: int) -> list[tuple[int, int, int]]:
    """Splits a dim into as few register tiles of at most `most` as possible, of two sizes
    that differ by one: (extent, 0, tile) parts (28 by 8: 4 tiles of 7, not 3 of 8 and one
    of 4, whose 8 accumulators cannot hide the FMA latency)."""
    tiles = -(-size // most)
    small, wide = divmod(size, tiles)   # `wide` tiles of small + 1, the others of small
    parts = [(wide * (small + 1), 0, small + 1), ((tiles - wide) * small, 0, small)]
    return [p for p in parts if p[0] > 0]


def schedule_text(ow: int, f: int, c: int, element_bytes: int,
                  vector_bytes: int | None = None) -> str:
    """The transform script for one conv_2d_nhwc_hwcf with these output width, output
    channels and input channels."""
    owr, nr = register_tile(element_bytes, vector_bytes)
    return _ConvScript(0).conv_text(ow, f, c, owr, nr)


LOWER_CONTRACTIONS = lower_contractions(NEST)


def _coefficients(expr, ndims: int) -> list[int] | None:
    """The coefficient of each dim in a linear affine expression without constants."""
    from mlir import ir

    if isinstance(expr, ir.AffineDimExpr):
        out = [0] * ndims
        out[expr.position] = 1
        return out
    if isinstance(expr, ir.AffineAddExpr):
        lhs, rhs = _coefficients(expr.lhs, ndims), _coefficients(expr.rhs, ndims)
        return None if lhs is None or rhs is None else [a + b for a, b in zip(lhs, rhs)]
    if isinstance(expr, ir.AffineMulExpr):
        for a, b in ((expr.lhs, expr.rhs), (expr.rhs, expr.lhs)):
            if isinstance(b, ir.AffineConstantExpr):
                inner = _coefficients(a, ndims)
                return None if inner is None else [v * b.value for v in inner]
    return None


# NOTE: (position of n in the input map, dims of its h and w indices (output, tap)):
# conv2d loops (n, oh, kh, kw, c, ow, f); conv2d_backprop_filter loops (kh, kw, n, oh, ow, c, o).
_LAYOUTS = {"conv": (0, (1, 2), (5, 3)), "filter_grad": (2, (3, 0), (4, 1))}


def _window(op):
    """(kind, strides, dilations) of a marked generic, or None to leave it alone."""
    from mlir import ir

    maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    if len(maps) != 3 or maps[0].n_dims != 7 or len(maps[0].results) != 4:
        return None
    h = _coefficients(maps[0].results[1], 7)
    w = _coefficients(maps[0].results[2], 7)
    if h is None or w is None:
        return None
    for kind, (n, (oh, kh), (ow, kw)) in _LAYOUTS.items():
        first = maps[0].results[0]
        if not (isinstance(first, ir.AffineDimExpr) and first.position == n):
            continue
        if [i for i, v in enumerate(h) if v] == sorted((oh, kh)) \
                and [i for i, v in enumerate(w) if v] == sorted((ow, kw)):
            return kind, (h[oh], w[ow]), (h[kh], w[kw])
    return None


def _multiply_accumulates(op) -> bool:
    """Whether the generic's body is `acc + x * f` (mulf of the inputs, addf, yield)."""
    block = op.regions[0].blocks[0]
    ops = list(block.operations)
    if [o.name for o in ops] != ["arith.mulf", "arith.addf", "linalg.yield"]:
        return False
    x, f, acc = block.arguments
    mul, add, yield_ = ops
    products, sums = list(mul.operands), list(add.operands)
    return (products in ([x, f], [f, x]) and sums in ([acc, mul.results[0]], [mul.results[0], acc])
            and yield_.operands[0] == add.results[0])


def _transpose(value, perm):
    from mlir import ir
    from mlir.dialects import tensor

    type_ = ir.RankedTensorType(value.type)
    shape = [type_.shape[i] for i in perm]
    empty = tensor.EmptyOp(shape, type_.element_type).result
    return linalg_ops.transpose(value, empty, perm)


def _to_named(op, kind, strides, dilations):
    """Replaces the generic by the equivalent linalg.conv_2d_nhwc_hwcf; returns the new op.

    The filter gradient df[kh, kw, c, o] = sum over (n, oh, ow) of
    x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * g[n, oh, ow, o] is the convolution of x as
    (c, h, w, n) with g as the filter (oh, ow, n, o), strides and dilations swapped, giving
    (c, kh, kw, o): it is transposed in and out (copies of the size of x, g and the filter).
    """
    from mlir import ir

    x, f, init = op.operands
    with ir.InsertionPoint(op), op.location:
        if kind == "conv":
            result = linalg_ops.conv_2d_nhwc_hwcf(x, f, init, strides, dilations)
            named = result.owner
        else:
            result = linalg_ops.conv_2d_nhwc_hwcf(
                _transpose(x, (3, 1, 2, 0)), _transpose(f, (1, 2, 0, 3)),
                _transpose(init, (2, 0, 1, 3)), strides=dilations, dilations=strides)
            named = result.owner
            result = _transpose(result, (1, 2, 0, 3))
    op.results[0].replace_all_uses_with(result)
    op.erase()
    return named


def _few_channels(window, channels: int) -> bool:
    """Whether a convolution generic of this window (`_window`) and input channels is a
    filter gradient for `_FilterGradScript.filter_text`. NOTE: a dilated tap (kw*dw) is not
    a plain read there."""
    return (window is not None and window[0] == "filter_grad" and channels < CR
            and channel_tile(channels) < MIN_CHANNEL_BLOCK and window[2] == (1, 1))


def few_channel_filter_grad(op) -> bool:
    """Whether `op` (a linalg.generic) is a filter gradient that `ember-tile-conv` gives the
    few-channel schedule (`filter_text`)."""
    if CONVOLUTION not in op.attributes or len(op.operands) != 3 \
            or not hasattr(op.operands[0].type, "shape") or not _multiply_accumulates(op):
        return False
    return _few_channels(_window(op), op.operands[0].type.shape[3])


@register_pass("ember-tile-conv", "Tile and vectorize the convolution generics (CPU)")
def tile_conv(module_op) -> None:
    from mlir import ir

    funcs = {}
    for op in [op for op in walk(module_op) if op.name == "linalg.generic"
               and CONVOLUTION in op.attributes]:
        out = op.results[0].type if len(op.results) == 1 else None
        if not isinstance(out, ir.RankedTensorType) or not out.has_static_shape or 0 in out.shape:
            continue
        x_type, f_type = op.operands[0].type, op.operands[1].type
        element_bytes = _FLOATS.get(str(out.element_type))
        if element_bytes is None or not x_type.has_static_shape or not f_type.has_static_shape \
                or 0 in x_type.shape or 0 in f_type.shape:
            continue
        window = _window(op)
        if window is None or not _multiply_accumulates(op):
            continue
        func = op.parent
        while func.name != "func.func":
            func = func.parent
        channels = op.operands[0].type.shape[3]
        blocked = window[0] == "filter_grad" and channel_tile(channels) >= MIN_CHANNEL_BLOCK
        if blocked or _few_channels(window, channels):
            op.attributes[_TARGET] = ir.UnitAttr.get()
            # NOTE: vectorized as mulf + addf (its reduction dims are folded away, so there is
            # no vector.contract to lower to fma): `contract` lets LLVM fuse them.
            for body_op in op.regions[0].blocks[0].operations:
                if body_op.name in ("arith.mulf", "arith.addf"):
                    body_op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<contract>")
            nr = register_tile(element_bytes)[1]
            script = _FilterGradScript(0)
            _apply(func, script.blocked_text(out.shape[3], channel_tile(channels), nr) if blocked
                   else script.filter_text(out.shape[3], nr))
            funcs[func.attributes["sym_name"].value] = func
            continue
        named = _to_named(op, *window)
        named.attributes[_TARGET] = ir.UnitAttr.get()
        shape = ir.RankedTensorType(named.results[0].type).shape
        c = ir.RankedTensorType(named.operands[1].type).shape[2]
        _apply(func, schedule_text(shape[2], shape[3], c, element_bytes))
        funcs[func.attributes["sym_name"].value] = func
    for func in funcs.values():
        _apply(func, LOWER_CONTRACTIONS)
