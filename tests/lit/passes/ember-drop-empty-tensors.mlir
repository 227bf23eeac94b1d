// RUN: ember-opt %s --ember-drop-empty-tensors | filecheck %s

// An empty argument becomes a tensor.empty inside; an empty result leaves `return`.
// CHECK-LABEL: func.func @mixed(%arg0: tensor<2xf32>) -> tensor<3xf32>
// CHECK-NEXT:    %[[E:.*]] = tensor.empty() : tensor<0x3xf32>
// CHECK-NEXT:    %[[S:.*]] = "ember.reduce_sum"(%[[E]])
// CHECK:         return %[[S]] : tensor<3xf32>
func.func @mixed(%x: tensor<0x3xf32>, %y: tensor<2xf32>) -> (tensor<3xf32>, tensor<4x0xf32>) {
  %s = "ember.reduce_sum"(%x) {axes = array<i64: 0>, keepdims = false} : (tensor<0x3xf32>) -> tensor<3xf32>
  %e = tensor.empty() : tensor<4x0xf32>
  return %s, %e : tensor<3xf32>, tensor<4x0xf32>
}

// Nothing empty: unchanged.
// CHECK-LABEL: func.func @full(%arg0: tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT:    return %arg0
func.func @full(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
