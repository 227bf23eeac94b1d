// RUN: ember-opt %s --ember-to-linalg | filecheck %s

// Convolution and pooling pad by filling the border of a tensor of the padded shape (zeros;
// -inf for max), slab by slab (each dim's low and high slabs, within the interior in the dims
// before it), and copying the input into its interior with linalg.copy (a tensor.pad would
// bufferize to a memref.copy into a strided view, which MLIR's runtime copies element by
// element). Pooling is linalg's named NHWC pooling ops' computation as a generic (loops n,
// oh, ow, c, kh, kw; the window's shape from an unread operand), which ember-parallelize
// can split; convolution is linalg.conv_2d_nhwc_hwcf's computation as a generic whose loops
// (n, oh, kh, kw, c, ow, f) end in contiguous ones. iota, gather and random_bits are
// generics over linalg.index; scatter_add is a serial scf.for nest.

// CHECK-DAG:   #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d2, d5 * 2 + d3, d4)>
// CHECK-DAG:   #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-DAG:   #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
// CHECK-DAG:   #[[TAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func.func @conv
// CHECK:         tensor.empty() : tensor<1x7x7x2xf32>
// CHECK-NOT:     linalg.fill {{.*}} -> tensor<1x7x7x2xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.fill ins(%[[ZERO]] : f32) {{.*}} -> tensor<1x1x7x2xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 1, 7, 2] [1, 1, 1, 1]
// CHECK:         linalg.fill {{.*}} -> tensor<1x1x7x2xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 6, 0, 0] [1, 1, 7, 2] [1, 1, 1, 1]
// CHECK:         linalg.fill {{.*}} -> tensor<1x5x1x2xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 1, 0, 0] [1, 5, 1, 2] [1, 1, 1, 1]
// CHECK:         linalg.fill {{.*}} -> tensor<1x5x1x2xf32>
// CHECK:         %[[BORDER:.*]] = tensor.insert_slice {{.*}}[0, 1, 6, 0] [1, 5, 1, 2] [1, 1, 1, 1]
// CHECK:         %[[INSIDE:.*]] = tensor.extract_slice %[[BORDER]][0, 1, 1, 0] [1, 5, 5, 2] [1, 1, 1, 1]
// CHECK:         %[[COPY:.*]] = linalg.copy{{.*}} ins(%arg0 : {{.*}}) outs(%[[INSIDE]] : {{.*}})
// CHECK:         %[[PADDED:.*]] = tensor.insert_slice %[[COPY]] into %[[BORDER]][0, 1, 1, 0] [1, 5, 5, 2] [1, 1, 1, 1]
// CHECK-NOT:     tensor.pad
// CHECK:         linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%[[PADDED]], %arg1
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK-NOT:     ember.
func.func @conv(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32> {
  %0 = "ember.conv2d"(%x, %w) {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// "valid" rows that no window reads are cropped: linalg's named ops want none.
// CHECK-LABEL: func.func @conv_crops
// CHECK:         %[[CROPPED:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 4, 2] [1, 1, 1, 1]
// CHECK:         linalg.generic {{.*}} ins(%[[CROPPED]], %arg1
func.func @conv_crops(%x: tensor<1x5x5x2xf32>, %w: tensor<2x2x2x4xf32>) -> tensor<1x2x2x4xf32> {
  %0 = "ember.conv2d"(%x, %w) {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x5x5x2xf32>, tensor<2x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  return %0 : tensor<1x2x2x4xf32>
}

// CHECK-LABEL: func.func @pools
// CHECK:         %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK:         linalg.copy{{.*}} ins(%arg0
// CHECK:         linalg.generic {indexing_maps = [#[[WIN]], #[[TAP]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} {{.*}} tensor<3x3xi32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #[[TAP]]
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[SUM]]
// CHECK:           arith.divf
// CHECK-NOT:     linalg.pooling
// CHECK-NOT:     ember.
func.func @pools(%x: tensor<1x5x5x2xf32>) -> (tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>) {
  %0 = "ember.max_pool2d"(%x) {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  %1 = "ember.avg_pool2d"(%x) {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  return %0, %1 : tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>
}

// CHECK-LABEL: func.func @iota
// CHECK:         linalg.generic
// CHECK:           %[[I:.*]] = linalg.index 1 : index
// CHECK:           arith.index_cast %[[I]] : index to i64
func.func @iota() -> tensor<2x3xi64> {
  %0 = "ember.iota"() {shape = array<i64: 2, 3>, axis = 1 : i64, dtype = i64} : () -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// Indices are clamped into the params' dim before they are read.
// CHECK-LABEL: func.func @gather
// CHECK:         linalg.generic {{.*}} ins(%arg1 : tensor<2xi32>)
// CHECK:           arith.minsi
// CHECK:           arith.maxsi
// CHECK:           tensor.extract %arg0
func.func @gather(%p: tensor<4x3xf32>, %i: tensor<2xi32>) -> tensor<2x3xf32> {
  %0 = "ember.gather"(%p, %i) {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @scatter_add
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             tensor.extract %arg1
// CHECK:             arith.addf
// CHECK:             tensor.insert
func.func @scatter_add(%u: tensor<2x3xf32>, %i: tensor<2xi32>) -> tensor<4x3xf32> {
  %0 = "ember.scatter_add"(%u, %i) {shape = array<i64: 4, 3>, axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @random_bits
// CHECK:         tensor.extract %arg0
// CHECK:         linalg.generic
// CHECK:           linalg.index 0
// CHECK:           arith.shli
// CHECK:           arith.shrui
// CHECK:           arith.xori
// CHECK:           linalg.yield {{.*}} : i32
func.func @random_bits(%key: tensor<2xi32>) -> tensor<3x4xi32> {
  %0 = "ember.random_bits"(%key) {shape = array<i64: 3, 4>} : (tensor<2xi32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}
