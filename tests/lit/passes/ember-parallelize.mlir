// RUN: env EMBER_NUM_THREADS=2 ember-opt %s --ember-parallelize | filecheck %s
// RUN: env EMBER_NUM_THREADS=1 ember-opt %s --ember-parallelize | filecheck %s --check-prefix=ONE

// With 2 threads, a big elementwise op (no reduction) becomes an scf.forall of 8 chunks per
// thread, here 16 of 32 rows (each keeps at least MIN_PIECE iterations); 513 rows split at
// 512 first, and the last row runs after the forall. Small ops are left alone. With 1 thread
// nothing changes.

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @rows
// CHECK:         scf.forall (%{{.*}}) in (16)
// CHECK:           linalg.generic {{.*}} ins(%{{.*}} : tensor<32x128xf32>)
// CHECK:           tensor.parallel_insert_slice
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<1x128xf32>)
// ONE-LABEL:   func.func @rows
// ONE-NOT:       scf.forall
func.func @rows(%a: tensor<513x128xf32>) -> tensor<513x128xf32> {
  %e = tensor.empty() : tensor<513x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<513x128xf32>) outs(%e : tensor<513x128xf32>) {
  ^bb0(%u: f32, %o: f32):
    %s = arith.addf %u, %u : f32
    linalg.yield %s : f32
  } -> tensor<513x128xf32>
  return %r : tensor<513x128xf32>
}

// CHECK-LABEL: func.func @small
// CHECK-NOT:     scf.forall
func.func @small(%a: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%u: f32, %o: f32):
    %s = arith.addf %u, %u : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// A reduction keeps one chunk per thread. The fill of a split op's init is computed in each
// chunk, on its own part (in parallel, and in cache just before the op accumulates into it);
// the whole fill is gone. A 513-row sum is split at 512 first and reads the fill through
// slices: its fill stays whole.
#x = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @filled
// CHECK-NOT:     linalg.fill
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           %[[F:.*]] = linalg.fill {{.*}} -> tensor<256xf32>
// CHECK:           linalg.generic {{.*}} outs(%[[F]] : tensor<256xf32>)
func.func @filled(%a: tensor<512x128xf32>) -> tensor<512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<512xf32>) -> tensor<512xf32>
  %r = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<512x128xf32>) outs(%init : tensor<512xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    linalg.yield %s : f32
  } -> tensor<512xf32>
  return %r : tensor<512xf32>
}

// CHECK-LABEL: func.func @filled_and_split
// CHECK:         linalg.fill {{.*}} -> tensor<513xf32>
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK-NOT:       linalg.fill
// CHECK:         tensor.parallel_insert_slice
func.func @filled_and_split(%a: tensor<513x128xf32>) -> tensor<513xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<513xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<513xf32>) -> tensor<513xf32>
  %r = linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<513x128xf32>) outs(%init : tensor<513xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    linalg.yield %s : f32
  } -> tensor<513xf32>
  return %r : tensor<513xf32>
}

// A padded input's interior, copied into its window (`Lowerer.copy_into`), is split like an
// elementwise op: 8 chunks per thread, each copying its images into its part of the window.
// CHECK-LABEL: func.func @padded_copy
// CHECK:         %[[W:.*]] = tensor.extract_slice
// CHECK:         scf.forall (%{{.*}}) in (16) shared_outs(%{{.*}} = %[[W]])
// CHECK:           linalg.copy ins(%{{.*}} : tensor<4x28x28x32xf32>)
// CHECK:           tensor.parallel_insert_slice
// CHECK:         tensor.insert_slice
// ONE-LABEL:   func.func @padded_copy
// ONE-NOT:       scf.forall
func.func @padded_copy(%x: tensor<64x28x28x32xf32>, %p: tensor<64x30x30x32xf32>) -> tensor<64x30x30x32xf32> {
  %w = tensor.extract_slice %p[0, 1, 1, 0] [64, 28, 28, 32] [1, 1, 1, 1]
      : tensor<64x30x30x32xf32> to tensor<64x28x28x32xf32>
  %c = linalg.copy ins(%x : tensor<64x28x28x32xf32>) outs(%w : tensor<64x28x28x32xf32>) -> tensor<64x28x28x32xf32>
  %r = tensor.insert_slice %c into %p[0, 1, 1, 0] [64, 28, 28, 32] [1, 1, 1, 1]
      : tensor<64x28x28x32xf32> into tensor<64x30x30x32xf32>
  return %r : tensor<64x30x30x32xf32>
}

// A convolution that only its epilogue (bias + relu) reads is computed in the epilogue's
// chunks (one per thread, as the convolution's own would be), with its fill, so that
// `ember-fuse-epilogues` finds the two together in each chunk.
#cx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4)>
#cw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
#co = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// CHECK-LABEL: func.func @conv_epilogue
// CHECK-NOT:     linalg.fill
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           %[[F:.*]] = linalg.fill {{.*}} -> tensor<32x26x26x32xf32>
// CHECK:           %[[C:.*]] = linalg.generic {{.*}} outs(%[[F]] : tensor<32x26x26x32xf32>) attrs = {ember.convolution}
// CHECK:           linalg.generic {{.*}} ins(%[[C]], %{{.*}} : tensor<32x26x26x32xf32>, tensor<32xf32>)
// CHECK:           arith.maximumf
// CHECK:           tensor.parallel_insert_slice
// CHECK-NOT:     scf.forall
// CHECK:         return
func.func @conv_epilogue(%a: tensor<64x28x28x1xf32>, %f: tensor<3x3x1x32xf32>, %b: tensor<32xf32>) -> tensor<64x26x26x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x26x26x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64x26x26x32xf32>) -> tensor<64x26x26x32xf32>
  %c = linalg.generic {indexing_maps = [#cx, #cw, #co], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%a, %f : tensor<64x28x28x1xf32>, tensor<3x3x1x32xf32>) outs(%init : tensor<64x26x26x32xf32>) attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x26x26x32xf32>
  %r = linalg.generic {indexing_maps = [#id4, #ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %b : tensor<64x26x26x32xf32>, tensor<32xf32>) outs(%e : tensor<64x26x26x32xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<64x26x26x32xf32>
  return %r : tensor<64x26x26x32xf32>
}

// A padded input that only a convolution ember-pack-conv packs reads, split here by output
// channels (whole panels each) or not at all: its interior copy is marked ember.image_pad
// and left whole (no chunks), for ember-pack-conv to pad one image at a time.
#px = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4)>

// CHECK-LABEL: func.func @padded_conv
// CHECK:         linalg.copy {ember.image_pad} ins(%{{.*}} : tensor<2x4x5x3xf32>)
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           attrs = {ember.convolution}
// CHECK:           tensor.parallel_insert_slice
// CHECK-NOT:     scf.forall
// CHECK:         return
// ONE-LABEL:   func.func @padded_conv
// ONE:           linalg.copy {ember.image_pad}
// ONE-NOT:       scf.forall
func.func @padded_conv(%x: tensor<2x4x5x3xf32>, %f: tensor<3x3x3x64xf32>) -> tensor<2x4x5x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x7x3xf32>
  %s0 = tensor.extract_slice %e[0, 0, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x1x7x3xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x1x7x3xf32>) -> tensor<2x1x7x3xf32>
  %b0 = tensor.insert_slice %f0 into %e[0, 0, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x1x7x3xf32> into tensor<2x6x7x3xf32>
  %s1 = tensor.extract_slice %b0[0, 5, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x1x7x3xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%s1 : tensor<2x1x7x3xf32>) -> tensor<2x1x7x3xf32>
  %b1 = tensor.insert_slice %f1 into %b0[0, 5, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x1x7x3xf32> into tensor<2x6x7x3xf32>
  %s2 = tensor.extract_slice %b1[0, 1, 0, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x1x3xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%s2 : tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %b2 = tensor.insert_slice %f2 into %b1[0, 1, 0, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x4x1x3xf32> into tensor<2x6x7x3xf32>
  %s3 = tensor.extract_slice %b2[0, 1, 6, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x1x3xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%s3 : tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %b3 = tensor.insert_slice %f3 into %b2[0, 1, 6, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x4x1x3xf32> into tensor<2x6x7x3xf32>
  %w = tensor.extract_slice %b3[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x5x3xf32>
  %c = linalg.copy ins(%x : tensor<2x4x5x3xf32>) outs(%w : tensor<2x4x5x3xf32>) -> tensor<2x4x5x3xf32>
  %p = tensor.insert_slice %c into %b3[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x4x5x3xf32> into tensor<2x6x7x3xf32>
  %oe = tensor.empty() : tensor<2x4x5x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x4x5x64xf32>) -> tensor<2x4x5x64xf32>
  %r = linalg.generic {indexing_maps = [#px, #cw, #co], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%p, %f : tensor<2x6x7x3xf32>, tensor<3x3x3x64xf32>) outs(%init : tensor<2x4x5x64xf32>) attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x5x64xf32>
  return %r : tensor<2x4x5x64xf32>
}
