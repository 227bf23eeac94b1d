// RUN: ember-opt %s --ember-expand-math | filecheck %s

#id = affine_map<(d0) -> (d0)>

// f32 exp becomes branch-free arith: range reduction by floor(x * log2(e) + 0.5), a
// polynomial evaluated with fma, and 2^m built from the exponent bits in two factors.
// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT:     math.exp
// CHECK:         math.floor
// CHECK:         math.fma
// CHECK:         arith.fptosi
// CHECK:         arith.shli
// CHECK:         arith.bitcast
// CHECK:         arith.cmpf uno
// CHECK:         linalg.yield
func.func @exp_f32(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// On vectors (the pass runs after the schedules have vectorized the loops) the constants
// are splats, and 2^m is one ldexp on 1-D vectors where the host has AVX-512 (vscalefps),
// or built from exponent bits as above.
// CHECK-LABEL: func.func @exp_vector
// CHECK-NOT:     math.exp
// CHECK:         arith.constant dense<{{.*}}> : vector<16xf32>
// CHECK:         math.fma %{{.*}} : vector<16xf32>
// CHECK:         {{llvm.call_intrinsic "llvm.ldexp"|arith.shli}}
// CHECK:         arith.cmpf uno, %{{.*}} : vector<16xf32>
// CHECK:         return
func.func @exp_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// tanh and erf become a ratio of two polynomials in x*x; tanh saturates to copysign(1, x).
// CHECK-LABEL: func.func @tanh_erf_f32
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         arith.divf
// CHECK:         math.copysign
// CHECK:         arith.divf
// CHECK:         linalg.yield
func.func @tanh_erf_f32(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    %y = math.erf %t : f32
    linalg.yield %y : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// f64 keeps the math ops (libm's accuracy); other math ops are untouched.
// CHECK-LABEL: func.func @f64_and_others
// CHECK:         math.exp %{{.*}} : f64
// CHECK:         math.tanh %{{.*}} : f64
// CHECK:         math.log %{{.*}} : f32
func.func @f64_and_others(%x: f64, %y: f32) -> (f64, f32) {
  %a = math.exp %x : f64
  %b = math.tanh %a : f64
  %c = math.log %y : f32
  return %b, %c : f64, f32
}
