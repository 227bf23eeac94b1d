// Every ember op parses, verifies and prints back to IR that parses again. The last RUN
// line fails when the dialect has an op that this file does not use.
// RUN: ember-opt %s | ember-opt | filecheck %s
// RUN: ember-opt %s --mlir-print-debuginfo | ember-opt | filecheck %s
// RUN: ember-opt --print-dialect | %python -c "import re, sys; \
// RUN:   ops = re.findall(r'irdl.operation @([a-z_0-9]+)', sys.stdin.read()); \
// RUN:   text = open(sys.argv[1]).read(); \
// RUN:   missing = [op for op in ops if 'ember.' + op + chr(34) not in text]; \
// RUN:   sys.exit(('ops not in roundtrip.mlir: ' + ', '.join(missing)) if missing else None)" %s

// CHECK-LABEL: func.func @unary
// CHECK-NEXT: "ember.abs"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.ceil"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.cos"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.erf"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.exp"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.expm1"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.floor"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.gelu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.log"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.log1p"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.neg"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.relu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.rsqrt"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.sigmoid"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.sign"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.sin"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.sqrt"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.tanh"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return
func.func @unary(%x: tensor<2x3xf32>) {
  %0 = "ember.abs"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "ember.ceil"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "ember.cos"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "ember.erf"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = "ember.exp"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = "ember.expm1"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = "ember.floor"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = "ember.gelu"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = "ember.log"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = "ember.log1p"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = "ember.neg"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %11 = "ember.relu"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %12 = "ember.rsqrt"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %13 = "ember.sigmoid"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = "ember.sign"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %15 = "ember.sin"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %16 = "ember.sqrt"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %17 = "ember.tanh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// Binary ops broadcast like NumPy: (2x3, 3) -> 2x3.
// CHECK-LABEL: func.func @binary
// CHECK-NEXT: "ember.add"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.sub"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.mul"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.div"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.pow"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.maximum"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.minimum"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.rem"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.div"(%arg2, %arg2) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: return
func.func @binary(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<4xi32>) {
  %0 = "ember.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "ember.sub"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = "ember.mul"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = "ember.div"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = "ember.pow"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = "ember.maximum"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = "ember.minimum"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = "ember.rem"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %8 = "ember.div"(%i, %i) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @logical
// CHECK-NEXT: %[[LT:.*]] = "ember.compare"(%arg0, %arg1) {predicate = "lt"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT: %[[GE:.*]] = "ember.compare"(%arg0, %arg1) {predicate = "ge"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT: %[[AND:.*]] = "ember.logical_and"(%[[LT]], %[[GE]]) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[OR:.*]] = "ember.logical_or"(%[[LT]], %[[AND]]) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[NOT:.*]] = "ember.logical_not"(%[[OR]]) : (tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: "ember.select"(%[[NOT]], %arg0, %arg1) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: "ember.cast"(%arg0) {dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
// CHECK-NEXT: "ember.cast"(%arg0) {dtype = i32} : (tensor<4xf32>) -> tensor<4xi32>
// CHECK-NEXT: "ember.cast"(%[[NOT]]) {dtype = f32} : (tensor<4xi1>) -> tensor<4xf32>
// CHECK-NEXT: return
func.func @logical(%x: tensor<4xf32>, %y: tensor<4xf32>) {
  %0 = "ember.compare"(%x, %y) {predicate = "lt"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = "ember.compare"(%x, %y) {predicate = "ge"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = "ember.logical_and"(%0, %1) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = "ember.logical_or"(%0, %2) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %4 = "ember.logical_not"(%3) : (tensor<4xi1>) -> tensor<4xi1>
  %5 = "ember.select"(%4, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %6 = "ember.cast"(%x) {dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
  %7 = "ember.cast"(%x) {dtype = i32} : (tensor<4xf32>) -> tensor<4xi32>
  %8 = "ember.cast"(%4) {dtype = f32} : (tensor<4xi1>) -> tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @reductions
// CHECK-NEXT: "ember.reduce_sum"(%arg0) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: "ember.reduce_mean"(%arg0) {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
// CHECK-NEXT: "ember.reduce_max"(%arg0) {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
// CHECK-NEXT: "ember.reduce_min"(%arg0) {axes = array<i64: 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
// CHECK-NEXT: return
func.func @reductions(%x: tensor<2x3x4xf32>) {
  %0 = "ember.reduce_sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %1 = "ember.reduce_mean"(%x) {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  %2 = "ember.reduce_max"(%x) {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  %3 = "ember.reduce_min"(%x) {axes = array<i64: 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  return
}

// CHECK-LABEL: func.func @structured
// CHECK-NEXT: "ember.matmul"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: "ember.matmul"(%arg2, %arg1) : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
// CHECK-NEXT: "ember.transpose"(%arg0) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: "ember.reshape"(%arg0) {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: "ember.broadcast_to"(%arg0) {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: "ember.concat"(%arg0, %arg0) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK-NEXT: "ember.slice"(%arg2) {limit = array<i64: 4, 2, 3>, start = array<i64: 1, 0, 0>, stride = array<i64: 2, 1, 2>} : (tensor<4x2x3xf32>) -> tensor<2x2x2xf32>
// CHECK-NEXT: "ember.pad"(%arg0) {high = array<i64: 0, 2>, interior = array<i64: 1, 0>, low = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
// CHECK-NEXT: return
func.func @structured(%x: tensor<2x3xf32>, %w: tensor<3x5xf32>, %b: tensor<4x2x3xf32>) {
  %0 = "ember.matmul"(%x, %w) : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  %1 = "ember.matmul"(%b, %w) : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
  %2 = "ember.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %3 = "ember.reshape"(%x) {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %4 = "ember.broadcast_to"(%x) {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
  %5 = "ember.concat"(%x, %x) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  %6 = "ember.slice"(%b) {start = array<i64: 1, 0, 0>, limit = array<i64: 4, 2, 3>, stride = array<i64: 2, 1, 2>} : (tensor<4x2x3xf32>) -> tensor<2x2x2xf32>
  %7 = "ember.pad"(%x) {low = array<i64: 1, 0>, high = array<i64: 0, 2>, interior = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  return
}

// Convolution and pooling (NHWC, HWIO filters) and their gradient ops.
// CHECK-LABEL: func.func @nn
// CHECK-NEXT: "ember.conv2d"(%arg0, %arg1) {dilations = array<i64: 1, 2>, padding = array<i64: 1, 1, 0, 1>, strides = array<i64: 2, 1>} : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x4x5x4xf32>
// CHECK-NEXT: "ember.conv2d_backprop_input"(%arg2, %arg1) {dilations = array<i64: 1, 2>, input_shape = array<i64: 2, 7, 6, 3>, padding = array<i64: 1, 1, 0, 1>, strides = array<i64: 2, 1>} : (tensor<2x4x5x4xf32>, tensor<3x2x3x4xf32>) -> tensor<2x7x6x3xf32>
// CHECK-NEXT: "ember.conv2d_backprop_filter"(%arg0, %arg2) {dilations = array<i64: 1, 2>, filter_shape = array<i64: 3, 2, 3, 4>, padding = array<i64: 1, 1, 0, 1>, strides = array<i64: 2, 1>} : (tensor<2x7x6x3xf32>, tensor<2x4x5x4xf32>) -> tensor<3x2x3x4xf32>
// CHECK-NEXT: "ember.max_pool2d"(%arg0) {ksize = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x7x6x3xf32>) -> tensor<2x4x3x3xf32>
// CHECK-NEXT: "ember.max_pool2d_grad"(%arg0, %arg3) {ksize = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x7x6x3xf32>, tensor<2x4x3x3xf32>) -> tensor<2x7x6x3xf32>
// CHECK-NEXT: "ember.avg_pool2d"(%arg0) {ksize = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x7x6x3xf32>) -> tensor<2x4x3x3xf32>
// CHECK-NEXT: "ember.avg_pool2d_grad"(%arg3) {input_shape = array<i64: 2, 7, 6, 3>, ksize = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x3x3xf32>) -> tensor<2x7x6x3xf32>
// CHECK-NEXT: return
func.func @nn(%x: tensor<2x7x6x3xf32>, %w: tensor<3x2x3x4xf32>, %g: tensor<2x4x5x4xf32>, %p: tensor<2x4x3x3xf32>) {
  %0 = "ember.conv2d"(%x, %w) {strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, padding = array<i64: 1, 1, 0, 1>} : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x4x5x4xf32>
  %1 = "ember.conv2d_backprop_input"(%g, %w) {input_shape = array<i64: 2, 7, 6, 3>, strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, padding = array<i64: 1, 1, 0, 1>} : (tensor<2x4x5x4xf32>, tensor<3x2x3x4xf32>) -> tensor<2x7x6x3xf32>
  %2 = "ember.conv2d_backprop_filter"(%x, %g) {filter_shape = array<i64: 3, 2, 3, 4>, strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, padding = array<i64: 1, 1, 0, 1>} : (tensor<2x7x6x3xf32>, tensor<2x4x5x4xf32>) -> tensor<3x2x3x4xf32>
  %3 = "ember.max_pool2d"(%x) {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x7x6x3xf32>) -> tensor<2x4x3x3xf32>
  %4 = "ember.max_pool2d_grad"(%x, %p) {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x7x6x3xf32>, tensor<2x4x3x3xf32>) -> tensor<2x7x6x3xf32>
  %5 = "ember.avg_pool2d"(%x) {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x7x6x3xf32>) -> tensor<2x4x3x3xf32>
  %6 = "ember.avg_pool2d_grad"(%p) {input_shape = array<i64: 2, 7, 6, 3>, ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x3x3xf32>) -> tensor<2x7x6x3xf32>
  return
}

// iota has no operands; gather/scatter_add take int32 or int64 indices.
// CHECK-LABEL: func.func @indexing_and_random
// CHECK-NEXT: "ember.iota"() {axis = 1 : i64, dtype = i64, shape = array<i64: 2, 3>} : () -> tensor<2x3xi64>
// CHECK-NEXT: "ember.gather"(%arg0, %arg1) {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
// CHECK-NEXT: "ember.scatter_add"(%arg2, %arg1) {axis = 0 : i64, shape = array<i64: 4, 3>} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<4x3xf32>
// CHECK-NEXT: "ember.random_bits"(%arg3) {shape = array<i64: 3, 4>} : (tensor<2xi32>) -> tensor<3x4xi32>
// CHECK-NEXT: return
func.func @indexing_and_random(%params: tensor<4x3xf32>, %i: tensor<2xi32>, %u: tensor<2x3xf32>, %key: tensor<2xi32>) {
  %0 = "ember.iota"() {shape = array<i64: 2, 3>, axis = 1 : i64, dtype = i64} : () -> tensor<2x3xi64>
  %1 = "ember.gather"(%params, %i) {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  %2 = "ember.scatter_add"(%u, %i) {shape = array<i64: 4, 3>, axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<4x3xf32>
  %3 = "ember.random_bits"(%key) {shape = array<i64: 3, 4>} : (tensor<2xi32>) -> tensor<3x4xi32>
  return
}
