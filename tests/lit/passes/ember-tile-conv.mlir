// RUN: ember-opt %s --ember-tile-conv | filecheck %s

// The register tile (OWR output columns x NR output channels) follows the host's vector
// width, so shapes are matched by pattern. The schedule: rewrite the marked generic as
// linalg.conv_2d_nhwc_hwcf, split width and channels into whole tiles and a remainder,
// tile n, oh, kh by 1 and c innermost, keep the OWR x NR accumulator in a vector carried by
// the kh and c loops, and compute it with fmas of a broadcast input element and a filter row.

// Loops (n, oh, kh, kw, c, ow, f); stride 2, dilation 1 (as `Lowerer.conv2d` builds it).
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d2, d5 * 2 + d3, d4)>
#f = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>

// CHECK-LABEL: func.func @conv_f32
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     linalg.conv
// CHECK:         scf.for
// CHECK:           %[[ACC:.*]] = vector.transfer_read %{{.*}} : tensor<{{.*}}xf32>, vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}} = %[[ACC]]) -> (vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:             vector.broadcast %{{.*}} : f32 to vector<{{[0-9]+}}xf32>
// CHECK:             vector.fma
// CHECK:           vector.transfer_write
// CHECK:         return
func.func @conv_f32(%x: tensor<2x21x41x16xf32>, %w: tensor<3x3x16x40xf32>) -> tensor<2x10x20x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x10x20x40xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x10x20x40xf32>) -> tensor<2x10x20x40xf32>
  %r = linalg.generic {indexing_maps = [#x, #f, #o],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<2x21x41x16xf32>, tensor<3x3x16x40xf32>) outs(%init : tensor<2x10x20x40xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x10x20x40xf32>
  return %r : tensor<2x10x20x40xf32>
}

// Stride 1, dilation 2, f64, one input and one output channel: still no generic left.
#x1 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2 * 2, d5 + d3 * 2, d4)>

// CHECK-LABEL: func.func @dilated_f64
// CHECK-NOT:     linalg.generic
// CHECK:         vector.fma {{.*}} : vector<{{[0-9]+}}xf64>
// CHECK:         return
func.func @dilated_f64(%x: tensor<1x9x13x1xf64>, %w: tensor<3x3x1x1xf64>) -> tensor<1x5x9x1xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<1x5x9x1xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<1x5x9x1xf64>) -> tensor<1x5x9x1xf64>
  %r = linalg.generic {indexing_maps = [#x1, #f, #o],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<1x9x13x1xf64>, tensor<3x3x1x1xf64>) outs(%init : tensor<1x5x9x1xf64>)
      attrs = {ember.convolution} {
  ^bb0(%u: f64, %v: f64, %acc: f64):
    %p = arith.mulf %u, %v : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  } -> tensor<1x5x9x1xf64>
  return %r : tensor<1x5x9x1xf64>
}

// Left alone: an unmarked generic, and a marked one whose body is not `acc + x * f`.
#x2 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d5 + d3, d4)>

// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK-NOT:     vector.
// CHECK:         return
func.func @left_alone(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2x4xf32>) -> (tensor<1x3x3x4xf32>, tensor<1x3x3x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  %r0 = linalg.generic {indexing_maps = [#x2, #f, #o],
                        iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%init : tensor<1x3x3x4xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x3x3x4xf32>
  %r1 = linalg.generic {indexing_maps = [#x2, #f, #o],
                        iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%init : tensor<1x3x3x4xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x3x3x4xf32>
  return %r0, %r1 : tensor<1x3x3x4xf32>, tensor<1x3x3x4xf32>
}

// The filter gradient, loops (kh, kw, n, oh, ow, c, o), with 13 input channels (no channel
// block of 4 or more divides them): the convolution of x as (c, h, w, n) with g as the
// filter (oh, ow, n, o), transposed in and out, then the same schedule.
#dx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3 + d0, d4 + d1, d5)>
#dg = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
#df = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>

// (The transposes are generics reading through the permutation.)
// CHECK-LABEL: func.func @filter_grad
// CHECK:         linalg.generic {{.*}} ins(%arg0 : tensor<4x13x13x13xf32>) outs(%{{.*}} : tensor<13x13x13x4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%arg1 : tensor<4x11x11x16xf32>) outs(%{{.*}} : tensor<11x11x4x16xf32>)
// CHECK-NOT:     ember.convolution
// CHECK:         vector.fma
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<13x3x3x16xf32>) outs(%{{.*}} : tensor<3x3x13x16xf32>)
// CHECK:         return
func.func @filter_grad(%x: tensor<4x13x13x13xf32>, %g: tensor<4x11x11x16xf32>) -> tensor<3x3x13x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x13x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x13x16xf32>) -> tensor<3x3x13x16xf32>
  %r = linalg.generic {indexing_maps = [#dx, #dg, #df],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %g : tensor<4x13x13x13xf32>, tensor<4x11x11x16xf32>) outs(%init : tensor<3x3x13x16xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x3x13x16xf32>
  return %r : tensor<3x3x13x16xf32>
}


// With 32 input channels (blocks of 8): a matrix product over the output pixels, one image
// at a time; loops (kh, kw, c / 8, o / NR) around (oh, ow), whose accumulator of 8 channels
// x NR output channels is a vector carried by both; each step multiplies 8 channels of one
// pixel of x (broadcast) by one row of g.
// CHECK-LABEL: func.func @filter_grad_blocked
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (tensor<3x3x32x16xf32>)
// CHECK:           vector.transfer_read {{.*}} : tensor<8x16xf32>, vector<8x16xf32>
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<8x16xf32>)
// CHECK:             scf.for {{.*}} iter_args({{.*}}) -> (vector<8x16xf32>)
// CHECK:               arith.mulf {{.*}} fastmath<contract> : vector<8x16xf32>
// CHECK:               arith.addf {{.*}} fastmath<contract> : vector<8x16xf32>
// CHECK:           vector.transfer_write
// CHECK:         return
func.func @filter_grad_blocked(%x: tensor<4x13x13x32xf32>, %g: tensor<4x11x11x16xf32>) -> tensor<3x3x32x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x32x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x32x16xf32>) -> tensor<3x3x32x16xf32>
  %r = linalg.generic {indexing_maps = [#dx, #dg, #df],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %g : tensor<4x13x13x32xf32>, tensor<4x11x11x16xf32>) outs(%init : tensor<3x3x32x16xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x3x32x16xf32>
  return %r : tensor<3x3x32x16xf32>
}

// With few input channels (c = 1): no convolution form; per (c, o tile) the whole
// kh x kw x NR accumulator stays in a vector carried by the innermost reduction loop, and
// each step multiplies the kh x kw taps of x by one row of g (mulf + addf, contractible).
// CHECK-LABEL: func.func @filter_grad_few_channels
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<3x3x{{[0-9]+}}xf32>)
// CHECK:           arith.mulf {{.*}} fastmath<contract> : vector<3x3x{{[0-9]+}}xf32>
// CHECK:           arith.addf {{.*}} fastmath<contract> : vector<3x3x{{[0-9]+}}xf32>
// CHECK:         return
func.func @filter_grad_few_channels(%x: tensor<4x13x13x1xf32>, %g: tensor<4x11x11x16xf32>) -> tensor<3x3x1x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x1x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x1x16xf32>) -> tensor<3x3x1x16xf32>
  %r = linalg.generic {indexing_maps = [#dx, #dg, #df],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %g : tensor<4x13x13x1xf32>, tensor<4x11x11x16xf32>) outs(%init : tensor<3x3x1x16xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x3x1x16xf32>
  return %r : tensor<3x3x1x16xf32>
}
