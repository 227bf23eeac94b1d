// RUN: ember-opt %s --ember-widen-bools | filecheck %s

#id = affine_map<(d0) -> (d0)>

// Bool tensors are stored as i8: arguments, results and constants; bodies truncate what
// they read to i1 and extend what they write back to i8.
// CHECK-LABEL: func.func @bools(%arg0: tensor<4xi8>, %arg1: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>)
// CHECK:         arith.constant dense<[1, 0, 1, 0]> : tensor<4xi8>
// CHECK:         tensor.empty() : tensor<4xi8>
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[B:.*]]: i8, %[[K:.*]]: i8, %{{.*}}: f32, %{{.*}}: i8):
// CHECK-DAG:       %[[BB:.*]] = arith.trunci %[[B]] : i8 to i1
// CHECK-DAG:       %[[KB:.*]] = arith.trunci %[[K]] : i8 to i1
// CHECK:           %[[R:.*]] = arith.xori %[[BB]], %[[KB]] : i1
// CHECK:           %[[W:.*]] = arith.extui %[[R]] : i1 to i8
// CHECK:           linalg.yield %[[W]] : i8
// CHECK:         } -> tensor<4xi8>
// CHECK-NOT:     xi1>
func.func @bools(%b: tensor<4xi1>, %x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xf32>) {
  %k = arith.constant dense<[true, false, true, false]> : tensor<4xi1>
  %e = tensor.empty() : tensor<4xi1>
  %r = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%b, %k, %x : tensor<4xi1>, tensor<4xi1>, tensor<4xf32>) outs(%e : tensor<4xi1>) {
  ^bb0(%p: i1, %q: i1, %v: f32, %o: i1):
    %y = arith.xori %p, %q : i1
    linalg.yield %y : i1
  } -> tensor<4xi1>
  return %r, %x : tensor<4xi1>, tensor<4xf32>
}
