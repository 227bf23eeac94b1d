// RUN: ember-opt %s --ember-unroll-windows | filecheck %s

// A 2x2 max pool (stride 2): its window loops become 4 taps, one input map each, combined in
// the loops' order (kh, then kw) starting from the fill's value; the fill is gone and the
// generic has no reduction.
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
#win = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// CHECK-DAG:   #[[T00:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2, d2 * 2, d3)>
// CHECK-DAG:   #[[T01:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2, d2 * 2 + 1, d3)>
// CHECK-DAG:   #[[T10:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2 + 1, d2 * 2, d3)>
// CHECK-DAG:   #[[T11:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2 + 1, d2 * 2 + 1, d3)>
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME:    (%[[X:.*]]: tensor<2x4x4x3xf32>)
// CHECK-DAG:     %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[E:.*]] = tensor.empty() : tensor<2x2x2x3xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         linalg.generic {indexing_maps = [#[[T00]], #[[T01]], #[[T10]], #[[T11]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[X]], %[[X]], %[[X]] : {{.*}}) outs(%[[E]] : tensor<2x2x2x3xf32>)
// CHECK:         ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[M0:.*]] = arith.maximumf %[[NEG]], %[[A]] : f32
// CHECK:           %[[M1:.*]] = arith.maximumf %[[M0]], %[[B]] : f32
// CHECK:           %[[M2:.*]] = arith.maximumf %[[M1]], %[[C]] : f32
// CHECK:           %[[M3:.*]] = arith.maximumf %[[M2]], %[[D]] : f32
// CHECK:           linalg.yield %[[M3]] : f32
func.func @max_pool(%x: tensor<2x4x4x3xf32>) -> tensor<2x2x2x3xf32> {
  %neg = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2x2x2x3xf32>
  %init = linalg.fill ins(%neg : f32) outs(%e : tensor<2x2x2x3xf32>) -> tensor<2x2x2x3xf32>
  %w = tensor.empty() : tensor<2x2xi32>
  %r = linalg.generic {indexing_maps = [#x, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x4x4x3xf32>, tensor<2x2xi32>) outs(%init : tensor<2x2x2x3xf32>) attrs = {ember.window} {
  ^bb0(%in: f32, %unused: i32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  } -> tensor<2x2x2x3xf32>
  return %r : tensor<2x2x2x3xf32>
}

// The window's indices (linalg.index of its loops) become constants, the others stay.
// CHECK-LABEL: func.func @window_index
// CHECK-NOT:     linalg.fill
// CHECK:         iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG:       linalg.index 1 : index
// CHECK-NOT:       linalg.index 4
// CHECK-NOT:       linalg.index 5
// CHECK:           linalg.yield
func.func @window_index(%x: tensor<2x4x4x3xf32>) -> tensor<2x2x2x3xi32> {
  %big = arith.constant 4 : i32
  %e = tensor.empty() : tensor<2x2x2x3xi32>
  %init = linalg.fill ins(%big : i32) outs(%e : tensor<2x2x2x3xi32>) -> tensor<2x2x2x3xi32>
  %w = tensor.empty() : tensor<2x2xi32>
  %r = linalg.generic {indexing_maps = [#x, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x4x4x3xf32>, tensor<2x2xi32>) outs(%init : tensor<2x2x2x3xi32>) attrs = {ember.window} {
  ^bb0(%in: f32, %unused: i32, %acc: i32):
    %row = linalg.index 1 : index
    %kh = linalg.index 4 : index
    %kw = linalg.index 5 : index
    %s = arith.addi %row, %kh : index
    %k = arith.addi %s, %kw : index
    %ki = arith.index_cast %k : index to i32
    %m = arith.minsi %acc, %ki : i32
    linalg.yield %m : i32
  } -> tensor<2x2x2x3xi32>
  return %r : tensor<2x2x2x3xi32>
}

// A 5x5 window (25 taps, above MAX_TAPS) keeps its loops and its fill; so does a window
// generic whose init is not a fill.
// CHECK-LABEL: func.func @big_window
// CHECK:         linalg.fill
// CHECK:         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-LABEL: func.func @no_fill
// CHECK:         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
#x5 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 + d5, d3)>
func.func @big_window(%x: tensor<2x9x9x3xf32>) -> tensor<2x5x5x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x5x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x5x3xf32>) -> tensor<2x5x5x3xf32>
  %w = tensor.empty() : tensor<5x5xi32>
  %r = linalg.generic {indexing_maps = [#x5, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x9x9x3xf32>, tensor<5x5xi32>) outs(%init : tensor<2x5x5x3xf32>) attrs = {ember.window} {
  ^bb0(%in: f32, %unused: i32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<2x5x5x3xf32>
  return %r : tensor<2x5x5x3xf32>
}
func.func @no_fill(%x: tensor<2x4x4x3xf32>, %init: tensor<2x2x2x3xf32>) -> tensor<2x2x2x3xf32> {
  %w = tensor.empty() : tensor<2x2xi32>
  %r = linalg.generic {indexing_maps = [#x, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x4x4x3xf32>, tensor<2x2xi32>) outs(%init : tensor<2x2x2x3xf32>) attrs = {ember.window} {
  ^bb0(%in: f32, %unused: i32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<2x2x2x3xf32>
  return %r : tensor<2x2x2x3xf32>
}
