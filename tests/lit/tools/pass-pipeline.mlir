// --pass-pipeline mixes ember passes with upstream MLIR ones in one PassManager.
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-canonicalize, ember-fuse, ember-to-linalg, func.func(cse, canonicalize))' \
// RUN:   | filecheck %s --check-prefix=LINALG
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-canonicalize, cse)' | filecheck %s --check-prefix=CSE
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-canonicalize, ember-fuse, ember-to-linalg, canonicalize, cse, ember-bufferize, ember-lower-cpu)' \
// RUN:   | filecheck %s --check-prefix=LLVM
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-fuse, func.func(cse), ember-to-linalg)' --print-ir-after-all 2>&1 >/dev/null \
// RUN:   | filecheck %s --check-prefix=ORDER

// A pipeline of ember passes is the same as their flags; `builtin.module(...)` is optional.
// RUN: ember-opt %s --ember-canonicalize --ember-fuse > %t.flags
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-canonicalize, ember-fuse)' > %t.pipeline
// RUN: ember-opt %s --pass-pipeline='ember-canonicalize,ember-fuse' > %t.bare
// RUN: diff %t.flags %t.pipeline
// RUN: diff %t.flags %t.bare

// ember ops are not `Pure` to MLIR (IRDL gives them no traits), so upstream cse keeps
// the two exps that ember-canonicalize makes identical (it drops x * 1). ember-fuse puts
// them in one group and, after ember-to-linalg, cse merges them inside its linalg.generic.
// CSE-LABEL: func.func @dup
// CSE-COUNT-2: "ember.exp"(%arg0)
// LINALG-LABEL: func.func @dup
// LINALG-NOT:     ember.
// LINALG:         %[[G:.*]] = linalg.generic
// LINALG-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// LINALG-NEXT:      %[[E:.*]] = math.exp %[[IN]] : f32
// LINALG-NEXT:      %[[S:.*]] = arith.addf %[[E]], %[[E]] : f32
// LINALG-NEXT:      linalg.yield %[[S]] : f32
// LINALG-NEXT:    } -> tensor<4xf32>
// LINALG-NEXT:    return %[[G]]
// LINALG-NOT:     linalg.generic
// LLVM:       llvm.func @dup(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
// LLVM-COUNT-1: llvm.intr.exp
// LLVM-NOT:   llvm.intr.exp
func.func @dup(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %0 = "ember.mul"(%x, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "ember.add"(%1, %2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// Passes run in the order given, ember and upstream alike (nested ones too).
// ORDER:      IR Dump After ember-fuse (ember-fuse)
// ORDER-NEXT: module {
// ORDER:      IR Dump After CSE (cse)
// ORDER:      IR Dump After ember-to-linalg (ember-to-linalg)
// ORDER-NOT:  IR Dump After
