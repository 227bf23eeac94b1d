"""`ember-tile-matmul`: compiled matmuls against NumPy for shapes that are not multiples of
the tiles (primes, 1, remainders of one row), batched with broadcast batch dims, and the
parts of the schedule that do not need a compiler (splits, register tile)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as em
from conftest import TOLERANCES, rng_for, using_threads
from ember.passes.pack_matmul import DEEP_RESULT, KC, KC_DEEP, MC, depth_block
from ember.passes.tile_matmul import _parts, register_tile, row_register_tile, schedule_text

SHAPES = [
    ((1, 1), (1, 1)),
    ((7, 13), (13, 5)),
    ((2, 3), (3, 1)),
    ((9, 4), (4, 33)),             # 9 = 8 + 1: the single remainder row joins a register tile
    ((65, 257), (257, 67)),
    ((129, 257), (257, 65)),
    ((128, 784), (784, 512)),
    ((3, 1, 17, 9), (4, 9, 11)),   # batch dims broadcast both ways
    ((2, 1, 5), (5, 7)),           # one row per batch
    # single rows: NR-wide register tiles (AVX-512 f32: 256 lanes) and a remainder
    ((1, 5), (5, 10)),
    ((1, 784), (784, 512)),
    ((1, 257), (257, 263)),
    ((1, 3), (3, 1)),
    # packed (`ember-pack-matmul`: n a multiple of NR, m >= 256, k >= 256)
    ((257, 263), (263, 64)),
    ((300, 256), (256, 96)),
    ((64, 130), (130, 64)),        # one row block, one shallow k block
    ((100, 129), (129, 96)),       # a row block and 36 rows left
]


def _matmul(x, y):
    return em.matmul(x, y)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: f"{s[0]}@{s[1]}")
def test_compiled_matmul_matches_numpy(shapes, dtype):
    _check_against_numpy(shapes, dtype)


# one of each kind of schedule: register tiles with remainders, cache tiles (m 129 > MC),
# batch dims, a single row, packed blocks
EVERY_KIND = [((129, 257), (257, 65)), ((9, 4), (4, 33)), ((3, 1, 17, 9), (4, 9, 11)),
              ((1, 257), (257, 263)), ((257, 263), (263, 64)), ((100, 129), (129, 96))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", EVERY_KIND, ids=lambda s: f"{s[0]}@{s[1]}")
def test_schedules_hold_for_every_vector_width(shapes, dtype, vector_width):
    # NOTE: AVX2's MR of 6 does not divide MC; its cache tiles once ended in a register tile
    # of dynamic size, which does not vectorize
    _check_against_numpy(shapes, dtype)


def _check_against_numpy(shapes, dtype):
    rng = rng_for("tile_matmul", shapes, dtype)
    if dtype == "int32":
        x, y = (rng.integers(-9, 10, s).astype(dtype) for s in shapes)
    else:
        x, y = (rng.standard_normal(s).astype(dtype) for s in shapes)
    got = em.function(_matmul)(x, y).numpy()
    want = np.matmul(x, y)
    assert got.shape == want.shape and got.dtype == want.dtype
    if dtype == "int32":
        np.testing.assert_array_equal(got, want)
    else:
        # NOTE: the sum over k runs in another order than BLAS's; scale by sqrt(k).
        tol = TOLERANCES[dtype]
        k = x.shape[-1]
        np.testing.assert_allclose(got, want, rtol=tol["rtol"] * np.sqrt(k), atol=tol["atol"] * k)


def test_matmul_is_vectorized_at_the_llvm_stage():
    x, y = np.ones((37, 300), np.float32), np.ones((300, 41), np.float32)
    text = em.function(_matmul).lower(x, y).as_text("llvm")
    assert "llvm.intr.fma" in text or "llvm.intr.fmuladd" in text
    assert "vector<" in text


@pytest.mark.parametrize("size, outer, inner", [(1, 64, 8), (7, 64, 8), (9, 64, 8), (64, 64, 8),
                                                 (129, 64, 8), (300, 256, 32), (257, 256, 1)])
def test_parts_cover_the_dim_in_whole_tiles(size, outer, inner):
    for no_single in (False, True):
        parts = _parts(size, outer, inner, no_single)
        assert sum(p[0] for p in parts) == size
        for extent, cache, register in parts:
            assert extent > 0
            assert cache == 0 or extent % cache == 0
            assert register == 0 or extent % register == 0
        if no_single and size > inner:   # no untiled remainder of a single row
            assert (1, 0, 0) not in parts


def test_register_tile_follows_the_vector_width():
    assert register_tile(4, 64) == (8, 32)     # AVX-512, f32
    assert register_tile(8, 64) == (8, 16)
    assert register_tile(4, 32) == (6, 16)     # AVX2
    assert register_tile(4, 16) == (4, 8)


def test_single_row_products_use_half_the_registers_as_accumulators():
    assert row_register_tile(4, 64) == 256    # AVX-512: 16 of 32 registers, f32
    assert row_register_tile(8, 64) == 128
    assert row_register_tile(4, 32) == 64     # AVX2: 8 of 16
    assert row_register_tile(4, 16) == 32


@pytest.mark.parametrize("vector_width", [512], indirect=True)   # AVX-512, whatever the host
def test_single_row_products_are_vector_fmas_over_k(vector_width):
    text = schedule_text(0, 1, 37, 300, 4, vector_bytes=64)
    assert "after 256 {dimension = 2}" in text          # 300 = 256 + 44 lanes
    assert "tile_sizes [1, 1, 256] interchange = [0, 2, 1]" in text
    x, y = np.ones((1, 37), np.float32), np.ones((37, 300), np.float32)
    with using_threads(1):
        llvm = em.function(_matmul).lower(x, y).as_text("llvm")
    # each step: one broadcast x element times a stretch of a y row, added to accumulators
    # that stay in registers; the 44 lanes left over in one vector (no product per lane)
    for lanes in (256, 44):
        assert re.search(rf"llvm.intr.fm(a|uladd)\(.*vector<{lanes}xf32>", llvm), lanes
    assert not re.search(r"llvm.f(mul|add) .*: (f32|vector<1xf32>)", llvm)


def test_schedule_tiles_batch_dims_by_one():
    text = schedule_text(2, 17, 9, 11, 4, vector_bytes=64)
    assert "tile_sizes [1, 1, 0, 0, 0]" in text
    assert "transform.structured.split" in text   # 17 = 16 + 1
    assert "hoist_loop_invariant_subsets" in text



def _after_packing(x, y) -> str:
    from ember.passes import run_passes
    from ember.runtime.lowered import parse

    module = parse(em.function(_matmul).lower(x, y).as_text("linalg"))
    with module.context:
        run_passes(module, ["ember-pack-matmul"])
    return str(module)


@pytest.mark.parametrize("dtype, n", [("float32", 96), ("float64", 48)])
def test_big_matmuls_are_blocked_and_packed(dtype, n):
    nr = register_tile(np.dtype(dtype).itemsize)[1]
    with using_threads(1):
        text = _after_packing(np.ones((260, 300), dtype), np.ones((300, n), dtype))
    assert "ember.contraction_packed" in text
    # k = 300: a KC-deep block and the 44 left; m = 260: MC-row blocks and the 4 left
    for depth in (KC, 300 - KC):
        assert f"tensor<{n // nr}x{depth}x{nr}x" in text     # y's block in NR-column panels
        assert f"tensor<{MC}x{depth}x" in text              # x's block, copied
        assert f"tensor<{260 % MC}x{depth}x" in text
    assert "tensor.collapse_shape" in text
    # NOTE: y's panels are packed once per (n, k) block: hoisted out of the loop over m
    loop_m = text.index(f"step %c{MC} ")
    assert text.index(f"tensor<{n // nr}x{KC}x{nr}x") < loop_m


def test_big_results_take_deep_blocks():
    assert depth_block(1024, 1024) == KC
    assert depth_block(2048, 1024) == KC_DEEP >= KC
    assert DEEP_RESULT == 2048 * 1024


def test_deep_blocks_are_right():
    # NOTE: a result of DEEP_RESULT elements and more (1451 x 1472) takes KC_DEEP-deep
    # blocks: k = 1031 is two of them and 7 left
    nr = register_tile(4)[1]
    rng = rng_for("deep_blocks")
    x = rng.standard_normal((1451, 1031)).astype(np.float32)
    y = rng.standard_normal((1031, 1472)).astype(np.float32)   # 1472 = 23 * 64: whole panels
    with using_threads(1):
        text = _after_packing(x, y)
        got = em.function(_matmul)(x, y).numpy()
    assert f"x{KC_DEEP}x{nr}x" in text and f"x{1031 - 2 * KC_DEEP}x{nr}x" in text
    np.testing.assert_allclose(got, x @ y, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("x_shape, y_shape", [((260, 300), (300, 33)),   # n not a multiple of NR
                                              ((32, 512), (512, 512)),   # too few rows
                                              ((784, 100), (100, 512)),  # too shallow
                                              ((2, 260, 300), (300, 64))])  # batched
def test_other_matmuls_are_not_packed(x_shape, y_shape):
    text = _after_packing(np.ones(x_shape, np.float32), np.ones(y_shape, np.float32))
    assert "ember.contraction_packed" not in text
