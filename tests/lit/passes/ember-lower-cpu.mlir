// RUN: ember-opt %s --ember-bufferize --ember-lower-cpu | filecheck %s
// RUN: ember-opt %s --ember-bufferize --ember-lower-cpu | filecheck %s --check-prefix=GONE

// Everything is in the LLVM dialect afterwards.
// GONE:     module
// GONE-NOT: func.func
// GONE-NOT: linalg.
// GONE-NOT: tensor.
// GONE-NOT: bufferization.
// GONE-NOT: memref.
// GONE-NOT: scf.
// GONE-NOT: cf.
// GONE-NOT: arith.
// GONE-NOT: math.
// GONE-NOT: unrealized_conversion_cast

// Declared first: libm's erff (for math.erf), malloc and free (for intermediate buffers).
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @erff(f32) -> f32

#id = affine_map<(d0) -> (d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Tensors become bare pointers; the result is a caller-allocated out-parameter (the last
// argument), written in a loop; the function returns nothing. math.exp is an intrinsic.
// CHECK-LABEL: llvm.func @exp(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
// CHECK-NOT:     llvm.call @malloc
// CHECK:         llvm.cond_br
// CHECK:         %[[X:.*]] = llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK-NEXT:    %[[E:.*]] = llvm.intr.exp(%[[X]]) : (f32) -> f32
// CHECK:         llvm.store %[[E]], %{{.*}} : f32, !llvm.ptr
// CHECK:         llvm.return{{$}}
// CHECK-NEXT:  }
func.func @exp(%a: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A reduction: the fill loop, then the loop nest accumulating in the output. math.erf has
// no LLVM intrinsic and becomes a call to libm's erff.
// CHECK-LABEL: llvm.func @erf_sum(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
// CHECK:         llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK:         %[[ERF:.*]] = llvm.call @erff(%{{.*}}) : (f32) -> f32
// CHECK-NEXT:    %[[SUM:.*]] = llvm.fadd %{{.*}}, %[[ERF]] : f32
// CHECK:         llvm.store %[[SUM]]
// CHECK:         llvm.return{{$}}
func.func @erf_sum(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %1 = math.erf %in : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Two results: two out-parameters after the inputs.
// CHECK-LABEL: llvm.func @two_results(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr) {
// CHECK:         llvm.fmul
// CHECK:         llvm.fadd
// CHECK:         llvm.return{{$}}
func.func @two_results(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> (tensor<2x2xf32>, tensor<3x2xf32>) {
  %e = tensor.empty() : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<3x2xf32>
  %1 = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%e2 : tensor<3x2xf32>) permutation = [1, 0]
  return %0, %1 : tensor<2x2xf32>, tensor<3x2xf32>
}

// Intermediate tensors are heap buffers, freed before returning.
// CHECK-LABEL: llvm.func @intermediates(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
// CHECK-COUNT-2: llvm.call @malloc
// CHECK-NOT:     llvm.call @malloc
// CHECK-COUNT-2: llvm.call @free
// CHECK-NEXT:    llvm.return{{$}}
func.func @intermediates(%a: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%0, %a : tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %3 = arith.addf %in, %in2 : f32
    linalg.yield %3 : f32
  } -> tensor<4xf32>
  %e3 = tensor.empty() : tensor<4xf32>
  %4 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%0, %2 : tensor<4xf32>, tensor<4xf32>) outs(%e3 : tensor<4xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %5 = arith.mulf %in, %in2 : f32
    linalg.yield %5 : f32
  } -> tensor<4xf32>
  return %4 : tensor<4xf32>
}
