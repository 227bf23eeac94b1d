// RUN: ember-opt %s --ember-pack-conv | filecheck %s

// A forward convolution (loops n, oh, kh, kw, c, ow, f; stride 2 along the width) becomes,
// per output row (n, oh), the product of the row's patches and the filter's panels: the
// filter is copied once into NR-wide panels (NR from the host's vector width; marked for
// vectorization by ember-tile-matmul); per row, the row's patches (OW x KH x KW x C) are
// copied C elements at a time as vectors, and its register tiles (OWR columns x NR channels)
// start at the fill's value (no fill of the output is left, whole or by rows) and accumulate
// in vector registers over (kh, kw, c) as broadcasts, mulf and addf that LLVM may contract.

#x = affine_map<(n, oh, kh, kw, c, ow, f) -> (n, oh + kh, ow * 2 + kw, c)>
#w = affine_map<(n, oh, kh, kw, c, ow, f) -> (kh, kw, c, f)>
#o = affine_map<(n, oh, kh, kw, c, ow, f) -> (n, oh, ow, f)>

// CHECK-LABEL: func.func @packed
// CHECK-NOT:     linalg.fill
// CHECK:         %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]] {{.*}} : tensor<3x3x3x64xf32> into tensor<3x3x3x{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} ins(%[[W]] : {{.*}}) outs(%{{.*}} : tensor<{{[0-9]+}}x3x3x3x{{[0-9]+}}xf32>) attrs =  {ember.pack_panels = 5 : i64}
// CHECK:         scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK:             tensor.empty() : tensor<1x1x4x3x3x3xf32>
// CHECK:             vector.transfer_read %{{.*}} : tensor<3xf32>, vector<3xf32>
// CHECK:             vector.transfer_write %{{.*}} : vector<3xf32>, tensor<1x1x4x3x3x3xf32>
// CHECK:             tensor.extract_slice %{{.*}} : tensor<2x4x4x{{[0-9]+}}x{{[0-9]+}}xf32> to tensor<1x1x4x{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK-NOT:         linalg.fill
// CHECK:             %[[START:.*]] = vector.broadcast %{{.*}} : f32 to vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:             scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:               scf.for
// CHECK:                 scf.for
// CHECK:                   vector.broadcast
// CHECK:                   arith.mulf %{{.*}} fastmath<contract>
// CHECK:                   arith.addf %{{.*}} fastmath<contract>
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]] : tensor<2x4x4x{{[0-9]+}}x{{[0-9]+}}xf32> into tensor<2x4x4x64xf32>
// CHECK-NOT:     ember.convolution
// CHECK:         return
func.func @packed(%x: tensor<2x6x9x3xf32>, %w: tensor<3x3x3x64xf32>) -> tensor<2x4x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x64xf32>) -> tensor<2x4x4x64xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<2x6x9x3xf32>, tensor<3x3x3x64xf32>) outs(%init : tensor<2x4x4x64xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4x64xf32>
  return %r : tensor<2x4x4x64xf32>
}

// With a horizontal stride of 1 there is no patch copy: per row, the register tiles read
// the patches from x where they lie (a row's slice of x, one (kh, kw, c) column of OWR
// pixels at a time, broadcast), with the same accumulators as above.
#x1 = affine_map<(n, oh, kh, kw, c, ow, f) -> (n, oh + kh, ow + kw, c)>

// CHECK-LABEL: func.func @direct
// CHECK-NOT:     linalg.fill
// CHECK:         ember.pack_panels
// CHECK-NOT:     tensor.empty() : tensor<1x1x{{[0-9]+}}x3x3x3xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK:             tensor.extract_slice %arg0[%{{.*}}, %{{.*}}, 0, 0] [1, 3, 9, 3] [1, 1, 1, 1]
// CHECK:             %[[START:.*]] = vector.broadcast %{{.*}} : f32 to vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:             scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (vector<{{[0-9]+}}x{{[0-9]+}}xf32>)
// CHECK:               scf.for
// CHECK:                 scf.for
// CHECK:                   vector.transfer_read %{{.*}} : tensor<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>
// CHECK:                   vector.broadcast
// CHECK:                   arith.mulf %{{.*}} fastmath<contract>
// CHECK:                   arith.addf %{{.*}} fastmath<contract>
// CHECK-NOT:     ember.convolution
// CHECK:         return
func.func @direct(%x: tensor<2x6x9x3xf32>, %w: tensor<3x3x3x64xf32>) -> tensor<2x4x7x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x7x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x7x64xf32>) -> tensor<2x4x7x64xf32>
  %r = linalg.generic {indexing_maps = [#x1, #w, #o],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<2x6x9x3xf32>, tensor<3x3x3x64xf32>) outs(%init : tensor<2x4x7x64xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x7x64xf32>
  return %r : tensor<2x4x7x64xf32>
}

// 36 output channels are not a multiple of NR (on any host): left to ember-tile-conv.
// CHECK-LABEL: func.func @not_packed
// CHECK:         linalg.fill
// CHECK:         linalg.generic {{.*}} attrs =  {ember.convolution}
// CHECK-NOT:     ember.pack_panels
func.func @not_packed(%x: tensor<2x6x9x3xf32>, %w: tensor<3x3x3x36xf32>) -> tensor<2x4x4x36xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x36xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x36xf32>) -> tensor<2x4x4x36xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %w : tensor<2x6x9x3xf32>, tensor<3x3x3x36xf32>) outs(%init : tensor<2x4x4x36xf32>)
      attrs = {ember.convolution} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4x36xf32>
  return %r : tensor<2x4x4x36xf32>
}

// A padded input whose interior copy ember-parallelize marked ember.image_pad is padded one
// image at a time in the image loop: an image-sized tensor whose border is filled with the
// padding value (the same boxes as the whole padding's), the image copied into it (as
// vectors), and the row windows read from it; the whole padded tensor and the mark are gone.
// The padding is zeros: each register tile's filter-row (kh) loop runs over the rows that
// read the image only, from max(1 - oh, 0) to min(5 - oh, 3) (1 row of padding above, 4
// image rows).
#px1 = affine_map<(n, oh, kh, kw, c, ow, f) -> (n, oh + kh, ow + kw, c)>

// CHECK-LABEL: func.func @padded_conv
// CHECK-NOT:     tensor<2x6x7x3xf32>
// CHECK:         scf.for %[[N:.*]] = %c0 to %c2 step %c1
// CHECK:           %[[IMAGE:.*]] = tensor.extract_slice %arg0[%[[N]], 0, 0, 0] [1, 4, 5, 3] [1, 1, 1, 1]
// CHECK:           %[[EMPTY:.*]] = tensor.empty() : tensor<1x6x7x3xf32>
// CHECK:           linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x7x3xf32>)
// CHECK:           tensor.insert_slice %{{.*}} into %[[EMPTY]][0, 0, 0, 0] [1, 1, 7, 3] [1, 1, 1, 1]
// CHECK:           linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x7x3xf32>)
// CHECK:           tensor.insert_slice %{{.*}}[0, 5, 0, 0] [1, 1, 7, 3] [1, 1, 1, 1]
// CHECK:           linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x1x3xf32>)
// CHECK:           tensor.insert_slice %{{.*}}[0, 1, 0, 0] [1, 4, 1, 3] [1, 1, 1, 1]
// CHECK:           linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x1x3xf32>)
// CHECK:           %[[FILLED:.*]] = tensor.insert_slice %{{.*}}[0, 1, 6, 0] [1, 4, 1, 3] [1, 1, 1, 1]
// CHECK-NOT:       linalg.fill
// CHECK:           vector.transfer_read
// CHECK:           vector.transfer_write
// CHECK:           %[[PADDED:.*]] = tensor.insert_slice %{{.*}} into %[[FILLED]][0, 1, 1, 0] [1, 4, 5, 3] [1, 1, 1, 1]
// CHECK:           scf.for %[[OH:.*]] = %c0 to %c4 step %c1
// CHECK:             tensor.extract_slice %[[PADDED]][0, %[[OH]], 0, 0] [1, 3, 7, 3] [1, 1, 1, 1]
// CHECK:             %[[FROM:.*]] = arith.subi %{{.*}}, %[[OH]] : index
// CHECK:             %[[FIRST:.*]] = arith.maxsi %[[FROM]], %{{.*}} : index
// CHECK:             %[[TO:.*]] = arith.subi %{{.*}}, %[[OH]] : index
// CHECK:             %[[LAST:.*]] = arith.minsi %[[TO]], %{{.*}} : index
// CHECK:             scf.for %{{.*}} = %[[FIRST]] to %[[LAST]] step %{{.*}} iter_args
// CHECK-NOT:     ember.image_pad
// CHECK-NOT:     tensor<2x6x7x3xf32>
// CHECK:         return
func.func @padded_conv(%arg0: tensor<2x4x5x3xf32>, %arg1: tensor<3x3x3x64xf32>) -> tensor<2x4x5x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2x6x7x3xf32>
  %extracted_slice = tensor.extract_slice %0[0, 0, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x1x7x3xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%extracted_slice : tensor<2x1x7x3xf32>) -> tensor<2x1x7x3xf32>
  %inserted_slice = tensor.insert_slice %1 into %0[0, 0, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x1x7x3xf32> into tensor<2x6x7x3xf32>
  %extracted_slice_0 = tensor.extract_slice %inserted_slice[0, 5, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x1x7x3xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%extracted_slice_0 : tensor<2x1x7x3xf32>) -> tensor<2x1x7x3xf32>
  %inserted_slice_1 = tensor.insert_slice %2 into %inserted_slice[0, 5, 0, 0] [2, 1, 7, 3] [1, 1, 1, 1] : tensor<2x1x7x3xf32> into tensor<2x6x7x3xf32>
  %extracted_slice_2 = tensor.extract_slice %inserted_slice_1[0, 1, 0, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x1x3xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%extracted_slice_2 : tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %inserted_slice_3 = tensor.insert_slice %3 into %inserted_slice_1[0, 1, 0, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x4x1x3xf32> into tensor<2x6x7x3xf32>
  %extracted_slice_4 = tensor.extract_slice %inserted_slice_3[0, 1, 6, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x1x3xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%extracted_slice_4 : tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %inserted_slice_5 = tensor.insert_slice %4 into %inserted_slice_3[0, 1, 6, 0] [2, 4, 1, 3] [1, 1, 1, 1] : tensor<2x4x1x3xf32> into tensor<2x6x7x3xf32>
  %extracted_slice_6 = tensor.extract_slice %inserted_slice_5[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x6x7x3xf32> to tensor<2x4x5x3xf32>
  %5 = linalg.copy {ember.image_pad} ins(%arg0 : tensor<2x4x5x3xf32>) outs(%extracted_slice_6 : tensor<2x4x5x3xf32>) -> tensor<2x4x5x3xf32>
  %inserted_slice_7 = tensor.insert_slice %5 into %inserted_slice_5[0, 1, 1, 0] [2, 4, 5, 3] [1, 1, 1, 1] : tensor<2x4x5x3xf32> into tensor<2x6x7x3xf32>
  %6 = tensor.empty() : tensor<2x4x5x64xf32>
  %7 = linalg.fill ins(%cst : f32) outs(%6 : tensor<2x4x5x64xf32>) -> tensor<2x4x5x64xf32>
  %8 = linalg.generic {indexing_maps = [#px1, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%inserted_slice_7, %arg1 : tensor<2x6x7x3xf32>, tensor<3x3x3x64xf32>) outs(%7 : tensor<2x4x5x64xf32>) attrs =  {ember.convolution} {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %9 = arith.mulf %in, %in_8 : f32
    %10 = arith.addf %out, %9 : f32
    linalg.yield %10 : f32
  } -> tensor<2x4x5x64xf32>
  return %8 : tensor<2x4x5x64xf32>
}
