// RUN: ember-opt %s --ember-fuse-epilogues | filecheck %s

// A convolution whose result only its bias + relu reads: the epilogue is tiled into output
// rows (n, oh) and the convolution, with its fill, is computed in that loop, each row into a
// row-sized tensor of its own. Nothing of the convolution is left outside the loop.

#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-NOT:     linalg.fill
// CHECK:         scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           scf.for %[[OH:.*]] = %{{.*}} to %{{.*}} step
// CHECK:             %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[N]], %[[OH]], 0, 0] [1, 3, 5, 3]
// CHECK:             %[[ROW:.*]] = tensor.empty() : tensor<1x1x3x32xf32>
// CHECK:             %[[F:.*]] = linalg.fill {{.*}} outs(%[[ROW]] : tensor<1x1x3x32xf32>)
// CHECK:             %[[C:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<1x3x5x3xf32>, tensor<3x3x3x32xf32>) outs(%[[F]] : tensor<1x1x3x32xf32>) attrs = {ember.convolution}
// CHECK:             linalg.generic {{.*}} ins(%[[C]], %{{.*}} : tensor<1x1x3x32xf32>, tensor<32xf32>)
// CHECK:               arith.maximumf
// CHECK:             tensor.insert_slice
// CHECK-NOT:     ember.convolution
// CHECK:         return
func.func @conv_bias_relu(%a: tensor<2x6x5x3xf32>, %f: tensor<3x3x3x32xf32>, %b: tensor<32xf32>) -> tensor<2x4x3x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x3x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x3x32xf32>) -> tensor<2x4x3x32xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%a, %f : tensor<2x6x5x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<2x4x3x32xf32>) attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x3x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %b : tensor<2x4x3x32xf32>, tensor<32xf32>) outs(%e : tensor<2x4x3x32xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<2x4x3x32xf32>
  return %r : tensor<2x4x3x32xf32>
}

// The convolution's result is also returned: it stays whole, and so does its epilogue.
// CHECK-LABEL: func.func @result_read_twice
// CHECK-NOT:     scf.for
// CHECK:         linalg.generic {{.*}} attrs = {ember.convolution}
// CHECK:         linalg.generic
// CHECK:         return
func.func @result_read_twice(%a: tensor<2x6x5x3xf32>, %f: tensor<3x3x3x32xf32>, %b: tensor<32xf32>) -> (tensor<2x4x3x32xf32>, tensor<2x4x3x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x3x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x3x32xf32>) -> tensor<2x4x3x32xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%a, %f : tensor<2x6x5x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<2x4x3x32xf32>) attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x3x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %b : tensor<2x4x3x32xf32>, tensor<32xf32>) outs(%e : tensor<2x4x3x32xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<2x4x3x32xf32>
  return %r, %c : tensor<2x4x3x32xf32>, tensor<2x4x3x32xf32>
}
