// RUN: ember-opt %s --ember-to-linalg | filecheck %s
// RUN: ember-opt %s --ember-to-linalg | filecheck %s --check-prefix=GONE

// No ember op and no fused region is left (matmuls keep the unit attribute
// `ember.contraction`, so ops are matched by their quoted generic name).
// GONE:     module
// GONE-NOT: "ember.
// GONE-NOT: scf.execute_region

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SWAP:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ROW0:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[COL0:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[MM_X:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[MM_Y:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MM_OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BMM_X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[BMM_Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[BMM_OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>

// One elementwise op: one linalg.generic over the result's shape, with its scalar body.
// CHECK-LABEL: func.func @exp
// CHECK-NEXT:    %[[INIT:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%arg0 : tensor<4xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[E]] : f32
// CHECK:         return %[[G]]
func.func @exp(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Broadcasting is in the indexing maps: right-aligned dims, size-1 dims read index 0.
// CHECK-LABEL: func.func @broadcast
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<3xf32>)
// CHECK:           arith.addf
// CHECK:         linalg.generic {indexing_maps = [#[[ROW0]], #[[COL0]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%arg2, %arg3 : tensor<4x1xf32>, tensor<1x3xf32>)
// CHECK:           arith.subf
func.func @broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %c: tensor<4x1xf32>, %d: tensor<1x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = "ember.add"(%a, %b) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = "ember.sub"(%c, %d) : (tensor<4x1xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// A fused group becomes ONE linalg.generic: its outside operands are the inputs (each
// once), its body the members' bodies in order.
// CHECK-LABEL: func.func @fused_group
// CHECK-NEXT:    %[[INIT:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8xf32>) outs(%[[INIT]] : tensor<4x8xf32>)
// CHECK-NEXT:    ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[ADD:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT:      %[[EXP:.*]] = math.exp %[[ADD]] : f32
// CHECK-NEXT:      %[[MUL:.*]] = arith.mulf %[[EXP]], %[[A]] : f32
// CHECK-NEXT:      linalg.yield %[[MUL]] : f32
// CHECK-NEXT:    } -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[G]]
func.func @fused_group(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = scf.execute_region -> tensor<4x8xf32> no_inline {
    %1 = "ember.add"(%a, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %2 = "ember.exp"(%1) : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %3 = "ember.mul"(%2, %a) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    scf.yield %3 : tensor<4x8xf32>
  } {ember.fused}
  return %0 : tensor<4x8xf32>
}

// A fused reduction: one generic with a reduction iterator over an init filled with the
// identity (-inf for max); the prologue runs in its body; keepdims expands the result.
// CHECK-LABEL: func.func @fused_reduction
// CHECK-NEXT:    %[[EMPTY:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:    %[[INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK-NEXT:    %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[IN]] : f32
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[ACC]], %[[E]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK-NEXT:    } -> tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor.expand_shape %[[G]] {{\[}}[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK-NEXT:    return %[[R]]
func.func @fused_reduction(%a: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %0 = scf.execute_region -> tensor<4x1xf32> no_inline {
    %1 = "ember.exp"(%a) : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %2 = "ember.reduce_max"(%1) {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
    scf.yield %2 : tensor<4x1xf32>
  } {ember.fused}
  return %0 : tensor<4x1xf32>
}

// A mean is a sum, then a scale by 1/count (1/6); reducing every axis gives a rank-0 tensor.
// CHECK-LABEL: func.func @reductions
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.fill ins(%[[ZERO]] : f32)
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK:           arith.addf
// CHECK:         linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<4xf32>)
// CHECK:           %[[SCALE:.*]] = arith.constant 0.166666672 : f32
// CHECK-NEXT:      arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]} ins(%arg0 : tensor<4x6xf32>) outs(%{{.*}} : tensor<f32>)
func.func @reductions(%a: tensor<4x6xf32>) -> (tensor<4xf32>, tensor<f32>) {
  %0 = "ember.reduce_mean"(%a) {axes = array<i64: 1>, keepdims = false} : (tensor<4x6xf32>) -> tensor<4xf32>
  %1 = "ember.reduce_sum"(%a) {axes = array<i64: 0, 1>, keepdims = false} : (tensor<4x6xf32>) -> tensor<f32>
  return %0, %1 : tensor<4xf32>, tensor<f32>
}

// Integer ops use integer arith: floor division that gives 0 where y == 0; min starts
// from the largest i32.
// CHECK-LABEL: func.func @integers
// CHECK:         %[[IS_ZERO:.*]] = arith.cmpi eq
// CHECK:         arith.floordivsi
// CHECK:         arith.select %[[IS_ZERO]]
// CHECK:         %[[MAX:.*]] = arith.constant 2147483647 : i32
// CHECK-NEXT:    linalg.fill ins(%[[MAX]] : i32)
// CHECK:         arith.minsi
func.func @integers(%a: tensor<4xi32>, %b: tensor<4xi32>, %c: tensor<4x3xi32>) -> (tensor<4xi32>, tensor<3xi32>) {
  %0 = "ember.div"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = "ember.reduce_min"(%c) {axes = array<i64: 0>, keepdims = false} : (tensor<4x3xi32>) -> tensor<3xi32>
  return %0, %1 : tensor<4xi32>, tensor<3xi32>
}

// compare, select and cast have scalar bodies too (cmpf, select, extf).
// CHECK-LABEL: func.func @compare_select_cast
// CHECK:         arith.cmpf olt
// CHECK:         linalg.yield %{{.*}} : i1
// CHECK:         arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:         arith.extf %{{.*}} : f32 to f64
func.func @compare_select_cast(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf64> {
  %0 = "ember.compare"(%a, %b) {predicate = "lt"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = "ember.select"(%0, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.cast"(%1) {dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
  return %2 : tensor<4xf64>
}

// A 2-D matmul is a generic over (m, k, n) into a zero-filled init: the innermost loop
// walks rows of the right operand and of the result (contiguous, vectorizable). It is
// marked `ember.contraction` for the CPU schedule (ember-tile-matmul).
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    %[[EMPTY:.*]] = tensor.empty() : tensor<4x2xf32>
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x2xf32>)
// CHECK-NEXT:    %[[MM:.*]] = linalg.generic {indexing_maps = [#[[MM_X]], #[[MM_Y]], #[[MM_OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x2xf32>) outs(%[[INIT]] : tensor<4x2xf32>)
// CHECK-SAME:      attrs = {ember.contraction}
// CHECK:         return %[[MM]]
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = "ember.matmul"(%a, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// A batched matmul is a generic over (batch, m, k, n); a missing batch dim is broadcast.
// CHECK-LABEL: func.func @batched_matmul
// CHECK:         linalg.generic {indexing_maps = [#[[BMM_X]], #[[BMM_Y]], #[[BMM_OUT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%arg0, %arg1 : tensor<2x4x8xf32>, tensor<8x3xf32>)
// CHECK:           %[[P:.*]] = arith.mulf
// CHECK-NEXT:      %[[S:.*]] = arith.addf %{{.*}}, %[[P]]
// CHECK-NEXT:      linalg.yield %[[S]]
func.func @batched_matmul(%a: tensor<2x4x8xf32>, %b: tensor<8x3xf32>) -> tensor<2x4x3xf32> {
  %0 = "ember.matmul"(%a, %b) : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// A transpose is a generic reading its input through the permutation (the CPU passes split
// and vectorize generics).
// CHECK-LABEL: func.func @transpose
// CHECK-NEXT:    %[[INIT:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-NEXT:    %[[T:.*]] = linalg.generic {indexing_maps = [#[[SWAP]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>) outs(%[[INIT]] : tensor<3x2xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
// CHECK:         return %[[T]]
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "ember.transpose"(%a) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// A reshape collapses to 1-D, then expands (row-major order).
// CHECK-LABEL: func.func @reshape
// CHECK-NEXT:    %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK-NEXT:    return %[[R]]
func.func @reshape(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "ember.reshape"(%a) {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func @broadcast_to
// CHECK:         linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
func.func @broadcast_to(%a: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "ember.broadcast_to"(%a) {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @slice
// CHECK-NEXT:    %[[S:.*]] = tensor.extract_slice %arg0[1, 0] [3, 2] [2, 3] : tensor<8x6xf32> to tensor<3x2xf32>
// CHECK-NEXT:    return %[[S]]
func.func @slice(%a: tensor<8x6xf32>) -> tensor<3x2xf32> {
  %0 = "ember.slice"(%a) {start = array<i64: 1, 0>, limit = array<i64: 7, 6>, stride = array<i64: 2, 3>} : (tensor<8x6xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// A concat inserts each operand into an empty tensor at its offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-NEXT:    %[[E:.*]] = tensor.empty() : tensor<2x7xf32>
// CHECK-NEXT:    %[[X:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x7xf32>
// CHECK-NEXT:    %[[Y:.*]] = tensor.insert_slice %arg1 into %[[X]][0, 3] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<2x7xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x7xf32> {
  %0 = "ember.concat"(%a, %b) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}
