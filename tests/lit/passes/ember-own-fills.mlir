// RUN: ember-opt %s --ember-own-fills | filecheck %s

#x = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// One zero fill is the init of two reductions (as after CSE): the second gets a fill of its
// own, made just before it; the first keeps the original.
// CHECK-LABEL: func.func @two_writers
// CHECK:         %[[F1:.*]] = linalg.fill
// CHECK:         linalg.generic {{.*}} outs(%[[F1]] : tensor<64xf32>)
// CHECK:         %[[F2:.*]] = linalg.fill
// CHECK:         linalg.generic {{.*}} outs(%[[F2]] : tensor<64xf32>)
func.func @two_writers(%a: tensor<64x32xf32>, %b: tensor<64x32xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<64x32xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %q = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%b : tensor<64x32xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.mulf %u, %u : f32
    %t = arith.addf %acc, %s : f32
    linalg.yield %t : f32
  } -> tensor<64xf32>
  return %r, %q : tensor<64xf32>, tensor<64xf32>
}

// A fill that is also read as an input: every writer gets its own, the reader keeps the
// original. A fill with one use is left alone.
// CHECK-LABEL: func.func @reader_and_writer
// CHECK:         %[[F:.*]] = linalg.fill
// CHECK:         %[[G:.*]] = linalg.fill
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[F]] : tensor<64x32xf32>, tensor<64xf32>) outs(%[[G]] : tensor<64xf32>)
// CHECK-NOT:     linalg.fill
func.func @reader_and_writer(%a: tensor<64x32xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#x, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a, %init : tensor<64x32xf32>, tensor<64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%u: f32, %z: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    %t = arith.addf %s, %z : f32
    linalg.yield %t : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// A writer inside a loop: no fill is cloned into the loop (it would fill at every iteration).
// CHECK-LABEL: func.func @writer_in_a_loop
// CHECK:         linalg.fill
// CHECK-NOT:     linalg.fill
// CHECK:         return
func.func @writer_in_a_loop(%a: tensor<64x32xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<64x32xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %l = scf.for %i = %c0 to %c4 step %c1 iter_args(%t = %r) -> (tensor<64xf32>) {
    %q = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
        ins(%a : tensor<64x32xf32>) outs(%init : tensor<64xf32>) {
    ^bb0(%u: f32, %acc: f32):
      %s = arith.mulf %u, %u : f32
      %w = arith.addf %acc, %s : f32
      linalg.yield %w : f32
    } -> tensor<64xf32>
    scf.yield %q : tensor<64xf32>
  }
  return %r, %l : tensor<64xf32>, tensor<64xf32>
}
