// RUN: ember-opt %s --ember-vectorize-elementwise | filecheck %s

// Generics no schedule took become loops of vectors along their innermost loop: the other
// loops are tiled by 1, the innermost by one vector (its width follows the host, so sizes
// are matched by pattern), then a remainder shorter than a vector at its own length. The
// innermost loop of each part tells LLVM not to unroll it (a fully unrolled row made one
// loop with hundreds of accesses, whose dependence analysis took 70 ms of `opt`).

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// A bias added to each row: 37 = whole vectors + a remainder; the bias is read as a vector.
// CHECK-LABEL: func.func @bias
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c7{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}}
// CHECK:           scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c{{[0-9]+}} step %c{{[0-9]+}}
// CHECK:             %[[X:.*]] = vector.transfer_read {{.*}} : tensor<1x{{[0-9]+}}xf32>, vector<[[N:[0-9]+]]xf32>
// CHECK:             %[[B:.*]] = vector.transfer_read {{.*}} : tensor<{{[0-9]+}}xf32>, vector<[[N]]xf32>
// CHECK:             arith.addf %[[X]], %[[B]] : vector<[[N]]xf32>
// CHECK:           } {loop_annotation = #{{.*}}}
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c7{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}}
// CHECK:           arith.addf %{{.*}}, %{{.*}} : vector<{{[0-9]+}}xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @bias(%x: tensor<7x37xf32>, %b: tensor<37xf32>) -> tensor<7x37xf32> {
  %e = tensor.empty() : tensor<7x37xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<7x37xf32>, tensor<37xf32>) outs(%e : tensor<7x37xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<7x37xf32>
  return %r : tensor<7x37xf32>
}

// A sum over rows (a bias gradient): each step adds one row to a vector of column sums.
// CHECK-LABEL: func.func @column_sums
// CHECK:         scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c13{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}}
// CHECK:           arith.addf %{{.*}}, %{{.*}} : vector<{{[0-9]+}}xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @column_sums(%x: tensor<13x64xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %r = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<13x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// A transpose (an operand read across the innermost loop): square tiles along the innermost
// loop and the one the operand is contiguous along, read then transposed in registers; 20
// rows = whole tiles + a remainder.
// CHECK-LABEL: func.func @transpose
// CHECK:         scf.for
// CHECK:           vector.transfer_read {{.*}} : tensor<{{[0-9]+}}x{{[0-9]+}}xf32>, vector<[[L:[0-9]+]]x[[L]]xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<[[L]]x[[L]]xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
#t = affine_map<(d0, d1) -> (d1, d0)>
func.func @transpose(%x: tensor<20x48xf32>) -> tensor<48x20xf32> {
  %e = tensor.empty() : tensor<48x20xf32>
  %r = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<20x48xf32>) outs(%e : tensor<48x20xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<48x20xf32>
  return %r : tensor<48x20xf32>
}

// Left alone: a body reading loop indices, a row reduction (ember-tile-rows' work).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT:     vector.transfer_read
#row = affine_map<(d0, d1) -> (d0)>
func.func @left_alone(%x: tensor<8x8xf32>, %i: tensor<8x8xi64>, %r: tensor<8xf32>)
    -> (tensor<8x8xi64>, tensor<8xf32>) {
  %b = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%i : tensor<8x8xi64>) {
  ^bb0(%o: i64):
    %k = linalg.index 1 : index
    %v = arith.index_cast %k : index to i64
    linalg.yield %v : i64
  } -> tensor<8x8xi64>
  %c = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x8xf32>) outs(%r : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %b, %c : tensor<8x8xi64>, tensor<8xf32>
}
