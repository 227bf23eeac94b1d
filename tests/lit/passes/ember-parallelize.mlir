// RUN: env EMBER_NUM_THREADS=2 ember-opt %s --ember-parallelize | filecheck %s
// RUN: env EMBER_NUM_THREADS=1 ember-opt %s --ember-parallelize | filecheck %s --check-prefix=ONE

// With 2 threads, a big elementwise op becomes an scf.forall of 2 chunks of 256 rows; 513
// rows split at 512 first, and the last row runs after the forall. Small ops are left alone.
// With 1 thread nothing changes.

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @rows
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           linalg.generic {{.*}} ins(%{{.*}} : tensor<256x128xf32>)
// CHECK:           tensor.parallel_insert_slice
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<1x128xf32>)
// ONE-LABEL:   func.func @rows
// ONE-NOT:       scf.forall
func.func @rows(%a: tensor<513x128xf32>) -> tensor<513x128xf32> {
  %e = tensor.empty() : tensor<513x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<513x128xf32>) outs(%e : tensor<513x128xf32>) {
  ^bb0(%u: f32, %o: f32):
    %s = arith.addf %u, %u : f32
    linalg.yield %s : f32
  } -> tensor<513x128xf32>
  return %r : tensor<513x128xf32>
}

// CHECK-LABEL: func.func @small
// CHECK-NOT:     scf.forall
func.func @small(%a: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%u: f32, %o: f32):
    %s = arith.addf %u, %u : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}
