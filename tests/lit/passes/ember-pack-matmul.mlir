// RUN: ember-opt %s --ember-pack-matmul | filecheck %s

// y is copied into NR-column panels (n/NR x k x NR, NR from the host's vector width) from its
// (k, n/NR, NR) view, a permutation (marked for vectorization by ember-tile-matmul), the
// matmul runs over (m, n0, k, n1) into the (m, n/NR, NR) view of its init, and the result is
// that view collapsed back to (m, n): no copy of the result.

#x = affine_map<(d0, d1, d2) -> (d0, d1)>
#y = affine_map<(d0, d1, d2) -> (d1, d2)>
#o = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @packed
// CHECK:         %[[Y:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] {{.*}} : tensor<300x128xf32> into tensor<300x{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<300x{{[0-9]+}}x{{[0-9]+}}xf32>) outs(%{{.*}} : tensor<{{[0-9]+}}x300x{{[0-9]+}}xf32>) attrs =  {ember.pack_panels}
// CHECK:         %[[F:.*]] = linalg.fill
// CHECK:         %[[W:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0], [1, 2]] output_shape
// CHECK:         %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %[[P]] : {{.*}}) outs(%[[W]] : {{.*}}) attrs =  {ember.contraction_packed}
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<260x{{[0-9]+}}x{{[0-9]+}}xf32> into tensor<260x128xf32>
// CHECK:         return %[[C]]
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
