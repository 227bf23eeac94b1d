// RUN: ember-opt %s --ember-vectorize-copies | filecheck %s

// A copy into a padded tensor's interior (what Lowerer.pad emits) is copied a row at a time
// with vector loads and stores; a row longer than 1 KiB in chunks of 1 KiB and the rest.

// CHECK-LABEL: func.func @rows
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c2 step %c1{{(_[0-9]+)?}} 
// CHECK:           scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c5 step %c1{{(_[0-9]+)?}} 
// CHECK:             scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c7 step %c1{{(_[0-9]+)?}} 
// CHECK:               vector.transfer_read %{{.*}} : tensor<1x1x1x3xf32>, vector<1x1x1x3xf32>
// CHECK:               vector.transfer_write %{{.*}} : vector<1x1x1x3xf32>, tensor<1x1x1x3xf32>
// CHECK-NOT:     linalg.copy
// CHECK:         tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [2, 5, 7, 3] [1, 1, 1, 1]
func.func @rows(%x: tensor<2x5x7x3xf32>) -> tensor<2x7x9x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x7x9x3xf32>
  %padded = linalg.fill ins(%zero : f32) outs(%e : tensor<2x7x9x3xf32>) -> tensor<2x7x9x3xf32>
  %window = tensor.extract_slice %padded[0, 1, 1, 0] [2, 5, 7, 3] [1, 1, 1, 1] : tensor<2x7x9x3xf32> to tensor<2x5x7x3xf32>
  %copied = linalg.copy ins(%x : tensor<2x5x7x3xf32>) outs(%window : tensor<2x5x7x3xf32>) -> tensor<2x5x7x3xf32>
  %r = tensor.insert_slice %copied into %padded[0, 1, 1, 0] [2, 5, 7, 3] [1, 1, 1, 1] : tensor<2x5x7x3xf32> into tensor<2x7x9x3xf32>
  return %r : tensor<2x7x9x3xf32>
}

// 600 f32 per row: two chunks of 256 (1 KiB), then the 88 left.
// CHECK-LABEL: func.func @long_rows
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c3{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} 
// CHECK:           scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c512{{(_[0-9]+)?}} step %c256
// CHECK:             vector.transfer_read %{{.*}} vector<1x256xf32>
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c3{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} 
// CHECK:           vector.transfer_read %{{.*}} vector<1x88xf32>
func.func @long_rows(%x: tensor<3x600xf32>, %y: tensor<3x600xf32>) -> tensor<3x600xf32> {
  %r = linalg.copy ins(%x : tensor<3x600xf32>) outs(%y : tensor<3x600xf32>) -> tensor<3x600xf32>
  return %r : tensor<3x600xf32>
}

// Dynamic shapes are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK:         linalg.copy
func.func @dynamic(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %r = linalg.copy ins(%x : tensor<?x8xf32>) outs(%y : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// A padded input's interior copy that ember-pack-conv makes per image (marked
// ember.image_pad by ember-parallelize) is left to it.
// CHECK-LABEL: func.func @image_pad
// CHECK:         linalg.copy {ember.image_pad}
// CHECK-NOT:     vector.transfer_write
func.func @image_pad(%x: tensor<2x4x5x3xf32>, %p: tensor<2x6x7x3xf32>) -> tensor<2x6x7x3xf32> {
  %w = tensor.extract_slice %p[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x5x3xf32>
  %c = linalg.copy {ember.image_pad} ins(%x : tensor<2x4x5x3xf32>) outs(%w : tensor<2x4x5x3xf32>) -> tensor<2x4x5x3xf32>
  %r = tensor.insert_slice %c into %p[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x4x5x3xf32> into tensor<2x6x7x3xf32>
  return %r : tensor<2x6x7x3xf32>
}
