// RUN: ember-opt %s --ember-pack-matmul | filecheck %s

// The product is tiled into cache blocks, loops (n, k, m): k = 300 is a KC = 256 block and
// the 44 left, m = 260 is MC = 64-row blocks and the 4 left. Per (n, k) block, y's block is
// copied into NR-column panels (NR from the host's vector width) from its (k, n/NR, NR)
// view, a permutation (marked for vectorization by ember-tile-matmul), once: outside the loop
// over m, and shared by both parts of m. Per m block, x's block is copied, and the block's
// product runs over (m, n0, k, n1) into the (m, n/NR, NR) view of its block of the result.

#x = affine_map<(d0, d1, d2) -> (d0, d1)>
#y = affine_map<(d0, d1, d2) -> (d1, d2)>
#o = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @packed
// CHECK:         %[[Y:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] {{.*}} : tensor<256x128xf32> into tensor<256x{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<256x{{[0-9]+}}x{{[0-9]+}}xf32>) outs(%{{.*}} : tensor<{{[0-9]+}}x256x{{[0-9]+}}xf32>) attrs =  {ember.pack_panels = 3 : i64}
// CHECK:         scf.for
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64
// CHECK-NOT:         ember.pack_panels = 3
// CHECK:             %[[X:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<64x256xf32>) attrs =  {ember.pack_panels = 2 : i64}
// CHECK:             %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape
// CHECK:             %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%[[X]], %[[P]] : {{.*}}) outs(%[[W]] : {{.*}}) attrs =  {ember.contraction_packed}
// CHECK:             tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<64x{{[0-9]+}}x{{[0-9]+}}xf32> into tensor<64x128xf32>
// CHECK:           %[[X4:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x256xf32>) attrs =  {ember.pack_panels = 2 : i64}
// CHECK:           linalg.generic {{.*}} ins(%[[X4]], %[[P]] : {{.*}}) {{.*}} attrs =  {ember.contraction_packed}
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<{{[0-9]+}}x44x{{[0-9]+}}xf32>) attrs =  {ember.pack_panels = 3 : i64}
// CHECK:         return
func.func @packed(%a: tensor<260x300xf32>, %b: tensor<300x128xf32>) -> tensor<260x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<260x128xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<260x128xf32>) -> tensor<260x128xf32>
  %r = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<260x300xf32>, tensor<300x128xf32>) outs(%init : tensor<260x128xf32>)
      attrs = {ember.contraction} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<260x128xf32>
  return %r : tensor<260x128xf32>
}

// n = 37 is not a whole number of panels: left as it is.
// CHECK-LABEL: func.func @odd_columns
// CHECK-NOT:     ember.contraction_packed
// CHECK:         linalg.generic {{.*}}attrs =  {ember.contraction}
func.func @odd_columns(%a: tensor<260x300xf32>, %b: tensor<300x37xf32>) -> tensor<260x37xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<260x37xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<260x37xf32>) -> tensor<260x37xf32>
  %r = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<260x300xf32>, tensor<300x37xf32>) outs(%init : tensor<260x37xf32>)
      attrs = {ember.contraction} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<260x37xf32>
  return %r : tensor<260x37xf32>
}
