// RUN: ember-opt %s --ember-fuse --ember-canonicalize --ember-to-linalg | filecheck %s

// Canonicalising after fusion folds members of a group into constants inside its region:
// ember-to-linalg moves them out in front and lowers what is left of the group.
// CHECK-LABEL: func.func @partly_folded
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK:         linalg.generic {{.*}} ins(%arg0, %[[ONE]] : tensor<4xf32>, tensor<4xf32>)
// CHECK:           arith.addf
// CHECK-NOT:     scf.execute_region
func.func @partly_folded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<0.0> : tensor<4xf32>
  %0 = "ember.exp"(%c) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.add"(%x, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// Every member folded: the group is replaced by the constant it yields.
// CHECK-LABEL: func.func @fully_folded
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    return %[[C]]
func.func @fully_folded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<0.0> : tensor<4xf32>
  %0 = "ember.exp"(%c) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.add"(%c, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
