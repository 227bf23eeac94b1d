// RUN: ember-opt %s --ember-strided-copies | filecheck %s

// A tile copied into a row of 10 columns, and a column: strided, so linalg.copy (loops, no
// call of MLIR's runtime library). A whole buffer, a row of a matrix and a unit dim of any
// stride are contiguous: they stay memref.copy (a memcpy).

// CHECK-LABEL: func.func @copies
// CHECK:         linalg.copy {{.*}}ins(%{{.*}} : memref<8x8xf32>) outs(%{{.*}} : memref<8x8xf32, strided<[10, 1], offset: ?>>)
// CHECK:         linalg.copy {{.*}}ins(%{{.*}} : memref<16x1xf32, strided<[10, 1]>>) outs(%{{.*}} : memref<16x1xf32>)
// CHECK:         memref.copy %{{.*}}, %{{.*}} : memref<16x10xf32> to memref<16x10xf32>
// CHECK:         memref.copy %{{.*}}, %{{.*}} : memref<1x10xf32, strided<[10, 1], offset: 20>> to memref<1x10xf32>
// CHECK:         memref.copy %{{.*}}, %{{.*}} : memref<1x10xf32, strided<[7, 1]>> to memref<1x10xf32>
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @copies(%tile: memref<8x8xf32>, %out: memref<16x10xf32>, %i: index, %col: memref<16x1xf32>,
                  %whole: memref<16x10xf32>, %row: memref<1x10xf32>, %odd: memref<1x10xf32, strided<[7, 1]>>) {
  %dst = memref.subview %out[%i, 0] [8, 8] [1, 1] : memref<16x10xf32> to memref<8x8xf32, strided<[10, 1], offset: ?>>
  memref.copy %tile, %dst : memref<8x8xf32> to memref<8x8xf32, strided<[10, 1], offset: ?>>
  %src2 = memref.subview %out[0, 0] [16, 1] [1, 1] : memref<16x10xf32> to memref<16x1xf32, strided<[10, 1]>>
  memref.copy %src2, %col : memref<16x1xf32, strided<[10, 1]>> to memref<16x1xf32>
  memref.copy %out, %whole : memref<16x10xf32> to memref<16x10xf32>
  %r = memref.subview %out[2, 0] [1, 10] [1, 1] : memref<16x10xf32> to memref<1x10xf32, strided<[10, 1], offset: 20>>
  memref.copy %r, %row : memref<1x10xf32, strided<[10, 1], offset: 20>> to memref<1x10xf32>
  memref.copy %odd, %row : memref<1x10xf32, strided<[7, 1]>> to memref<1x10xf32>
  return
}
