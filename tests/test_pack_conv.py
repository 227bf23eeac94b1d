"""`ember-pack-conv`: convolutions as packed products of each output row's patches, against
the naive NumPy references on widths that are not multiples of the register tile (primes,
1), 1 and 3 input channels, strides, dilations and padding, on one and two threads; and
what the pass leaves in the IR (filter panels, per-row patches, the fill in the row loop)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
import references as ref
from conftest import TOLERANCES, rng_for, using_threads
from ember.dialects.ops import nn as conv_ops
from ember.passes.pack_conv import conv_register_tile
from ember.passes.tile_conv import balanced_parts
from ember.passes.tile_matmul import register_tile

NR = register_tile(4)[1]    # f32 lanes of two vector registers: output channels per panel

# (x shape NHWC, filter HWIO, strides, dilations, padding (top, bottom, left, right))
CONVS = [
    ((2, 13, 13, 32), (3, 3, 32, NR), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((1, 11, 29, 3), (3, 3, 3, 2 * NR), (2, 1), (1, 1), (0, 2, 1, 1)),   # ow 29: tiles of 8 and 7
    ((2, 9, 23, 1), (2, 3, 1, NR), (1, 2), (2, 1), (0, 1, 2, 0)),
    ((1, 5, 1, 7), (1, 1, 7, NR), (1, 1), (1, 1), (0, 0, 0, 0)),         # ow 1
    ((3, 10, 17, 5), (3, 2, 5, NR), (3, 1), (1, 3), (2, 2, 3, 1)),
    # padding past the filter's reach: output rows that read padding only (no filter row
    # left once the padded rows are skipped), also with dilated rows
    ((1, 4, 9, 3), (2, 3, 3, NR), (1, 1), (1, 1), (3, 3, 1, 1)),
    ((2, 7, 10, 2), (3, 3, 2, NR), (1, 1), (2, 1), (3, 4, 1, 1)),
]


def _ids(conv):
    return "x{}f{}s{}d{}p{}".format(*("x".join(map(str, v)) for v in conv))


def _tolerance(dtype, taps):
    tol = TOLERANCES[dtype]
    return dict(rtol=tol["rtol"] * np.sqrt(taps), atol=tol["atol"] * taps)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("conv", CONVS, ids=_ids)
def test_packed_conv2d_matches_reference(conv, dtype, threads):
    xs, fs, s, d, p = conv
    rng = rng_for("pack_conv", conv, dtype)
    x, f = (rng.standard_normal(shape).astype(dtype) for shape in (xs, fs))
    window = dict(strides=s, dilations=d, padding=p)
    with using_threads(threads):
        got = em.function(lambda x, f: conv_ops.conv2d.bind(x, f, **window))(x, f).numpy()
    want = ref.conv2d(x, f, s, d, p)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, **_tolerance(dtype, fs[0] * fs[1] * fs[2]))


# 64 and 32 channels: whole panels of every width's NR (AVX-512's wide tile on the first two
# and the last); horizontal strides of 1 (the tiles read x) and 2 (the per-row patch copy)
@pytest.mark.parametrize("conv", [
    ((2, 13, 13, 32), (3, 3, 32, 64), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((1, 11, 29, 3), (3, 3, 3, 64), (2, 1), (1, 1), (0, 2, 1, 1)),
    ((3, 10, 17, 5), (3, 2, 5, 32), (3, 1), (1, 3), (2, 2, 3, 1)),
    ((2, 9, 23, 4), (2, 3, 4, 64), (1, 2), (2, 1), (0, 1, 2, 0)),     # sw 2: per-row patches
], ids=_ids)
def test_packed_schedules_hold_for_every_vector_width(conv, vector_width):
    test_packed_conv2d_matches_reference(conv, "float32", 2)


def test_packed_conv2d_with_an_epilogue_and_its_input_gradient():
    rng = rng_for("pack_conv_epilogue")
    x, f = rng.standard_normal((2, 12, 12, 3), np.float32), rng.standard_normal((3, 3, 3, NR), np.float32)
    b = rng.standard_normal((NR,), np.float32)

    def loss(x, f):
        y = em.nn.relu(em.nn.conv2d(x, f, padding="same") + b)
        return em.reduce_sum(y * y), y

    (value, y), grads = em.function(em.value_and_grad(loss, argnums=(0, 1), has_aux=True))(x, f)
    want_y = np.maximum(ref.conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1)) + b, 0)
    np.testing.assert_allclose(y.numpy(), want_y, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(value.numpy(), np.sum(want_y * want_y), rtol=1e-4)
    g = 2 * want_y
    np.testing.assert_allclose(grads[0].numpy(), ref.conv2d_input_grad(
        g, f, x.shape, (1, 1), (1, 1), (1, 1, 1, 1)), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(grads[1].numpy(), ref.conv2d_filter_grad(
        x, g, f.shape, (1, 1), (1, 1), (1, 1, 1, 1)), rtol=1e-4, atol=1e-3)


def _after(x, f, passes, padding=(0, 0, 0, 0), strides=(1, 1)) -> str:
    from ember.passes import run_passes
    from ember.runtime.lowered import parse

    window = dict(strides=strides, dilations=(1, 1), padding=padding)
    fn = em.function(lambda x, f: conv_ops.conv2d.bind(x, f, **window))
    module = parse(fn.lower(x, f).as_text("linalg"))
    with module.context:
        run_passes(module, passes)
    return str(module)


# (strides, output width): with a horizontal stride of 1 the register tiles read x itself
@pytest.mark.parametrize("strides, width", [((1, 1), 15), ((2, 2), 8)])
def test_conv_is_packed_row_by_row(strides, width):
    x, f = np.ones((2, 13, 15, 32), np.float32), np.ones((3, 3, 32, 2 * NR), np.float32)
    owr, nr = conv_register_tile(4, 2 * NR)
    with using_threads(1):
        text = _after(x, f, ["ember-pack-conv"], padding=(1, 1, 1, 1), strides=strides)
    assert f"tensor<{2 * NR // nr}x3x3x32x{nr}xf32>" in text    # the filter in nr-wide panels
    rows = re.findall(r"tensor<1x1x\d+x3x3x32xf32>", text)      # one output row's patches
    assert rows == [] if strides[1] == 1 else set(rows) == {f"tensor<1x1x{width}x3x3x32xf32>"}
    assert not re.search(r"tensor<2x\d+x\d+x3x3x32xf32>", text)  # never the whole patch matrix
    # NOTE: the output is never zeroed, as a whole or by rows: the register tiles' accumulators
    # start at zero (the fill's value) instead of reading back a zeroed row
    assert not re.search(rf"linalg.fill .*-> tensor<2x\d+x{width}x", text)
    assert not re.search(rf"linalg.fill .*-> tensor<1x1x{width}x", text)
    # the row's columns: register tiles of OWR columns or one fewer, accumulated in registers
    for _, _, tile in balanced_parts(width, owr):
        start = re.search(rf"(%\w+) = vector.broadcast %cst\w* : f32 to vector<{tile}x{nr}xf32>", text)
        assert start, tile
        assert re.search(rf"iter_args\(%arg\d+ = {start.group(1)}\) -> \(vector<{tile}x{nr}xf32>\)", text)
    assert "ember.convolution_packed" not in text and "ember.pack_conv" not in text


@pytest.mark.parametrize("padding, skips", [((1, 1, 1, 1), True), ((0, 2, 0, 0), True),
                                             ((0, 0, 1, 1), False), ((0, 0, 0, 0), False)])
def test_filter_rows_in_the_padding_are_skipped(padding, skips):
    # NOTE: each filter-row (kh) loop of a zero-padded input gets the bounds of the rows
    # that read the input; with no padding above or below, it keeps its constant 0 to KH
    x, f = np.ones((2, 13, 15, 32), np.float32), np.ones((3, 3, 32, 2 * NR), np.float32)
    with using_threads(1):
        text = _after(x, f, ["ember-pack-conv"], padding=padding)
    # the register tiles' outermost reduction loops: their accumulators start at a value made
    # before them (the inner loops' start at the enclosing loop's block argument)
    tap_rows = re.findall(r"scf.for %\w+ = (%\w+) to (%\w+) step %\w+ "
                          r"iter_args\(%\w+ = (?!%arg)%\w+\) -> \(vector<", text)
    assert tap_rows
    constant = [re.search(rf"{re.escape(bound)} = arith.constant", text) is not None
                for low, high in tap_rows for bound in (low, high)]
    assert (not any(constant)) if skips else all(constant)


@pytest.mark.parametrize("x_shape, f_shape", [((2, 13, 13, 32), (3, 3, 32, NR + 4)),  # F % NR
                                              ((2, 13, 13, 32), (3, 3, 32, 5))])
def test_other_convolutions_are_left_to_tile_conv(x_shape, f_shape):
    text = _after(np.ones(x_shape, np.float32), np.ones(f_shape, np.float32), ["ember-pack-conv"])
    assert "ember.convolution" in text     # the convolution generic, as it was
    assert "x3x3x32x" not in text           # no filter panels, no patches


def test_packed_conv_is_vectorized_with_contractible_multiplies():
    x, f = np.ones((2, 13, 13, 32), np.float32), np.ones((3, 3, 32, 2 * NR), np.float32)
    text = em.function(lambda x, f: em.nn.conv2d(x, f)).lower(x, f).as_text("llvm")
    # NOTE: a tile's rows of nr channels may reach LLVM as rows of NR lanes (two vector registers)
    nr = conv_register_tile(4, 2 * NR)[1]
    assert re.search(rf"llvm.fmul .*fastmath<contract>.* : vector<({nr}|{NR})xf32>", text)
    assert "memrefCopy" not in text     # the patch copy is vector loads and stores


@pytest.mark.parametrize("vector_bytes, channels, want", [
    (64, 64, (6, 64)), (64, 128, (6, 64)),     # AVX-512: four registers of channels x 6 columns
    (64, 32, (8, 32)), (64, 96, (8, 32)),      # channels for two registers only: 2 x 8
    (64, 40, None),                            # no whole panel
    (32, 64, (6, 16)), (32, 24, None),         # AVX2: two registers (16 in all) x 6
])
def test_conv_register_tile(vector_bytes, channels, want):
    assert conv_register_tile(4, channels, vector_bytes) == want


@pytest.mark.parametrize("size, most", [(1, 8), (7, 8), (8, 8), (28, 8), (29, 8), (100, 8), (13, 6)])
def test_balanced_parts_cover_the_dim_with_tiles_that_differ_by_one(size, most):
    parts = balanced_parts(size, most)
    assert sum(p[0] for p in parts) == size
    tiles = [p[2] for p in parts]
    assert max(tiles) <= most and max(tiles) - min(tiles) <= 1
    assert all(extent % tile == 0 for extent, _, tile in parts)
    assert sum(extent // tile for extent, _, tile in parts) == -(-size // most)
