"""A convolution's padded input, padded one image at a time in its image loop (CPU).

`Lowerer.pad` writes a padded input as a whole new tensor: the border filled with the
padding value, the input copied into the interior (`linalg.copy`). For a convolution that
`ember-pack-conv` packs, that copy is a pass over memory of its own (the input read, the
padded tensor written, then read back by the convolution), run before the convolution and
waited for by every thread. Here the padded tensor is instead made per image, where the
packed convolution loops over images: an image-sized tensor whose border is filled with
the padding value and the image copied into it, just before that image's rows are
computed, which then read it from L2. Bench row 5's conv2d (64x28x28x32 -> 64, 3x3, same),
two threads, against the same convolution of an input padded beforehand (in the same
process; medians of 5 processes each, alternating): 1.072x its time with the whole
padded copy, 1.027x padded per image (9.59 -> 8.99 ms); filling the whole image instead of
its border: 1.031-1.040x.

The decision is `ember-parallelize`'s (`mark_image_pads`): it splits a convolution across
threads, so it knows whether each chunk holds whole images. It marks the interior copy
`IMAGE_PAD` and leaves it whole (so does `ember-vectorize-copies`) when every reader of
the padded tensor is a convolution that `ember-pack-conv` packs reading it directly (a
horizontal stride of 1) and whose chunks read whole images (split by images, or by output
channels into whole panels, or not at all). `ember-pack-conv` then pads per image
(`pad_images`) and erases the whole-tensor padding once nothing reads it; a padded input
it could not pad per image (none is expected) is copied whole there, vectorized.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dialects.values import defined_within, producer

IMAGE_PAD = "ember.image_pad"     # the interior copy of a padded input padded per image


@dataclass(frozen=True)
class Padding:
    """`padded` is `source` with `low`/`high` elements of `value` around each dim: the
    border fills and interior `copy` of `Lowerer.pad`."""

    padded: object   # the padded tensor (the interior's tensor.insert_slice)
    source: object   # the unpadded tensor
    low: tuple[int, ...]
    high: tuple[int, ...]
    value: object    # the padding scalar
    copy: object     # the linalg.copy into the interior
    border: tuple    # (offsets, sizes) of each filled box


def _static(op, name: str) -> list[int]:
    from mlir import ir

    return list(ir.DenseI64ArrayAttr(op.attributes[name]))


def _box(op) -> tuple[list[int], list[int]] | None:
    """(offsets, sizes) of an extract/insert_slice with static offsets, sizes and unit
    strides, or None."""
    from mlir import ir

    offsets, sizes = _static(op, "static_offsets"), _static(op, "static_sizes")
    dynamic = ir.ShapedType.get_dynamic_size()
    if dynamic in offsets or dynamic in sizes or any(s != 1 for s in _static(op, "static_strides")):
        return None
    return offsets, sizes


def _disjoint(a, b) -> bool:
    return any(ao + asz <= bo or bo + bsz <= ao for ao, asz, bo, bsz in zip(*a, *b))


def padding_of(value) -> Padding | None:
    """How `value` pads a tensor, if it is `Lowerer.pad`'s padded tensor (no dilation, no
    cropping): a copy into the interior of a tensor whose every other element is filled
    with one value. Checked, not assumed: the filled boxes and the interior are disjoint
    and together as large as the tensor."""
    from mlir import ir

    insert = producer(value)
    if insert is None or insert.name != "tensor.insert_slice":
        return None
    interior = _box(insert)
    copy = producer(insert.operands[0])
    if interior is None or copy is None or copy.name != "linalg.copy" \
            or not isinstance(value.type, ir.RankedTensorType) or not value.type.has_static_shape:
        return None
    shape = list(value.type.shape)
    boxes, fill_value = [interior], None
    dest = insert.operands[1]
    while _name(dest) == "tensor.insert_slice":
        part, box = producer(dest.owner.operands[0]), _box(dest.owner)
        if box is None or part is None or part.name != "linalg.fill":
            return None
        if fill_value is not None and part.operands[0] != fill_value:
            return None
        fill_value = part.operands[0]
        boxes.append(box)
        dest = dest.owner.operands[1]
    if _name(dest) != "tensor.empty" or fill_value is None:
        return None
    volume = 1
    for size in shape:
        volume *= size
    total = 0
    for i, (offsets, sizes) in enumerate(boxes):
        if any(o < 0 or o + s > d for o, s, d in zip(offsets, sizes, shape)):
            return None
        if not all(_disjoint(boxes[i], other) for other in boxes[i + 1:]):
            return None
        box_volume = 1
        for size in sizes:
            box_volume *= size
        total += box_volume
    if total != volume:
        return None
    low = tuple(interior[0])
    high = tuple(d - o - s for d, o, s in zip(shape, *interior))
    border = tuple((tuple(o), tuple(z)) for o, z in reversed(boxes[1:]))   # NOTE: in fill order
    return Padding(value, copy.operands[0], low, high, fill_value, copy, border)


def padding_by(copy) -> Padding | None:
    """The padding whose interior `copy` (a linalg.copy) writes, or None."""
    uses = list(copy.results[0].uses) if len(copy.results) == 1 else []
    if len(uses) != 1 or uses[0].owner.name != "tensor.insert_slice" or uses[0].operand_number != 0:
        return None
    padding = padding_of(uses[0].owner.results[0])
    return padding if padding is not None and padding.copy == copy.operation else None


def _name(value) -> str | None:
    made_by = producer(value)
    return None if made_by is None else made_by.name


def _offset(op, dim: int):
    """A slice's offset along `dim`: an int if static, else its Value."""
    from mlir import ir

    offsets = _static(op, "static_offsets")
    if offsets[dim] != ir.ShapedType.get_dynamic_size():
        return offsets[dim]
    dynamic = [i for i, o in enumerate(offsets) if o == ir.ShapedType.get_dynamic_size()]
    return list(op.opview.offsets)[dynamic.index(dim)]


def images_of(value):
    """(padding, the offsets along the images to add up to index its first image) when
    `value` is a padded tensor of whole images or a slice of one (or a slice of a slice)
    along its first dim only, else None."""
    from mlir import ir

    offsets = []
    while True:
        padding = padding_of(value)
        if padding is not None:
            return padding, offsets
        slicer = producer(value)
        if slicer is None or slicer.name != "tensor.extract_slice":
            return None
        dynamic = ir.ShapedType.get_dynamic_size()
        starts, sizes = _static(slicer, "static_offsets"), _static(slicer, "static_sizes")
        shape = list(slicer.operands[0].type.shape)
        if any(s != 1 for s in _static(slicer, "static_strides")) or dynamic in sizes \
                or starts[1:] != [0] * (len(shape) - 1) or sizes[1:] != shape[1:]:
            return None
        offsets.append(_offset(slicer, 0))
        value = slicer.operands[0]


def _window(op):
    """(padding, offsets that add up to the image's index, the loop nest level to pad at)
    of a slice of one image's rows of a padded tensor (a convolution's row window), or
    None. The level is the outermost loop around the slice in which the image does not
    change: the image is padded just before it."""
    if op.name != "tensor.extract_slice":
        return None
    found = images_of(op.operands[0])
    if found is None:
        return None
    padding, offsets = found
    sizes = _static(op, "static_sizes")
    shape = list(padding.padded.type.shape)
    if any(s != 1 for s in _static(op, "static_strides")) or sizes[0] != 1 \
            or sizes[2:] != shape[2:] or _static(op, "static_offsets")[2:] != [0] * (len(shape) - 2):
        return None
    image = _offset(op, 0)
    level, parent = op, op.parent
    while parent is not None and parent.name == "scf.for" \
            and (isinstance(image, int) or not defined_within(image, parent)):
        level, parent = parent, parent.parent
    if level == op:
        return None   # NOTE: the image changes with every row: padding it there costs more
    offsets.append(image)
    if any(defined_within(value, level) for value in offsets + [op.operands[0]]
           if not isinstance(value, int)):
        return None
    return padding, offsets, level


def pad_images(module_op) -> list:
    """Replaces each row window of a padded tensor marked `IMAGE_PAD`, read in an image
    loop, by a window of a tensor padded there, one image at a time. Returns the new
    interior copies (for `vectorize_copies.vectorize_copy`); erases what is left unread."""
    from mlir import ir
    from mlir.dialects import arith, tensor

    from ..dialects.locations import walk
    from . import linalg_ops

    windows = [op for op in walk(module_op) if op.name == "tensor.extract_slice"]
    windows = [(op, found) for op, found in ((op, _window(op)) for op in windows)
               if found is not None and IMAGE_PAD in found[0].copy.attributes]
    copies, dead = [], []
    dynamic = ir.ShapedType.get_dynamic_size()
    for window, (padding, offsets, level) in windows:
        element = padding.padded.type.element_type
        padded_shape = [1] + list(padding.padded.type.shape[1:])
        inner_shape = [1] + list(padding.source.type.shape[1:])
        rank = len(padded_shape)
        with ir.InsertionPoint(level), window.location:
            index = sum(v for v in offsets if isinstance(v, int))
            for value in [v for v in offsets if not isinstance(v, int)]:
                if not isinstance(index, int):
                    index = arith.addi(index, value)
                else:
                    index = value if index == 0 else arith.addi(
                        value, arith.constant(ir.IndexType.get(), index))
            static = [index if isinstance(index, int) else dynamic] + [0] * (rank - 1)
            source = tensor.ExtractSliceOp(
                ir.RankedTensorType.get(inner_shape, element), padding.source,
                [] if isinstance(index, int) else [index], [], [], static, inner_shape,
                [1] * rank).result
            # NOTE: the border's boxes only, as `Lowerer.pad` fills them
            filled = tensor.EmptyOp(padded_shape, element).result
            for start, extent in padding.border:
                at, box = [0] + list(start[1:]), [1] + list(extent[1:])
                part = tensor.ExtractSliceOp(ir.RankedTensorType.get(box, element), filled, [],
                                             [], [], at, box, [1] * rank).result
                part = linalg_ops.fill(padding.value, part)
                filled = tensor.InsertSliceOp(part, filled, [], [], [], at, box, [1] * rank).result
            interior = [0] + list(padding.low[1:])
            slot = tensor.ExtractSliceOp(ir.RankedTensorType.get(inner_shape, element), filled,
                                         [], [], [], interior, inner_shape, [1] * rank).result
            copied = linalg_ops.copy(source, slot)
            padded = tensor.InsertSliceOp(copied, filled, [], [], [], interior, inner_shape,
                                          [1] * rank).result
        copies.append(copied.owner)
        row = _offset(window, 1)
        with ir.InsertionPoint(window), window.location:
            replaced = tensor.ExtractSliceOp(
                window.results[0].type, padded, [] if isinstance(row, int) else [row], [], [],
                [0, row if isinstance(row, int) else dynamic] + [0] * (rank - 2),
                _static(window, "static_sizes"), [1] * rank).result
        window.results[0].replace_all_uses_with(replaced)
        dead.append(window)
    _erase_dead(dead)
    return copies


_PURE = ("tensor.extract_slice", "tensor.insert_slice", "tensor.empty", "linalg.fill",
         "linalg.copy")


def _erase_dead(ops) -> None:
    """Erases those of `ops` that nothing reads, then the producers of their operands that
    this leaves unread (tensor slices, fills and copies only)."""
    work = [op.operation for op in ops]
    while work:
        op = work.pop()
        if op.name not in _PURE or any(list(r.uses) for r in op.results):
            continue
        makers = [p for p in (producer(v) for v in op.operands) if p is not None]
        op.erase()
        for maker in makers:
            if not any(maker == other for other in work):   # NOTE: once, so not erased twice
                work.append(maker)


def mark_image_pads(func, split_of) -> None:
    """Marks `IMAGE_PAD` the interior copies (at the top level of `func`) of the paddings
    that `ember-pack-conv` will pad per image: every reader of the padded tensor (no padding
    of the images' dim) is a convolution it packs reading it directly as its input, whose
    chunks (`split_of(convolution)`: the dim of its NHWC result that `ember-parallelize`
    splits and the chunks' extent along it, or None) each read whole images and are packed
    too: split by images, or by output channels into whole panels, or not at all. (Split
    by output channels, each thread pads every image for its own channels.)"""
    from mlir import ir

    from .pack_conv import packs_channels, reads_directly

    def whole_images(conv) -> bool:
        split = split_of(conv)
        return split is None or split[0] == 0 or (split[0] == 3 and packs_channels(conv, split[1]))

    for op in func.regions[0].blocks[0].operations:
        if op.name != "linalg.copy":
            continue
        padding = padding_by(op)
        if padding is None or padding.low[0] or padding.high[0]:
            continue
        readers = list(padding.padded.uses)
        if readers and all(use.owner.name == "linalg.generic" and use.operand_number == 0
                           and reads_directly(use.owner) and whole_images(use.owner)
                           for use in readers):
            op.attributes[IMAGE_PAD] = ir.UnitAttr.get()
