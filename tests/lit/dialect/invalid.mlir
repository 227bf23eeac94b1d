// Invalid ember IR. MLIR's IRDL verifier rejects wrong operand, result and attribute kinds
// (at parse time); ember's verifier rejects shapes and dtypes its rules do not allow. Each
// error points at the op: FILE:LINE:COL. Inputs other than this file are given on stdin.

// The result type of the op below is wrong: ember's verifier, at this file's line.
// RUN: not ember-opt %s 2>&1 | filecheck %s --check-prefix=RESULT
// RESULT: invalid.mlir:[[# @LINE + 2]]:8: error: 'ember.add' op result type tensor<4x3xf32> does not match the inferred type tensor<3x4xf32>
func.func @result_shape(%x: tensor<3x4xf32>, %y: tensor<4xf32>) -> tensor<4x3xf32> {
  %0 = "ember.add"(%x, %y) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// Operand that is not a tensor: IRDL.
// RUN: echo 'func.func @f(%x: f32) { %0 = "ember.exp"(%x) : (f32) -> tensor<4xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=OPERAND
// OPERAND: <stdin>:1:30: error: expected base type 'builtin.tensor' but got 'builtin.f32'

// Result that is not a tensor: IRDL.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.exp"(%x) : (tensor<4xf32>) -> f32 return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=RESULT-KIND
// RESULT-KIND: <stdin>:1:40: error: expected base type 'builtin.tensor' but got 'builtin.f32'

// Attribute of the wrong kind: IRDL.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.reduce_sum"(%x) {axes = 0 : i64, keepdims = false} : (tensor<4xf32>) -> tensor<f32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=ATTR-KIND
// ATTR-KIND: <stdin>:1:40: error: expected base attribute 'builtin.dense_array' but got 'builtin.integer'

// Missing attribute: IRDL.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.reduce_sum"(%x) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=ATTR-MISSING
// ATTR-MISSING: <stdin>:1:40: error: 'ember.reduce_sum' op attribute "keepdims" is expected but not provided

// Wrong number of operands: IRDL.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.add"(%x) : (tensor<4xf32>) -> tensor<4xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=ARITY
// ARITY: <stdin>:1:40: error: op expects exactly 2 operands, but got 1

// Shapes that do not broadcast: ember's verifier.
// RUN: echo 'func.func @f(%x: tensor<4xf32>, %y: tensor<3xf32>) { %0 = "ember.add"(%x, %y) : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=BROADCAST
// BROADCAST: <stdin>:1:59: error: 'ember.add' op add: shapes (4,) and (3,) cannot be broadcast together

// Element type the op does not accept: ember's verifier.
// RUN: echo 'func.func @f(%x: tensor<4xi32>) { %0 = "ember.exp"(%x) : (tensor<4xi32>) -> tensor<4xi32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=DTYPE
// DTYPE: <stdin>:1:40: error: 'ember.exp' op exp: expected floating-point tensors, received int32

// Result dtype that differs from the inferred one: ember's verifier.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.neg"(%x) : (tensor<4xf32>) -> tensor<4xf64> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=RESULT-DTYPE
// RESULT-DTYPE: <stdin>:1:40: error: 'ember.neg' op result type tensor<4xf64> does not match the inferred type tensor<4xf32>

// Dynamic shapes: ember's verifier.
// RUN: echo 'func.func @f(%x: tensor<?xf32>) { %0 = "ember.exp"(%x) : (tensor<?xf32>) -> tensor<?xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=DYNAMIC
// DYNAMIC: <stdin>:1:40: error: 'ember.exp' op expected a tensor with a static shape, received tensor<?xf32>

// Attribute values the op's rule rejects: ember's verifier.
// RUN: echo 'func.func @f(%x: tensor<2x3xf32>) { %0 = "ember.transpose"(%x) {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=PERM
// PERM: <stdin>:1:42: error: 'ember.transpose' op transpose: perm must be a permutation of range(2), received [0, 0]
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.compare"(%x, %x) {predicate = "lte"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=PREDICATE
// PREDICATE: <stdin>:1:40: error: 'ember.compare' op compare: predicate must be one of eq, ne, lt, le, gt, ge, received 'lte'
// RUN: echo 'func.func @f(%x: tensor<2x3xf32>) { %0 = "ember.reshape"(%x) {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=RESHAPE
// RESHAPE: <stdin>:1:42: error: 'ember.reshape' op reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4, 2)
// RUN: echo 'func.func @f(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>) { %0 = "ember.matmul"(%x, %y) : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=MATMUL
// MATMUL: <stdin>:1:63: error: 'ember.matmul' op matmul: contraction dimensions differ: shapes (2, 3) and (4, 3) (3 != 4)
