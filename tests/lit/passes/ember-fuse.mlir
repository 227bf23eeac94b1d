// RUN: ember-opt %s --ember-fuse | filecheck %s

// A chain of four elementwise ops becomes exactly one fused group, the ops in order.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[G:.*]] = scf.execute_region -> tensor<4x8xf32> no_inline {
// CHECK-NEXT:      %[[ADD:.*]] = "ember.add"(%arg0, %arg1)
// CHECK-NEXT:      %[[EXP:.*]] = "ember.exp"(%[[ADD]])
// CHECK-NEXT:      %[[MUL:.*]] = "ember.mul"(%[[EXP]], %arg0)
// CHECK-NEXT:      %[[TANH:.*]] = "ember.tanh"(%[[MUL]])
// CHECK-NEXT:      scf.yield %[[TANH]] : tensor<4x8xf32>
// CHECK-NEXT:    } {ember.fused}
// CHECK-NEXT:    return %[[G]] : tensor<4x8xf32>
// CHECK-NOT:   scf.execute_region
func.func @chain(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "ember.add"(%a, %b) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = "ember.exp"(%0) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = "ember.mul"(%1, %a) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = "ember.tanh"(%2) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// Elementwise producers of a reduction join it: the reduction is the group's root.
// CHECK-LABEL: func.func @reduce_prologue
// CHECK-NEXT:    %[[G:.*]] = scf.execute_region -> tensor<4xf32> no_inline {
// CHECK-NEXT:      %[[EXP:.*]] = "ember.exp"(%arg0)
// CHECK-NEXT:      %[[NEG:.*]] = "ember.neg"(%[[EXP]])
// CHECK-NEXT:      %[[SUM:.*]] = "ember.reduce_sum"(%[[NEG]]) {axes = array<i64: 1>, keepdims = false}
// CHECK-NEXT:      scf.yield %[[SUM]] : tensor<4xf32>
// CHECK-NEXT:    } {ember.fused}
// CHECK-NEXT:    return %[[G]] : tensor<4xf32>
func.func @reduce_prologue(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%a) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = "ember.neg"(%0) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = "ember.reduce_sum"(%1) {axes = array<i64: 1>, keepdims = false} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// A producer with uses outside the group stays outside (it would be computed twice):
// %0 feeds both the neg chain and the sin chain, so each chain is fused without it.
// CHECK-LABEL: func.func @multi_use
// CHECK-NEXT:    %[[EXP:.*]] = "ember.exp"(%arg0)
// CHECK-NEXT:    %[[G1:.*]] = scf.execute_region
// CHECK-NEXT:      %[[NEG:.*]] = "ember.neg"(%[[EXP]])
// CHECK-NEXT:      %[[ABS:.*]] = "ember.abs"(%[[NEG]])
// CHECK-NEXT:      scf.yield %[[ABS]]
// CHECK-NEXT:    } {ember.fused}
// CHECK-NEXT:    %[[G2:.*]] = scf.execute_region
// CHECK-NEXT:      %[[SIN:.*]] = "ember.sin"(%[[EXP]])
// CHECK-NEXT:      %[[COS:.*]] = "ember.cos"(%[[SIN]])
// CHECK-NEXT:      scf.yield %[[COS]]
// CHECK-NEXT:    } {ember.fused}
// CHECK-NEXT:    return %[[G1]], %[[G2]]
func.func @multi_use(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "ember.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.abs"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "ember.sin"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %4 = "ember.cos"(%3) : (tensor<4xf32>) -> tensor<4xf32>
  return %2, %4 : tensor<4xf32>, tensor<4xf32>
}

// A cheap producer (sub) that reads one tensor of its size, read by two groups: copied
// into each, as layernorm's x - mean (it costs less than a tensor written and read back).
// CHECK-LABEL: func.func @cheap_copied
// CHECK-NEXT:    %[[MEAN:.*]] = "ember.reduce_mean"(%arg0)
// CHECK-NEXT:    %[[VAR:.*]] = scf.execute_region
// CHECK-NEXT:      %[[C1:.*]] = "ember.sub"(%arg0, %[[MEAN]])
// CHECK-NEXT:      %[[SQ:.*]] = "ember.mul"(%[[C1]], %[[C1]])
// CHECK-NEXT:      "ember.reduce_mean"(%[[SQ]])
// CHECK:         scf.execute_region
// CHECK-NEXT:      %[[C2:.*]] = "ember.sub"(%arg0, %[[MEAN]])
// CHECK-NEXT:      "ember.mul"(%[[C2]], %[[VAR]])
// CHECK-NOT:     ember.sub
// CHECK:         return
func.func @cheap_copied(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = "ember.reduce_mean"(%a) {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %c = "ember.sub"(%a, %m) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = "ember.mul"(%c, %c) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %v = "ember.reduce_mean"(%sq) {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %y = "ember.mul"(%c, %v) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// Not copied: a cheap op that reads two tensors of its size (each copy would read both),
// and one that a matmul reads (it is stored anyway).
// CHECK-LABEL: func.func @cheap_kept
// CHECK-NEXT:    %[[P:.*]] = "ember.mul"(%arg0, %arg1)
// CHECK-NEXT:    %[[S:.*]] = "ember.sub"(%arg0, %arg2)
// CHECK-COUNT-2: "ember.mul"(%[[P]]
// CHECK:         "ember.matmul"(%[[S]]
// CHECK:         "ember.neg"(%[[S]])
func.func @cheap_kept(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %c: tensor<4x1xf32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %p = "ember.mul"(%a, %b) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = "ember.sub"(%a, %c) : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x4xf32>
  %1 = "ember.mul"(%p, %p) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %2 = "ember.mul"(%p, %a) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %3 = "ember.matmul"(%s, %b) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %4 = "ember.neg"(%s) : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %1, %2, %3, %4 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// A value used twice by the same group is still fused: all its uses are inside.
// CHECK-LABEL: func.func @diamond
// CHECK-NEXT:    scf.execute_region
// CHECK-NEXT:      %[[EXP:.*]] = "ember.exp"(%arg0)
// CHECK-NEXT:      %[[SIN:.*]] = "ember.sin"(%[[EXP]])
// CHECK-NEXT:      %[[MUL:.*]] = "ember.mul"(%[[SIN]], %[[EXP]])
// CHECK-NEXT:      scf.yield %[[MUL]]
// CHECK-NEXT:    } {ember.fused}
func.func @diamond(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.sin"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.mul"(%1, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// A matmul is neither elementwise nor a reduction: it stays outside, splitting the
// elementwise ops before and after it; the lone relu is no group.
// CHECK-LABEL: func.func @matmul_outside
// CHECK-NEXT:    %[[RELU:.*]] = "ember.relu"(%arg0)
// CHECK-NEXT:    %[[MM:.*]] = "ember.matmul"(%[[RELU]], %arg1)
// CHECK-NEXT:    %[[G:.*]] = scf.execute_region -> tensor<4x2xf32> no_inline {
// CHECK-NEXT:      %[[EXP:.*]] = "ember.exp"(%[[MM]])
// CHECK-NEXT:      %[[NEG:.*]] = "ember.neg"(%[[EXP]])
// CHECK-NEXT:      scf.yield %[[NEG]]
// CHECK-NEXT:    } {ember.fused}
// CHECK-NEXT:    return %[[G]]
func.func @matmul_outside(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = "ember.relu"(%a) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = "ember.matmul"(%0, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %2 = "ember.exp"(%1) : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %3 = "ember.neg"(%2) : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %3 : tensor<4x2xf32>
}

// A producer of another shape (broadcast into the consumer) is not fused, nor is a
// reduction's result fused into its elementwise consumer.
// CHECK-LABEL: func.func @shapes_differ
// CHECK-NEXT:    %[[EXP:.*]] = "ember.exp"(%arg0) : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:    %[[SUM:.*]] = "ember.reduce_sum"(%arg1)
// CHECK-NEXT:    %[[G:.*]] = scf.execute_region -> tensor<4x8xf32>
// CHECK-NEXT:      %[[ADD:.*]] = "ember.add"(%arg1, %[[EXP]])
// CHECK-NEXT:      %[[SUB:.*]] = "ember.sub"(%[[ADD]], %[[SUM]])
// CHECK-NEXT:      scf.yield %[[SUB]]
// CHECK-NEXT:    } {ember.fused}
func.func @shapes_differ(%v: tensor<8xf32>, %m: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "ember.exp"(%v) : (tensor<8xf32>) -> tensor<8xf32>
  %1 = "ember.reduce_sum"(%m) {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %2 = "ember.add"(%m, %0) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = "ember.sub"(%2, %1) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// Nothing to fuse: a lone elementwise op is left as it is.
// CHECK-LABEL: func.func @single
// CHECK-NOT:     scf.execute_region
// CHECK:         "ember.exp"(%arg0)
// CHECK-NEXT:    return
func.func @single(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
