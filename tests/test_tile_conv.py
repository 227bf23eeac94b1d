"""`ember-tile-conv`: compiled convolutions and their input and filter gradients
against the naive NumPy references for shapes that are not multiples of the register tile
(odd widths, 1, 3, 32 and 64 channels), with strides, dilations and padding, and the parts
of the schedule that do not need a compiler. (Forward convolutions whose output channels are
a multiple of NR take `ember-pack-conv`'s path: tests/test_pack_conv.py.)"""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
import references as ref
from conftest import TOLERANCES, rng_for
from ember.dialects.ops import nn as conv_ops
from ember.passes.tile_conv import channel_tile, register_parts, schedule_text

# (x shape NHWC, filter HWIO, strides, dilations, padding (top, bottom, left, right))
CONVS = [
    ((2, 28, 28, 1), (3, 3, 1, 32), (1, 1), (1, 1), (0, 0, 0, 0)),
    ((3, 13, 13, 32), (3, 3, 32, 64), (1, 1), (1, 1), (0, 0, 0, 0)),
    ((1, 11, 17, 3), (3, 3, 3, 5), (2, 2), (1, 1), (1, 1, 1, 1)),
    ((2, 9, 23, 3), (2, 3, 3, 33), (1, 2), (2, 1), (0, 1, 2, 0)),
    ((1, 7, 7, 1), (1, 1, 1, 1), (1, 1), (1, 1), (0, 0, 0, 0)),
    ((1, 10, 19, 7), (3, 2, 7, 17), (3, 1), (1, 3), (2, 2, 3, 1)),
    ((2, 6, 41, 64), (3, 3, 64, 3), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((2, 9, 10, 12), (3, 2, 12, 37), (2, 1), (1, 2), (1, 0, 0, 1)),
]


def _ids(conv):
    return "x{}f{}s{}d{}p{}".format(*("x".join(map(str, v)) for v in conv))


def _tolerance(dtype, taps):
    tol = TOLERANCES[dtype]
    return dict(rtol=tol["rtol"] * np.sqrt(taps), atol=tol["atol"] * taps)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("conv", CONVS, ids=_ids)
def test_compiled_conv2d_matches_reference(conv, dtype):
    xs, fs, s, d, p = conv
    rng = rng_for("tile_conv", conv, dtype)
    x, f = (rng.standard_normal(shape).astype(dtype) for shape in (xs, fs))
    window = dict(strides=s, dilations=d, padding=p)
    got = em.function(lambda x, f: conv_ops.conv2d.bind(x, f, **window))(x, f).numpy()
    want = ref.conv2d(x, f, s, d, p)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, **_tolerance(dtype, fs[0] * fs[1] * fs[2]))


@pytest.mark.parametrize("conv", [CONVS[1], CONVS[3], CONVS[5]], ids=_ids)
def test_schedules_hold_for_every_vector_width(conv, vector_width):
    test_compiled_conv2d_matches_reference(conv, "float32")


@pytest.mark.parametrize("conv", [CONVS[1], CONVS[5], CONVS[7]], ids=_ids)
def test_filter_grad_schedules_hold_for_every_vector_width(conv, vector_width):
    test_compiled_conv2d_filter_grad_matches_reference(conv, "float32")


@pytest.mark.parametrize("conv", CONVS, ids=_ids)
def test_compiled_conv2d_input_grad_matches_reference(conv):
    xs, fs, s, d, p = conv
    rng = rng_for("tile_conv_grad", conv)
    g_shape = (xs[0],) + ref.out_size(xs[1:3], fs[:2], s, d, p) + (fs[3],)
    g, f = (rng.standard_normal(shape).astype(np.float32) for shape in (g_shape, fs))
    window = dict(strides=s, dilations=d, padding=p)
    got = em.function(lambda g, f: conv_ops.conv2d_backprop_input.bind(
        g, f, input_shape=xs, **window))(g, f).numpy()
    want = ref.conv2d_input_grad(g, f, xs, s, d, p)
    np.testing.assert_allclose(got, want, **_tolerance("float32", fs[0] * fs[1] * fs[3]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("conv", CONVS, ids=_ids)
def test_compiled_conv2d_filter_grad_matches_reference(conv, dtype):
    xs, fs, s, d, p = conv
    rng = rng_for("tile_conv_filter_grad", conv, dtype)
    g_shape = (xs[0],) + ref.out_size(xs[1:3], fs[:2], s, d, p) + (fs[3],)
    x, g = (rng.standard_normal(shape).astype(dtype) for shape in (xs, g_shape))
    window = dict(strides=s, dilations=d, padding=p)
    got = em.function(lambda x, g: conv_ops.conv2d_backprop_filter.bind(
        x, g, filter_shape=fs, **window))(x, g).numpy()
    want = ref.conv2d_filter_grad(x, g, fs, s, d, p)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, **_tolerance(dtype, int(np.prod(g_shape[:3]))))


def test_conv_is_vectorized_at_the_llvm_stage():
    # NOTE: 36 output channels: not a multiple of NR on any host, so not `ember-pack-conv`'s
    x, f = np.ones((2, 13, 13, 32), np.float32), np.ones((3, 3, 32, 36), np.float32)
    text = em.function(lambda x, f: em.nn.conv2d(x, f)).lower(x, f).as_text("llvm")
    assert "llvm.intr.fma" in text or "llvm.intr.fmuladd" in text
    assert "vector<" in text


@pytest.mark.parametrize("size, tile", [(1, 8), (7, 8), (8, 8), (26, 8), (64, 32), (33, 32)])
def test_register_parts_cover_the_dim(size, tile):
    parts = register_parts(size, tile)
    assert sum(p[0] for p in parts) == size
    for extent, _, register in parts:
        assert extent > 0 and extent % register == 0 and register <= tile


@pytest.mark.parametrize("c, want", [(1, 1), (3, 3), (7, 7), (13, 1), (32, 8), (64, 8), (12, 6)])
def test_channel_tile_divides_the_channels(c, want):
    assert channel_tile(c) == want


def test_schedule_splits_width_and_channels_into_whole_tiles():
    text = schedule_text(26, 64, 32, 4, vector_bytes=64)     # OWR x NR = 8 x 32
    assert "after 24 {dimension = 2}" in text
    assert "tile_sizes [1, 1, 8, 32, 1, 0, 8]" in text
    assert "tile_sizes [1, 1, 2, 32, 1, 0, 8]" in text
    assert "transform.structured.decompose" in text


def test_filter_grad_with_few_channels_is_vectorized_with_fma():
    x, f = np.ones((2, 12, 12, 1), np.float32), np.ones((3, 3, 1, 32), np.float32)

    def loss(x, f):
        return em.reduce_sum(em.nn.conv2d(x, f))

    text = em.function(em.grad(loss, argnums=1)).lower(x, f).as_text("llvm")
    # NOTE: NR lanes, or fewer where ember-parallelize split the output channels
    assert re.search(r"llvm.fmul .*fastmath<contract>.* : vector<\d+xf32>", text)


@pytest.mark.parametrize("channels", [12, 32])
def test_filter_grad_with_channel_blocks_is_a_product_over_pixels(channels):
    # NOTE: blocked_text's tiles are mulf + addf (contractible); the convolution form it
    # replaced lowers vector.contracts to fma, with no contractible fmul
    x, f = np.ones((2, 9, 9, channels), np.float32), np.ones((3, 3, channels, 32), np.float32)

    def loss(x, f):
        return em.reduce_sum(em.nn.conv2d(x, f))

    text = em.function(em.grad(loss, argnums=1)).lower(x, f).as_text("llvm")
    assert re.search(r"llvm.fmul .*fastmath<contract>.* : vector<\d+xf32>", text)
