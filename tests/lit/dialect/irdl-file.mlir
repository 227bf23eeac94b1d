// dialects/ember.irdl.mlir is the dialect as `ember-opt --print-dialect` prints it; if this
// fails, regenerate it: `ember-opt --print-dialect > dialects/ember.irdl.mlir`.
// RUN: ember-opt --print-dialect | diff - %S/../../../dialects/ember.irdl.mlir
// RUN: ember-opt --print-dialect | filecheck %s

// CHECK: irdl.dialect @ember {
// CHECK: irdl.operation @add {
// CHECK-NEXT: %x = irdl.base "!builtin.tensor"
// CHECK-NEXT: %y = irdl.base "!builtin.tensor"
// CHECK-NEXT: %result = irdl.base "!builtin.tensor"
// CHECK-NEXT: irdl.operands(x: %x, y: %y)
// CHECK-NEXT: irdl.results(result: %result)
// CHECK: irdl.operation @reduce_sum {
// CHECK: irdl.attributes {"axes" = %attr_axes, "keepdims" = %attr_keepdims}
