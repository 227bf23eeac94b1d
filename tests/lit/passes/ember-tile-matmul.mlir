// RUN: ember-opt %s --ember-tile-matmul | filecheck %s

// The register tile (MR x NR) follows the host's vector width, so shapes are matched by
// pattern. The schedule: split into whole tiles and a remainder, tile for cache and
// registers with k innermost, keep the MR x NR accumulator in a vector carried by the k
// loop, and compute it with one fma per row: a broadcast x element times a row of y.

#x = affine_map<(d0, d1, d2) -> (d0, d1)>
#y = affine_map<(d0, d1, d2) -> (d1, d2)>
#o = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @matmul_f32
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for
// CHECK:           %[[ACC:.*]] = vector.transfer_read %{{.*}} : tensor<{{[0-9]+}}x{{[0-9]+}}xf32>, vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}} = %[[ACC]]) -> ({{.*}}vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:             vector.broadcast %{{.*}} : f32 to vector<{{[0-9]+}}xf32>
// CHECK:             vector.fma
// CHECK:           vector.transfer_write
// CHECK:         return
func.func @matmul_f32(%a: tensor<37x300xf32>, %b: tensor<300x41xf32>) -> tensor<37x41xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x41xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<37x41xf32>) -> tensor<37x41xf32>
  %r = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<37x300xf32>, tensor<300x41xf32>) outs(%init : tensor<37x41xf32>)
      attrs = {ember.contraction} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<37x41xf32>
  return %r : tensor<37x41xf32>
}

// A batched matmul with a broadcast batch dim: batch dims are tiled by 1, then the same
// schedule; no generic is left.
#bx = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d3)>
#by = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
#bo = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @batched_f64
// CHECK-NOT:     linalg.generic
// CHECK:         vector.fma {{.*}} : vector<{{[0-9]+}}xf64>
// CHECK:         return
func.func @batched_f64(%a: tensor<3x1x17x9xf64>, %b: tensor<4x9x11xf64>) -> tensor<3x4x17x11xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<3x4x17x11xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<3x4x17x11xf64>) -> tensor<3x4x17x11xf64>
  %r = linalg.generic {indexing_maps = [#bx, #by, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<3x1x17x9xf64>, tensor<4x9x11xf64>) outs(%init : tensor<3x4x17x11xf64>)
      attrs = {ember.contraction} {
  ^bb0(%u: f64, %v: f64, %acc: f64):
    %p = arith.mulf %u, %v : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  } -> tensor<3x4x17x11xf64>
  return %r : tensor<3x4x17x11xf64>
}

// A single-row product (one example through a Dense layer): n in register tiles of half
// the register file (AVX-512 f32: 256 lanes; the host decides), k innermost, each step one
// broadcast x element times a stretch of a y row added to accumulators carried by the loop.
// CHECK-LABEL: func.func @single_row
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<[[NR:[0-9]+]]xf32>)
// CHECK:           vector.broadcast {{.*}} : f32 to vector<[[NR]]xf32>
// CHECK:           vector.fma {{.*}} : vector<[[NR]]xf32>
// CHECK:         return
func.func @single_row(%c: tensor<1x7xf32>, %d: tensor<7x300xf32>) -> tensor<1x300xf32> {
  %zf = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<1x300xf32>
  %i1 = linalg.fill ins(%zf : f32) outs(%e1 : tensor<1x300xf32>) -> tensor<1x300xf32>
  %r1 = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%c, %d : tensor<1x7xf32>, tensor<7x300xf32>) outs(%i1 : tensor<1x300xf32>) attrs = {ember.contraction} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x300xf32>
  return %r1 : tensor<1x300xf32>
}

// Left alone: integer matmuls and unmarked generics.
// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<5x7xi32>, tensor<7x3xi32>)
// CHECK:         linalg.generic {{.*}} ins(%arg2, %arg3 : tensor<5x7xf32>, tensor<7x3xf32>)
// CHECK-NOT:     vector.
// CHECK:         return
func.func @left_alone(%a: tensor<5x7xi32>, %b: tensor<7x3xi32>,
                      %f: tensor<5x7xf32>, %g: tensor<7x3xf32>)
    -> (tensor<5x3xi32>, tensor<5x3xf32>) {
  %zi = arith.constant 0 : i32
  %zf = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<5x3xi32>
  %i0 = linalg.fill ins(%zi : i32) outs(%e0 : tensor<5x3xi32>) -> tensor<5x3xi32>
  %r0 = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<5x7xi32>, tensor<7x3xi32>) outs(%i0 : tensor<5x3xi32>) attrs = {ember.contraction} {
  ^bb0(%u: i32, %v: i32, %acc: i32):
    %p = arith.muli %u, %v : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<5x3xi32>
  %e2 = tensor.empty() : tensor<5x3xf32>
  %i2 = linalg.fill ins(%zf : f32) outs(%e2 : tensor<5x3xf32>) -> tensor<5x3xf32>
  %r2 = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%f, %g : tensor<5x7xf32>, tensor<7x3xf32>) outs(%i2 : tensor<5x3xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x3xf32>
  return %r0, %r2 : tensor<5x3xi32>, tensor<5x3xf32>
}
