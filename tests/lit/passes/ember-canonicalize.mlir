// RUN: ember-opt %s --ember-canonicalize | filecheck %s

// Ops on constants are folded with their NumPy kernels; the constants they used are gone.
// CHECK-LABEL: func.func @fold
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<[1.600000e+01, 2.500000e+01]> : tensor<2xf32>
// CHECK-NEXT:    return %[[C]]
func.func @fold() -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = arith.constant dense<3.0> : tensor<2xf32>
  %0 = "ember.add"(%c, %d) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = "ember.mul"(%0, %0) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// Folding follows each op's own rule: integer division floors (and gives 0 for x / 0),
// float to int casts truncate, reductions and transposes fold too.
// CHECK-LABEL: func.func @fold_rules
// CHECK-DAG:     %[[DIV:.*]] = arith.constant dense<[3, -4, 0]> : tensor<3xi32>
// CHECK-DAG:     %[[CAST:.*]] = arith.constant dense<[1, -2, 3]> : tensor<3xi32>
// CHECK-DAG:     %[[SUM:.*]] = arith.constant dense<[3.000000e+00, 7.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[T:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT:     ember.
// CHECK:         return %[[DIV]], %[[CAST]], %[[SUM]], %[[T]]
func.func @fold_rules() -> (tensor<3xi32>, tensor<3xi32>, tensor<2xf32>, tensor<2x2xf32>) {
  %i = arith.constant dense<[7, -7, 5]> : tensor<3xi32>
  %j = arith.constant dense<[2, 2, 0]> : tensor<3xi32>
  %0 = "ember.div"(%i, %j) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %f = arith.constant dense<[1.5, -2.5, 3.9]> : tensor<3xf32>
  %1 = "ember.cast"(%f) {dtype = i32} : (tensor<3xf32>) -> tensor<3xi32>
  %m = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %2 = "ember.reduce_sum"(%m) {axes = array<i64: 1>, keepdims = false} : (tensor<2x2xf32>) -> tensor<2xf32>
  %3 = "ember.transpose"(%m) {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1, %2, %3 : tensor<3xi32>, tensor<3xi32>, tensor<2xf32>, tensor<2x2xf32>
}

// Bool constants fold as well (compare, logical_not, select).
// CHECK-LABEL: func.func @fold_bool
// CHECK-DAG:     %[[LT:.*]] = arith.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG:     %[[NOT:.*]] = arith.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG:     %[[SEL:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-NOT:     ember.
// CHECK:         return %[[LT]], %[[NOT]], %[[SEL]]
func.func @fold_bool() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xf32>) {
  %c = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %d = arith.constant dense<2.0> : tensor<3xf32>
  %0 = "ember.compare"(%c, %d) {predicate = "lt"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %1 = "ember.logical_not"(%0) : (tensor<3xi1>) -> tensor<3xi1>
  %2 = "ember.select"(%1, %d, %c) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2 : tensor<3xi1>, tensor<3xi1>, tensor<3xf32>
}

// x * 1 -> x, from either side.
// CHECK-LABEL: func.func @mul_one
// CHECK-NEXT:    return %arg0, %arg0 : tensor<2x3xf32>, tensor<2x3xf32>
func.func @mul_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = arith.constant dense<1.0> : tensor<2x3xf32>
  %0 = "ember.mul"(%x, %one) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "ember.mul"(%one, %x) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// x + -0.0 -> x, also with a broadcast (rank-0) zero; x - 0 -> x, x / 1 -> x.
// CHECK-LABEL: func.func @add_zero
// CHECK-NEXT:    return %arg0, %arg0, %arg0 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
func.func @add_zero(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %negzero = arith.constant dense<-0.0> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = "ember.add"(%negzero, %x) : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "ember.sub"(%x, %zero) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %2 = "ember.div"(%x, %one) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// Float x + 0.0 is kept (-0.0 + 0.0 is +0.0, not x); integer x + 0 is x.
// CHECK-LABEL: func.func @add_positive_zero
// CHECK:         %[[S:.*]] = "ember.add"(%arg0, %{{.*}}) : (tensor<3xf32>, tensor<3xf32>)
// CHECK-NEXT:    return %[[S]], %arg1 : tensor<3xf32>, tensor<3xi32>
func.func @add_positive_zero(%x: tensor<3xf32>, %i: tensor<3xi32>) -> (tensor<3xf32>, tensor<3xi32>) {
  %zero = arith.constant dense<0.0> : tensor<3xf32>
  %izero = arith.constant dense<0> : tensor<3xi32>
  %0 = "ember.add"(%x, %zero) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = "ember.add"(%izero, %i) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0, %1 : tensor<3xf32>, tensor<3xi32>
}

// Not simplified: x + 0 where x is broadcast by the add (the result is not x), and 0 - x.
// CHECK-LABEL: func.func @identity_kept
// CHECK-NEXT:    %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK-NEXT:    %[[ADD:.*]] = "ember.add"(%arg0, %[[Z]]) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %[[SUB:.*]] = "ember.sub"(%[[Z]], %[[ADD]])
// CHECK-NEXT:    return %[[SUB]]
func.func @identity_kept(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %zero = arith.constant dense<0.0> : tensor<2x3xf32>
  %0 = "ember.add"(%x, %zero) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "ember.sub"(%zero, %0) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// transpose(transpose(x)) with inverse perms -> x.
// CHECK-LABEL: func.func @transpose_identity
// CHECK-NOT:     ember.transpose
// CHECK:         return %arg0 : tensor<2x3xf32>
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "ember.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = "ember.transpose"(%0) {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// transpose(transpose(x)) otherwise -> one transpose by the composed perm; and a
// transpose by the identity perm -> x.
// CHECK-LABEL: func.func @transpose_compose
// CHECK-NEXT:    %[[T:.*]] = "ember.transpose"(%arg0) {perm = array<i64: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK-NEXT:    return %[[T]], %arg0
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> (tensor<4x3x2xf32>, tensor<2x3x4xf32>) {
  %0 = "ember.transpose"(%x) {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = "ember.transpose"(%0) {perm = array<i64: 1, 0, 2>} : (tensor<3x4x2xf32>) -> tensor<4x3x2xf32>
  %2 = "ember.transpose"(%x) {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %1, %2 : tensor<4x3x2xf32>, tensor<2x3x4xf32>
}

// reshape(reshape(x)) -> one reshape; a reshape to the same shape -> x.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK-NEXT:    %[[R:.*]] = "ember.reshape"(%arg0) {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT:    return %[[R]], %arg0
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>) {
  %0 = "ember.reshape"(%x) {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = "ember.reshape"(%0) {shape = array<i64: 4, 6>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %2 = "ember.reshape"(%x) {shape = array<i64: 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %1, %2 : tensor<4x6xf32>, tensor<2x3x4xf32>
}

// neg(neg(x)) -> x; a cast to the operand's own type -> x.
// CHECK-LABEL: func.func @involutions
// CHECK-NEXT:    return %arg0, %arg0
func.func @involutions(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "ember.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.cast"(%x) {dtype = f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// Ops whose results are unused are removed, whole chains of them, and unused constants.
// CHECK-LABEL: func.func @dead
// CHECK-NEXT:    %[[N:.*]] = "ember.neg"(%arg0)
// CHECK-NEXT:    return %[[N]]
func.func @dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<2.0> : tensor<4xf32>
  %0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.log"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.mul"(%1, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = "ember.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// Ops on arguments are not changed.
// CHECK-LABEL: func.func @unchanged
// CHECK-NEXT:    %[[E:.*]] = "ember.exp"(%arg0)
// CHECK-NEXT:    %[[M:.*]] = "ember.mul"(%[[E]], %arg1)
// CHECK-NEXT:    return %[[M]]
func.func @unchanged(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.mul"(%0, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
