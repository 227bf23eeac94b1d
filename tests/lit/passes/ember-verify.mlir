// ember-verify checks every ember op (MLIR's verifier, then each op's shape and dtype rule)
// and changes nothing. It also sees ops inside fused regions, and skips other dialects.
// RUN: ember-opt %s --ember-verify | filecheck %s
// RUN: ember-opt %s --ember-fuse --ember-verify | filecheck %s --check-prefix=FUSED
// RUN: ember-opt %s --ember-to-linalg --ember-verify | filecheck %s --check-prefix=LINALG
// RUN: ember-opt %s --ember-verify --print-ir-after-all 2>&1 >/dev/null | filecheck %s --check-prefix=RAN

// RAN: IR Dump After ember-verify

// CHECK-LABEL: func.func @ops
// CHECK-NEXT:    %[[A:.*]] = "ember.add"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %[[E:.*]] = "ember.exp"(%[[A]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %[[S:.*]] = "ember.reduce_sum"(%[[E]]) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NEXT:    %[[M:.*]] = "ember.matmul"(%arg0, %arg2) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:    return %[[S]], %[[M]]

// FUSED-LABEL: func.func @ops
// FUSED:         scf.execute_region
// FUSED:           "ember.reduce_sum"
// FUSED:         } {ember.fused}

// LINALG-LABEL: func.func @ops
// LINALG-NOT:    ember.
// LINALG:        iterator_types = ["parallel", "reduction", "parallel"]
func.func @ops(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %w: tensor<3x4xf32>) -> (tensor<2xf32>, tensor<2x4xf32>) {
  %0 = "ember.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "ember.exp"(%0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "ember.reduce_sum"(%1) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %3 = "ember.matmul"(%x, %w) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %2, %3 : tensor<2xf32>, tensor<2x4xf32>
}

// Invalid ops are reported at their line (here caught when the input is read; the
// `invalid.mlir` test lists the rules).
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.sum" (%x) : (tensor<4xf32>) -> tensor<f32> return }' \
// RUN:   | not ember-opt --ember-verify 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: <stdin>:1:40: error: unregistered operation 'ember.sum' found in dialect ('ember') that does not allow unknown operations
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.reduce_sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<4xf32>) -> tensor<f32> return }' \
// RUN:   | not ember-opt --ember-verify 2>&1 | filecheck %s --check-prefix=AXES
// AXES: <stdin>:1:40: error: 'ember.reduce_sum' op reduce_sum: axes must be sorted, distinct and within [0, 1), received [1] for shape (4,)
