// RUN: env EMBER_NUM_THREADS=2 ember-opt %s --ember-tile-rows | filecheck %s
// RUN: env EMBER_NUM_THREADS=1 ember-opt %s --ember-tile-rows | filecheck %s --check-prefix=SEQ

// With one thread the row tiles are a plain loop (no forall: ember-lower-cpu would make
// it an OpenMP loop).
// SEQ-LABEL: func.func @softmax
// SEQ-NOT:     scf.forall
// SEQ:         scf.for {{.*}} iter_args({{.*}}) -> (tensor<64x100xf32>)
// SEQ:           vector.reduction <maximumf>
// SEQ:           tensor.insert_slice {{.*}} into {{.*}} : tensor<{{[0-9]+}}x100xf32> into tensor<64x100xf32>
// SEQ:         return

// Row chains (generics and fills over the same leading rows, reducing trailing dims)
// become one `scf.forall` over row tiles with every op of the chain fused in; along the
// row, reductions keep vector partial results in a loop-carried accumulator and reduce
// across lanes once, elementwise ops run one vector at a time, and a remainder shorter
// than a vector is vectorized at its size. Tile and vector sizes follow the host, so
// shapes are matched by pattern.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#bcast = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>

// Softmax: max, exp(x - max), sum, divide. The keepdims expand_shapes fold into the
// maps; the division by the row sum becomes a multiplication by its reciprocal.
// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     linalg.
// CHECK:         scf.forall ({{.*}}) in ({{[0-9]+}}) shared_outs({{.*}}) -> (tensor<64x100xf32>)
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:             arith.maximumf {{.*}} : vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:           vector.reduction <maximumf>
// CHECK:           math.exp {{.*}} : vector<{{[0-9]+}}xf32>
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:             arith.addf {{.*}} : vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:           vector.reduction <add>
// CHECK:           arith.divf {{.*}} : vector<{{[0-9]+}}xf32>
// CHECK:           arith.mulf {{.*}} : vector<{{[0-9]+}}xf32>
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice
// CHECK:         } {ember.tile_rows.nest}
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @softmax(%x: tensor<64x100xf32>) -> tensor<64x100xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<64xf32>
  %init_max = linalg.fill ins(%ninf : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x100xf32>) outs(%init_max : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %max2 = tensor.expand_shape %max [[0, 1]] output_shape [64, 1] : tensor<64xf32> into tensor<64x1xf32>
  %full = tensor.empty() : tensor<64x100xf32>
  %exp = linalg.generic {indexing_maps = [#id, #bcast, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max2 : tensor<64x100xf32>, tensor<64x1xf32>) outs(%full : tensor<64x100xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %s = arith.subf %in, %m : f32
    %v = math.exp %s : f32
    linalg.yield %v : f32
  } -> tensor<64x100xf32>
  %init_sum = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%exp : tensor<64x100xf32>) outs(%init_sum : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in : f32
    linalg.yield %a : f32
  } -> tensor<64xf32>
  %sum2 = tensor.expand_shape %sum [[0, 1]] output_shape [64, 1] : tensor<64xf32> into tensor<64x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #bcast, #id], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %sum2 : tensor<64x100xf32>, tensor<64x1xf32>) outs(%full : tensor<64x100xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %d = arith.divf %in, %s : f32
    linalg.yield %d : f32
  } -> tensor<64x100xf32>
  return %y : tensor<64x100xf32>
}

// A sum over the last axis of a 3-D tensor: two row dims, rows of 7 (shorter than a
// vector, and few: SHORT_ROWS_ONE_BY_ONE): one forall over both row dims, one row a tile,
// vectorized at its size.
// CHECK-LABEL: func.func @sum_3d
// CHECK-NOT:     linalg.
// CHECK:         scf.forall ({{.*}}, {{.*}}) in (6, 5)
// CHECK:           vector.transfer_read {{.*}} : tensor<1x1x7xf64>, vector<7xf64>
// CHECK:           vector.reduction <add>, {{.*}} : vector<7xf64> into f64
// CHECK:         return
func.func @sum_3d(%x: tensor<6x5x7xf64>) -> tensor<6x5xf64> {
  %zero = arith.constant 0.000000e+00 : f64
  %e = tensor.empty() : tensor<6x5xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<6x5xf64>) -> tensor<6x5xf64>
  %r = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<6x5x7xf64>) outs(%init : tensor<6x5xf64>) {
  ^bb0(%in: f64, %acc: f64):
    %a = arith.addf %acc, %in : f64
    linalg.yield %a : f64
  } -> tensor<6x5xf64>
  return %r : tensor<6x5xf64>
}

// Left alone: a sum over the rows (column sums), which no row tile can hold.
// CHECK-LABEL: func.func @column_sum
// CHECK-NOT:     scf.forall
// CHECK:         linalg.fill
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK:         return
func.func @column_sum(%x: tensor<64x100xf32>) -> tensor<100xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<100xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<100xf32>) -> tensor<100xf32>
  %r = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<64x100xf32>) outs(%init : tensor<100xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in : f32
    linalg.yield %a : f32
  } -> tensor<100xf32>
  return %r : tensor<100xf32>
}
