"""`ember-pack-conv`: convolutions as packed matrix products, one output row at a time (CPU).

A forward convolution (`ember.convolution` generics of `Lowerer.conv2d`: loops
(n, oh, kh, kw, c, ow, f), also conv2d_backprop_input's) is, for each output row (n, oh), the
matrix product of the row's patches and the filter:

    out[n, oh, ow, f] = sum over k = (kh, kw, c) of A[ow, k] * W[k, f]
    A[ow, (kh, kw, c)] = x[n, oh*sh + kh*dh, ow*sw + kw*dw, c]            (OW x KH*KW*C)

This pass rewrites it as that product, in the packed form of `ember-pack-matmul`:

  - the filter is copied once into NR-column panels, Wp[f0, kh, kw, c, f1] = W[kh, kw, c,
    f0 * NR + f1] (each panel one contiguous KH*KW*C x NR block, which stays in L1);
  - per output row, the row's patches A are copied into a contiguous OW x KH x KW x C block
    (an im2col of one row: 32 KB for 28 x 3x3x32, made and used in L1/L2, never the whole
    patch matrix); with a horizontal stride of 1 there is no copy: the product reads A
    from x where it lies (`_pack`);
  - the row's product runs over (ow, f0, kh, kw, c, f1) into the (OW, F/NR, NR) view of its
    output row, with register tiles of OWR output columns x NR channels (`conv_register_tile`:
    NR two or four vector registers): OWR * NR / lanes vector accumulators held through the
    whole (kh, kw, c) reduction, each step one filter row times OWR broadcast patch elements.

and schedules it (transform dialect): tile (n, oh) by 1, fuse the patch copy into that loop
and vectorize it (C elements at a time), register-tile the product (loops f0, ow, kh, kw, c),
fold its unit dims and vectorize it; then the fill of the output moves into the row loop
(`_fill_rows`), and from there into the register tiles: their accumulators start at the
fill's value (zero) instead of reading back a zeroed row (`_start_from_fill_value`).

Measured, one thread, batch 64 of 28x28x32 -> 64, 3x3, same (medians): when this pass was
written, 19.3 ms as a 1-D-convolution schedule (`ember-tile-conv`), 17.5-18 ms here, PyTorch
(oneDNN) 12.5 ms; the product's tiles ran at about 130 GFLOP/s (of about 190), the rest was
the padded copy of the input (fill and copy, 12%) and the patch copies (7%). Later, on a
faster AVX-512 host, with the wide tiles, the fill of the padding's border only and no
patch copy (stride 1): 9.6-10.5 ms, PyTorch 8.4 ms; perf: the register tiles 92% of the
samples, the copy of the input into its padded form 6%.

A padded input read directly (stride 1) is padded one image at a time in the image loop
when `ember-parallelize` marked it so (`pad_images`), instead of read from a padded copy
of the whole input made before. Of a zero-padded input, the register tiles read only the
filter rows that fall on the input (`_skip_padded_rows`): the others would add zeros.

Matched: static f32/f64 forward convolutions whose output channels are a multiple of NR.
Others (and filter gradients) are left to `ember-tile-conv`.
"""
from __future__ import annotations

from ..dialects.locations import walk
from ..dialects.values import defined_within, scalar_constant
from . import linalg_ops
from .ember_to_linalg import generic_op
from .pack_matmul import PANELS
from .pad_images import IMAGE_PAD, pad_images
from .parallelize import _own_fill
from .registry import register_pass
from .tile_conv import CONVOLUTION, _multiply_accumulates, _window, balanced_parts
from .tile_matmul import (_FLOATS, _apply, _func_of, _Script, lower_contractions, register_tile,
                          target_vector_bytes)
from .vectorize_copies import vectorize_copy

PACKED = "ember.convolution_packed"   # a row-by-row packed product, scheduled here
_PATCHES = "ember.pack_conv.patches"  # the patch copy (im2col) of the marked product
ROW = "ember.pack_conv.row"          # the loop over output rows (oh) of the product


# NOTE: measured on AVX-512, interleaved in one process: a register tile of 4 vector
# registers of channels (64 f32) x 6 columns (24 accumulators; 4 filter loads and 6
# broadcasts per 24 FMAs) against 2 x 8 (16 accumulators; 2 loads and 8 broadcasts per 16):
# the CNN's 64x13x13x32 -> 64 conv 4.0 -> 3.4 ms on one thread, 2.0 -> 1.66 ms on two;
# bench row 5's conv2d 24.5 -> 21.8 ms and 12.9 -> 11.1 ms.
WIDE_COLUMNS = 6


def conv_register_tile(element_bytes: int, channels: int,
                       vector_bytes: int | None = None) -> tuple[int, int] | None:
    """(OWR, NR) of a packed convolution with `channels` output channels, or None when they
    are not a multiple of NR. With 32 vector registers (AVX-512) and channels to fill them,
    NR is four registers and OWR is WIDE_COLUMNS (4 x 6 accumulators, 4 filter rows, one
    broadcast); otherwise `tile_matmul.register_tile`'s two registers x MR columns."""
    vector_bytes = vector_bytes or target_vector_bytes()
    owr, nr = register_tile(element_bytes, vector_bytes)
    if vector_bytes == 64 and channels % (2 * nr) == 0:
        return WIDE_COLUMNS, 2 * nr
    return (owr, nr) if channels % nr == 0 else None


def packable(op):
    """(strides, dilations, (OWR, NR)) of a forward convolution generic worth packing, or
    None."""
    from mlir import ir

    if op.name != "linalg.generic" or CONVOLUTION not in op.attributes or len(op.results) != 1:
        return None
    types = [op.operands[i].type for i in range(3)]
    if not all(isinstance(t, ir.RankedTensorType) and t.has_static_shape and 0 not in t.shape
               for t in types):
        return None
    element_bytes = _FLOATS.get(str(types[2].element_type))
    window = _window(op)
    if element_bytes is None or window is None or window[0] != "conv" \
            or not _multiply_accumulates(op):
        return None
    tile = conv_register_tile(element_bytes, types[2].shape[3])
    if tile is None:
        return None
    return window[1], window[2], tile


def packs_channels(op, channels: int) -> bool:
    """Whether convolution generic `op` would still be packed with `channels` output
    channels (a chunk of them)."""
    element_bytes = _FLOATS.get(str(op.operands[2].type.element_type))
    return element_bytes is not None and conv_register_tile(element_bytes, channels) is not None


def reads_directly(op) -> bool:
    """Whether this pass packs convolution generic `op` reading its input where it lies (a
    horizontal stride of 1, see `_pack`), with no patch copy."""
    how = packable(op)
    return how is not None and _direct(how[0])


def _direct(strides) -> bool:
    """A horizontal stride of 1: the product reads x where it lies (see `_pack`)."""
    return strides[1] == 1


def _pack(op, strides, dilations, nr: int, direct: bool):
    """Replaces the convolution generic by the filter's panels, the patch copy and the
    packed product (marked `PACKED`; its patch copy `_PATCHES`).

    `direct` (a horizontal stride of 1): no patch copy; the product reads x itself, as
    A[ow, kh, kw, c] = x[n, oh*sh + kh*dh, ow + kw*dw, c]. Its register tiles' OWR patch
    elements of one (kh, kw, c) are then OWR consecutive pixels' channel c of x (C elements
    apart, in cache across the row's tiles), a plain read once the tile's unit dims are
    folded away. (With a stride sw they would be ow*sw: not a plain read for the
    vectorizer, hence the copy.) Bench row 5's conv2d, AVX-512, interleaved in one process:
    one thread 11.6, 10.7 -> 10.5, 9.6 ms; two threads 6.06, 5.93 -> 5.46, 5.41 ms."""
    from mlir import ir
    from mlir.dialects import arith, tensor

    x, w, init = op.operands[0], op.operands[1], op.operands[2]
    element = ir.RankedTensorType(init.type).element_type
    n, oh, ow, f = ir.RankedTensorType(init.type).shape
    kh, kw, c, _ = ir.RankedTensorType(w.type).shape
    (sh, sw), (dh, dw) = strides, dilations
    d = [ir.AffineDimExpr.get(i) for i in range(8)]

    def identity(rank):
        return ir.AffineMap.get_identity(rank)

    fill = _own_fill(op)
    with ir.InsertionPoint(op), op.location:
        # Wp[f0, kh, kw, c, f1] = W[kh, kw, c, f0 * NR + f1], through W's (.., F/NR, NR) view
        w5 = tensor.expand_shape(ir.RankedTensorType.get([kh, kw, c, f // nr, nr], element), w,
                                 [[0], [1], [2], [3, 4]], [], [kh, kw, c, f // nr, nr])
        f0, a, b, cc, f1 = d[:5]
        panels = generic_op([w5], [ir.AffineMap.get(5, 0, [a, b, cc, f0, f1])],
                            tensor.EmptyOp([f // nr, kh, kw, c, nr], element).result,
                            identity(5), ["parallel"] * 5, lambda v, _: v)
        panels.attributes[PANELS] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), 5)
        hoist_invariant([w5.owner, panels.operands[1].owner, panels])
        if direct:
            patches = None
        else:
            # A[n, oh, ow, kh, kw, c] = x[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
            nn, hh, ww, a, b, cc = d[:6]
            patch_map = ir.AffineMap.get(6, 0, [nn, hh * sh + a * dh, ww * sw + b * dw, cc])
            patches = generic_op([x], [patch_map],
                                 tensor.EmptyOp([n, oh, ow, kh, kw, c], element).result,
                                 identity(6), ["parallel"] * 6, lambda v, _: v)
            patches.attributes[_PATCHES] = ir.UnitAttr.get()
        # out[n, oh, ow, f0, f1] += A[n, oh, ow, kh, kw, c] * Wp[f0, kh, kw, c, f1]
        wide_type = ir.RankedTensorType.get([n, oh, ow, f // nr, nr], element)
        if fill is None:
            wide = tensor.expand_shape(wide_type, init, [[0], [1], [2], [3, 4]], [],
                                       [n, oh, ow, f // nr, nr])
        else:   # NOTE: a fill of the wide view, which `_fill_rows` moves into the row loop
            dest = tensor.expand_shape(wide_type, fill.operands[1], [[0], [1], [2], [3, 4]], [],
                                       [n, oh, ow, f // nr, nr])
            wide = linalg_ops.fill(fill.operands[0], dest)
        nn, hh, ww, f0, a, b, cc, f1 = d
        if direct:
            source, source_map = x, ir.AffineMap.get(8, 0, [nn, hh * sh + a * dh, ww + b * dw, cc])
        else:
            source, source_map = patches.results[0], ir.AffineMap.get(8, 0, [nn, hh, ww, a, b, cc])
        product = generic_op(
            [source, panels.results[0]],
            [source_map, ir.AffineMap.get(8, 0, [f0, a, b, cc, f1])],
            wide, ir.AffineMap.get(8, 0, [nn, hh, ww, f0, f1]),
            ["parallel"] * 4 + ["reduction"] * 3 + ["parallel"],
            lambda xv, wv, acc: arith.addf(acc, arith.mulf(xv, wv)))
        product.attributes[PACKED] = ir.UnitAttr.get()
        result = tensor.collapse_shape(init.type, product.results[0], [[0], [1], [2], [3, 4]])
    op.results[0].replace_all_uses_with(result)
    op.erase()
    if fill is not None:
        fill.erase()
    return product, ow, fill is not None


NEST = "ember.pack_conv.nest"        # the register-tile loops of each output row
TAP_ROWS = "ember.pack_conv.kh"      # the loop over the filter's rows (kh) of a register tile


def zero_padded_rows(op, strides, dilations):
    """(low, height, stride, dilation) along the rows when convolution generic `op` reads
    a zero-padded input (`pad_images.images_of`: the padded tensor, or a slice of its
    images) with padding above or below: its filter rows that fall in the padding of an
    output row add zeros, and `_skip_padded_rows` skips them. Else None."""
    from .pad_images import images_of

    found = images_of(op.operands[0])
    if found is None:
        return None
    padding = found[0]
    if padding.low[0] or padding.high[0] or not (padding.low[1] or padding.high[1]):
        return None
    if scalar_constant(padding.value) != 0.0:
        return None
    return padding.low[1], padding.source.type.shape[1], strides[0], dilations[0]


def _skip_padded_rows(row_loop, rows) -> None:
    """Gives each filter-row loop (`TAP_ROWS`: kh from 0 to KH) in output row loop `row_loop`
    (oh) the bounds of the rows that read the input, not its padding:

        low <= oh * stride + kh * dilation < low + height

    so that kh runs from ceil((low - oh*stride) / dilation) (at least 0) to
    ceil((low + height - oh*stride) / dilation) (at most KH). The skipped rows' products
    are zeros (the padding's value): dropping them leaves each sum as it was (oneDNN skips
    them too). Bench row 5's 3x3 'same' conv2d skips 2 of its 28 x 3 filter rows an image:
    8.69-8.94 -> 8.54-8.67 ms on 2 threads (alternating calls in one process, 4 runs: -1.5%
    to -2.9%), and its time against the same convolution of an input padded beforehand went
    from 1.016-1.025x to 1.002-1.009x. The CNN train step's input gradient of its second
    convolution (a 'full' convolution of 11x11 gradients padded by 2, 13 output rows) skips
    6 of 13 x 3: the step -1.9% to -4.3% (4 runs; 7.85-8.13 -> 7.53-7.83 ms in the 3 that
    were not in a slow phase)."""
    from mlir import ir

    low, height, stride, dilation = rows
    oh = row_loop.regions[0].blocks[0].arguments[0]
    for loop in [o for o in walk(row_loop) if TAP_ROWS in o.attributes]:
        loop = loop.opview
        bounds = [scalar_constant(v) for v in (loop.lowerBound, loop.upperBound, loop.step)]
        if bounds[0] != 0 or bounds[1] is None or bounds[2] != 1:
            continue   # NOTE: as tiled: kh from 0 to KH by 1; anything else is left alone
        with ir.InsertionPoint(loop), loop.location:
            first, last = _tap_rows(oh, low, height, stride, dilation, bounds[1])
        loop.operation.operands[0] = first
        loop.operation.operands[1] = last


def _tap_rows(oh, low: int, height: int, stride: int, dilation: int, taps: int):
    """The index values max(0, ceil((low - oh*stride) / dilation)) and
    min(taps, ceil((low + height - oh*stride) / dilation)), made at the insertion point."""
    from mlir import ir
    from mlir.dialects import arith

    def const(value: int):
        return arith.constant(ir.IndexType.get(), value)

    row = oh if stride == 1 else arith.muli(oh, const(stride))

    def rows_from(offset: int):
        value = arith.subi(const(offset), row)
        return value if dilation == 1 else arith.ceildivsi(value, const(dilation))

    return arith.maxsi(rows_from(low), const(0)), arith.minsi(rows_from(low + height), const(taps))


def hoist_invariant(ops) -> None:
    """Moves `ops` (in order) before each loop around them that they do not depend on: a
    convolution fused into its epilogue's row loop (`ember-fuse-epilogues`) packs its
    filter's panels once, not once per row."""
    for op in ops:
        op = op.operation
        while op.parent.name == "scf.for" and all(
                not defined_within(v, op.parent) for v in op.operands):
            op.move_before(op.parent)


class _PackedConvScript(_Script):
    def text(self, ow_size: int, owr: int, direct: bool) -> str:
        self.emit(f"%op = transform.structured.match ops{{[\"linalg.generic\"]}} "
                  f"attributes {{{PACKED}}} in %root : (!transform.any_op) -> !transform.any_op")
        row, loops = self.tile("%op", [1, 1, 0, 0, 0, 0, 0, 0])
        self.emit(f"transform.annotate {loops[1]} \"{ROW}\" : !transform.any_op")
        loop = loops[1]
        if not direct:
            self.emit(f"%patches = transform.structured.match ops{{[\"linalg.generic\"]}} "
                      f"attributes {{{_PATCHES}}} in %root : (!transform.any_op) -> !transform.any_op")
            fused, loop = self.fresh(), self.fresh()
            self.emit(f"{fused}, {loop} = transform.structured.fuse_into_containing_op "
                      f"%patches into {loops[1]} : (!transform.any_op, !transform.any_op) -> "
                      f"(!transform.any_op, !transform.any_op)")
            self.copy_rows(fused)
        for handle, part in self.split(row, 2, balanced_parts(ow_size, owr)):
            # NOTE: loops (f0, ow, kh, kw, c): one filter panel in L1 across the row's tiles.
            tile, inner = self.tile(handle, [0, 0, part[2], 1, 1, 1, 1, 0], [0, 1, 3, 2, 4, 5, 6, 7])
            self.emit(f"transform.annotate {inner[0]} \"{NEST}\" : !transform.any_op")
            self.emit(f"transform.annotate {inner[2]} \"{TAP_ROWS}\" : !transform.any_op")
            # NOTE: with its unit dims folded away the tile is out[ow, f1] += A[ow] * Wp[f1]
            # with no reduction dims: broadcasts, mulf and addf (FMAs with `contract`). As a
            # vector.contract, its three unit reduction dims would unroll to scalars.
            self.emit(f"transform.apply_patterns to {inner[-1]} {{")
            self.emit("  transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices")
            self.emit("} : !transform.any_op")
            folded = self.fresh()
            self.emit(f"{folded} = transform.structured.match ops{{[\"linalg.generic\"]}} in "
                      f"{inner[-1]} : (!transform.any_op) -> !transform.any_op")
            self.emit(f"transform.structured.vectorize {folded} : !transform.any_op")
            self.k_loops.extend(reversed(inner[2:]))   # c, kw, kh
        # NOTE: each row's patches get an empty tensor of their own (not slices of one for
        # the whole patch matrix); scoped to the row loop, so that the product's result stays
        # a view of the output (written in place into the caller's array).
        self.emit(f"transform.apply_patterns to {loop} {{")
        self.emit("  transform.apply_patterns.tensor.fold_tensor_empty")
        self.emit("} : !transform.any_op")
        return self.finish()

    def copy_rows(self, handle: str) -> None:
        """The patch copy of one output row, C elements at a time: tiled to single (ow, kh,
        kw) rows, whose unit dims are folded away; the copy is then slices only (one insert
        of a C-element slice of x into the patches), and that insert is what is vectorized
        (otherwise it is a strided memref.copy, which MLIR's runtime copies element by
        element). NOTE: the conv's oh*sh + kh*dh is not a plain read for the vectorizer,
        hence not the generic itself."""
        _, loops = self.tile(handle, [1, 1, 1, 1, 1, 0])
        # NOTE: in the innermost loop's body, so that canonicalization (which folds the
        # identity copy left by the folding) does not fold one-trip loops that handles
        # point to (of unit dims: ow or a filter tap of 1)
        self.emit(f"transform.apply_patterns to {loops[-1]} {{")
        self.emit("  transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices")
        self.emit("  transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers")
        self.emit("  transform.apply_patterns.tensor.merge_consecutive_insert_extract_slice")
        self.emit("  transform.apply_patterns.canonicalization")
        self.emit("} : !transform.any_op")
        op = self.fresh()
        self.emit(f"{op} = transform.structured.match ops{{[\"tensor.insert_slice\"]}} in "
                  f"{loops[-1]} : (!transform.any_op) -> !transform.any_op")
        self.emit(f"transform.structured.vectorize {op} : !transform.any_op")


def _fill_rows(row_loop) -> None:
    """Moves the fill of the product's init into the row loop: each row's slice is filled
    just before its register tiles read it (in L1), instead of the whole output being
    written once by the fill and read back from memory by the tiles.

    `row_loop` (oh) is the inner loop of tile_using_for's (n, oh) nest, whose iter_arg
    starts as the fill's result; the row's slice of it is the first extract_slice of that
    iter_arg. NOTE: fuse_into_containing_op does not fuse through an scf.for's iter_args.
    """
    from mlir import ir

    outer = row_loop.parent.opview   # the n loop
    fill = outer.initArgs[0].owner
    row_arg = row_loop.regions[0].blocks[0].arguments[1]
    row = next(use.owner for use in row_arg.uses if use.owner.name == "tensor.extract_slice")
    with ir.InsertionPoint.after(row), row.location:
        filled = linalg_ops.fill(fill.operands[0], row.results[0])
    for use in list(row.results[0].uses):
        if use.owner != filled.owner:
            use.owner.operands[use.operand_number] = filled
    outer.operation.operands[len(outer.operation.operands) - 1] = fill.operands[1]
    fill.erase()
    _start_from_fill_value(filled)


# NOTE: ops through which the filled row is only passed on as a destination, or sliced.
_PASSING = ("tensor.extract_slice", "tensor.insert_slice", "vector.transfer_write", "scf.for",
            "scf.yield")


def _start_from_fill_value(filled) -> None:
    """Starts the register tiles' accumulators at the fill's value instead of reading it back
    from the filled row, and drops the row's fill: its stores and the tiles' loads of what
    it stored. Bench row 5's conv2d, one thread, interleaved in one process: 20.1 -> 19.1 ms.

    Sound because of how the row is scheduled: the register tiles partition the output row,
    and each reads its own tile (the `vector.transfer_read` that starts its accumulator)
    before it writes it, once. So every read of the filled row reads the fill's value, and
    every element of the row is written. Left as it is when anything else reads the row.
    """
    from mlir import ir
    from mlir.dialects import vector

    fill = filled.owner
    reads, work = [], [filled]
    while work:
        value = work.pop()
        for use in value.uses:
            user = use.owner
            if user.name == "vector.transfer_read" and use.operand_number == 0:
                if user not in reads:
                    reads.append(user)
            elif user.name not in _PASSING:
                return
            elif user.name == "tensor.extract_slice" or (
                    user.name in ("tensor.insert_slice", "vector.transfer_write")
                    and use.operand_number == 1):
                # NOTE: what the row holds after a write to part of it is still the fill's
                # value elsewhere: the later tiles (e.g. of a split's other part) read it.
                work.append(user.results[0])
            elif user.name == "scf.for" and use.operand_number >= 3:
                index = use.operand_number - 3
                work += [user.regions[0].blocks[0].arguments[index + 1], user.results[index]]
    if not reads:
        return
    for read in reads:
        with ir.InsertionPoint(read), read.location:
            start = vector.broadcast(read.results[0].type, fill.operands[0])
        read.results[0].replace_all_uses_with(start)
        read.erase()
    filled.replace_all_uses_with(fill.operands[1])
    fill.erase()


@register_pass("ember-pack-conv",
               "Convolutions as packed matrix products of each output row's patches (CPU)")
def pack_conv(module_op) -> None:
    from mlir import ir

    for op in [op for op in walk(module_op) if op.name == "linalg.generic"]:
        how = packable(op)
        if how is None:
            continue
        func = _func_of(op)
        strides, dilations, (owr, nr) = how
        direct = _direct(strides)
        rows = zero_padded_rows(op, strides, dilations)
        product, ow, filled = _pack(op, strides, dilations, nr, direct)
        # NOTE: vectorized as mulf + addf (the reduction dims of a tile are folded away, so
        # there is no vector.contract to lower to fma): `contract` lets LLVM fuse them.
        for body_op in product.regions[0].blocks[0].operations:
            if body_op.name in ("arith.mulf", "arith.addf"):
                body_op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<contract>")
        _apply(func, _PackedConvScript(0).text(ow, owr, direct))
        _apply(func, lower_contractions(NEST))
        if rows is not None or filled:
            row_loop = next(o for o in walk(func) if ROW in o.attributes)
            if rows is not None:
                _skip_padded_rows(row_loop, rows)
            if filled:
                _fill_rows(row_loop)
        for marked in walk(func):
            for name in (PACKED, _PATCHES, ROW, NEST, TAP_ROWS):
                if name in marked.attributes:
                    del marked.attributes[name]
    for copy in pad_images(module_op):
        vectorize_copy(copy)
    # NOTE: a padded input some reader of which was not padded per image (none is expected)
    # is copied whole, as ember-vectorize-copies would have
    for op in [op for op in walk(module_op) if IMAGE_PAD in op.attributes]:
        del op.attributes[IMAGE_PAD]
        vectorize_copy(op)
