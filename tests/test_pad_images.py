"""A convolution's padded input padded one image at a time in its image loop (`pad_images`,
decided by `ember-parallelize`, done by `ember-pack-conv`): the results against the naive
NumPy reference on 1-3 threads (chunks by images, by output channels, with a remainder,
with an epilogue), what the IR holds (an image-sized padded tensor, never the whole one),
the cases that keep the whole padded copy, and how `padding_of` recognizes a padding."""
from __future__ import annotations

import numpy as np
import pytest
from mlir import ir

import ember as em
import references as ref
from conftest import rng_for, using_threads
from ember.backends.cpu.backend import STAGES
from ember.dialects import make_context
from ember.dialects.ops import nn as conv_ops
from ember.passes import run_passes
from ember.passes.pad_images import IMAGE_PAD, padding_of
from ember.passes.tile_matmul import register_tile
from ember.runtime.lowered import parse

NR = register_tile(4)[1]    # f32 lanes of two vector registers: output channels per panel
_LLVM = list(STAGES[-1].passes)
UP_TO_PACK_CONV = _LLVM[:_LLVM.index("ember-pack-conv") + 1]

# (x shape NHWC, filter HWIO, strides, dilations, padding (top, bottom, left, right))
CONVS = [
    ((5, 9, 11, 8), (3, 3, 8, 2 * NR), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((2, 9, 11, 8), (3, 3, 8, 4 * NR), (2, 1), (2, 1), (0, 2, 1, 3)),   # asymmetric, strided rows
    ((7, 6, 6, 16), (3, 3, 16, NR), (1, 1), (1, 1), (2, 2, 2, 2)),      # 7 images: a remainder
    ((1, 9, 11, 8), (3, 3, 8, 2 * NR), (1, 1), (1, 1), (1, 1, 1, 1)),  # one image
    ((3, 5, 4, 1), (2, 3, 1, NR), (1, 1), (1, 2), (0, 1, 2, 0)),         # dilated columns
    ((67, 6, 5, 8), (3, 3, 8, NR), (1, 1), (1, 1), (1, 1, 1, 1)),       # chunks of images + 1
]


def _ids(conv):
    return "x{}f{}s{}d{}p{}".format(*("x".join(map(str, v)) for v in conv))


def _conv(conv):
    xs, fs, s, d, p = conv
    window = dict(strides=s, dilations=d, padding=p)
    return em.function(lambda x, f: conv_ops.conv2d.bind(x, f, **window))


def _up_to_pack_conv(fn, *args) -> str:
    module = parse(fn.lower(*args).as_text("linalg"))
    with module.context:
        run_passes(module, UP_TO_PACK_CONV)
    return str(module)


def _padded_types(conv):
    xs, _, _, _, p = conv
    padded = f"{xs[1] + p[0] + p[1]}x{xs[2] + p[2] + p[3]}x{xs[3]}xf32>"
    return f"tensor<{xs[0]}x{padded}", f"tensor<1x{padded}"


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("conv", CONVS, ids=_ids)
def test_padded_conv2d_matches_reference(conv, threads):
    xs, fs, s, d, p = conv
    rng = rng_for("pad_images", conv)
    x, f = (rng.standard_normal(shape).astype(np.float32) for shape in (xs, fs))
    with using_threads(threads):
        got = _conv(conv)(x, f).numpy()
    taps = fs[0] * fs[1] * fs[2]
    np.testing.assert_allclose(got, ref.conv2d(x, f, s, d, p), rtol=1e-5 * np.sqrt(taps),
                               atol=1e-6 * taps)


@pytest.mark.parametrize("conv, threads", [(conv, threads) for conv in CONVS[:2] + CONVS[4:]
                                            for threads in (1, 2)] + [(CONVS[5], 3)],
                         ids=lambda v: _ids(v) if isinstance(v, tuple) else f"{v}threads")
def test_padded_input_is_padded_one_image_at_a_time(conv, threads):
    """One thread, or threads splitting the images (5 of them; 67 into three chunks of 22
    and one more image) or the output channels (whole panels each): the whole padded tensor
    is gone, an image-sized one is made in the image loop, and no mark is left."""
    x, f = np.ones(conv[0], np.float32), np.ones(conv[1], np.float32)
    whole, image = _padded_types(conv)
    with using_threads(threads):
        text = _up_to_pack_conv(_conv(conv), x, f)
    assert whole not in text
    made = [line for line in text.splitlines() if f"tensor.empty() : {image}" in line]
    assert made and all(line.startswith(" " * 6) for line in made)   # NOTE: in the image loop
    assert IMAGE_PAD not in text


def test_an_epilogue_reads_the_convolution_of_images_padded_one_at_a_time():
    rng = rng_for("pad_images_epilogue")
    x, f = rng.standard_normal((4, 10, 12, 16), np.float32), rng.standard_normal((3, 3, 16, 2 * NR), np.float32)
    b = rng.standard_normal((2 * NR,), np.float32)
    fn = em.function(lambda x, f, b: em.nn.relu(em.nn.conv2d(x, f, padding="same") + b))
    for threads in (1, 2):
        with using_threads(threads):
            got = fn(x, f, b).numpy()
            text = _up_to_pack_conv(fn, x, f, b)
        want = np.maximum(ref.conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1)) + b, 0)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        assert "tensor<4x12x14x16xf32>" not in text and "tensor<1x12x14x16xf32>" in text


def test_a_padded_input_that_a_filter_gradient_reads_is_copied_whole():
    x, f = np.ones((2, 9, 11, 8), np.float32), np.ones((3, 3, 8, 2 * NR), np.float32)
    fn = em.function(em.grad(lambda x, f: em.reduce_sum(em.nn.conv2d(x, f, padding="same")),
                             argnums=1))
    with using_threads(2):
        text = _up_to_pack_conv(fn, x, f)
    assert "tensor<2x11x13x8xf32>" in text and IMAGE_PAD not in text


def test_a_convolution_split_by_rows_keeps_the_whole_padded_copy():
    """One image of 64 rows and NR output channels: two threads split the rows, so each
    chunk reads part of the image; the padded copy is made whole, split across threads."""
    conv = ((1, 64, 30, 32), (3, 3, 32, NR), (1, 1), (1, 1), (1, 1, 1, 1))
    x, f = np.ones(conv[0], np.float32), np.ones(conv[1], np.float32)
    with using_threads(2):
        text = _up_to_pack_conv(_conv(conv), x, f)
    assert "tensor<1x66x32x32xf32>" in text and IMAGE_PAD not in text
    assert text.count("scf.forall (") == 2     # the copy's chunks, then the convolution's


def test_channel_chunks_that_are_not_whole_panels_keep_the_whole_padded_copy():
    """2 images and 3 * NR output channels on two threads: the channels are split into
    chunks of 1.5 NR, not whole panels (so not packed); the padded copy is made whole, in
    chunks of its own."""
    conv = ((2, 40, 51, 16), (3, 3, 16, 3 * NR), (1, 1), (1, 1), (1, 1, 1, 1))
    x, f = np.ones(conv[0], np.float32), np.ones(conv[1], np.float32)
    whole, _ = _padded_types(conv)
    with using_threads(2):
        text = _up_to_pack_conv(_conv(conv), x, f)
    assert whole in text and IMAGE_PAD not in text
    assert f"tensor<2x40x51x{3 * NR // 2}xf32>" in text   # NOTE: a chunk of channels
    assert text.count("scf.forall (") == 2     # the copy's chunks, then the convolution's


_PADDED = """
func.func @f(%x: tensor<2x3x4x5xf32>) -> tensor<2x5x7x5xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x7x5xf32>
  {borders}
  %w = tensor.extract_slice %b{last}[0, 1, 2, 0] [2, 3, 4, 5] [1, 1, 1, 1] : tensor<2x5x7x5xf32> to tensor<2x3x4x5xf32>
  %c = linalg.copy ins(%x : tensor<2x3x4x5xf32>) outs(%w : tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %r = tensor.insert_slice %c into %b{last}[0, 1, 2, 0] [2, 3, 4, 5] [1, 1, 1, 1] : tensor<2x3x4x5xf32> into tensor<2x5x7x5xf32>
  return %r : tensor<2x5x7x5xf32>
}}
"""
# the border of a 3x4 interior at (1, 2) in 5x7: rows 0 and 4, then columns 0-1 and 6
_BORDERS = [((0, 0, 0, 0), (2, 1, 7, 5)), ((0, 4, 0, 0), (2, 1, 7, 5)),
            ((0, 1, 0, 0), (2, 3, 2, 5)), ((0, 1, 6, 0), (2, 3, 1, 5))]


def _padded_module(borders):
    lines, dest = [], "%e"
    for i, (offsets, sizes) in enumerate(borders):
        shape = "x".join(map(str, sizes)) + "xf32"
        at = f"[{', '.join(map(str, offsets))}] [{', '.join(map(str, sizes))}] [1, 1, 1, 1]"
        lines.append(f"%s{i} = tensor.extract_slice {dest}{at} : tensor<2x5x7x5xf32> to tensor<{shape}>")
        lines.append(f"%f{i} = linalg.fill ins(%zero : f32) outs(%s{i} : tensor<{shape}>) -> tensor<{shape}>")
        lines.append(f"%b{i} = tensor.insert_slice %f{i} into {dest}{at} : tensor<{shape}> into tensor<2x5x7x5xf32>")
        dest = f"%b{i}"
    text = _PADDED.format(borders="\n  ".join(lines), last=len(borders) - 1)
    return ir.Module.parse(text, make_context())


def _returned(module):
    func = module.body.operations[0]
    return func.regions[0].blocks[0].operations[-1].operands[0]


def test_padding_of_a_filled_border_around_a_copy():
    module = _padded_module(_BORDERS)
    with module.context:
        padding = padding_of(_returned(module))
    assert padding is not None
    assert padding.low == (0, 1, 2, 0) and padding.high == (0, 1, 1, 0)
    assert padding.source == module.body.operations[0].regions[0].blocks[0].arguments[0]


@pytest.mark.parametrize("borders", [
    _BORDERS[:3],                                              # a column left unfilled
    _BORDERS[:3] + [((0, 0, 6, 0), (2, 5, 1, 5))],             # overlapping fills, one gap
    _BORDERS[:3] + [((0, 1, 5, 0), (2, 3, 2, 5))],             # a fill over the interior
], ids=["gap", "overlap", "interior"])
def test_padding_of_refuses_a_border_not_filled_exactly(borders):
    module = _padded_module(borders)
    with module.context:
        assert padding_of(_returned(module)) is None
