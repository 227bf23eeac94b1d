// The `ember` dialect. Generated from ember/dialects/ops/*.py; do not edit by hand.
// Regenerate with `ember-opt --print-dialect > dialects/ember.irdl.mlir`.
// IRDL checks that operands and results are tensors and that attributes have the
// right kind; ember's verifier (dialects/verifier.py) checks shapes and dtypes.
irdl.dialect @ember {
  // ember.abs: |x|
  irdl.operation @abs {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.add: x + y
  irdl.operation @add {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.avg_pool2d: mean over ksize windows of an NHWC input; padding elements are not counted (as TensorFlow's 'SAME')
  irdl.operation @avg_pool2d {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_ksize = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"ksize" = %attr_ksize, "strides" = %attr_strides, "padding" = %attr_padding}
  }
  // ember.avg_pool2d_grad: gradient of avg_pool2d over an input of shape `input_shape`: each window's g, divided by its count, goes to every input element of the window
  irdl.operation @avg_pool2d_grad {
    %g = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_input_shape = irdl.base "#builtin.dense_array"
    %attr_ksize = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(g: %g)
    irdl.results(result: %result)
    irdl.attributes {"input_shape" = %attr_input_shape, "ksize" = %attr_ksize, "strides" = %attr_strides, "padding" = %attr_padding}
  }
  // ember.broadcast_to: x broadcast (NumPy rules) to `shape`
  irdl.operation @broadcast_to {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_shape = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"shape" = %attr_shape}
  }
  // ember.cast: converts x to the element type `dtype` (float to int truncates; to bool is x != 0)
  irdl.operation @cast {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_dtype = irdl.base "#builtin.type"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"dtype" = %attr_dtype}
  }
  // ember.ceil: smallest integer >= x
  irdl.operation @ceil {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.compare: x <predicate> y elementwise, giving i1; predicate is eq, ne, lt, le, gt or ge
  irdl.operation @compare {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_predicate = irdl.base "#builtin.string"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
    irdl.attributes {"predicate" = %attr_predicate}
  }
  // ember.concat: x and y joined along `axis`
  irdl.operation @concat {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axis = irdl.base "#builtin.integer"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
    irdl.attributes {"axis" = %attr_axis}
  }
  // ember.conv2d: 2-D convolution (cross-correlation) of an NHWC input with an HWIO filter; `padding` = (top, bottom, left, right) zeros
  irdl.operation @conv2d {
    %x = irdl.base "!builtin.tensor"
    %filter = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_dilations = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x, filter: %filter)
    irdl.results(result: %result)
    irdl.attributes {"strides" = %attr_strides, "dilations" = %attr_dilations, "padding" = %attr_padding}
  }
  // ember.conv2d_backprop_filter: gradient of conv2d with respect to its filter (of shape `filter_shape`), given the input x and the result's gradient g
  irdl.operation @conv2d_backprop_filter {
    %x = irdl.base "!builtin.tensor"
    %g = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_filter_shape = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_dilations = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x, g: %g)
    irdl.results(result: %result)
    irdl.attributes {"filter_shape" = %attr_filter_shape, "strides" = %attr_strides, "dilations" = %attr_dilations, "padding" = %attr_padding}
  }
  // ember.conv2d_backprop_input: gradient of conv2d with respect to its input (of shape `input_shape`), given the result's gradient g
  irdl.operation @conv2d_backprop_input {
    %g = irdl.base "!builtin.tensor"
    %filter = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_input_shape = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_dilations = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(g: %g, filter: %filter)
    irdl.results(result: %result)
    irdl.attributes {"input_shape" = %attr_input_shape, "strides" = %attr_strides, "dilations" = %attr_dilations, "padding" = %attr_padding}
  }
  // ember.cos: cosine
  irdl.operation @cos {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.div: x / y for floats; floor division (0 where y == 0) for integers
  irdl.operation @div {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.erf: the error function
  irdl.operation @erf {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.exp: e to the power x
  irdl.operation @exp {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.expm1: exp(x) - 1, accurate near 0
  irdl.operation @expm1 {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.floor: largest integer <= x
  irdl.operation @floor {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.gather: np.take(params, indices, axis): out-of-range indices are clamped (negative ones count from the end, as NumPy)
  irdl.operation @gather {
    %params = irdl.base "!builtin.tensor"
    %indices = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axis = irdl.base "#builtin.integer"
    irdl.operands(params: %params, indices: %indices)
    irdl.results(result: %result)
    irdl.attributes {"axis" = %attr_axis}
  }
  // ember.gelu: x * Phi(x), the exact (erf) form
  irdl.operation @gelu {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.iota: a tensor of `shape` holding 0, 1, ..., n - 1 along `axis` (the same along the others)
  irdl.operation @iota {
    %result = irdl.base "!builtin.tensor"
    %attr_shape = irdl.base "#builtin.dense_array"
    %attr_axis = irdl.base "#builtin.integer"
    %attr_dtype = irdl.base "#builtin.type"
    irdl.operands()
    irdl.results(result: %result)
    irdl.attributes {"shape" = %attr_shape, "axis" = %attr_axis, "dtype" = %attr_dtype}
  }
  // ember.log: natural logarithm
  irdl.operation @log {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.log1p: log(1 + x), accurate near 0
  irdl.operation @log1p {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.logical_and: x and y, on bools
  irdl.operation @logical_and {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.logical_not: not x, on bools
  irdl.operation @logical_not {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.logical_or: x or y, on bools
  irdl.operation @logical_or {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.matmul: matrix product over the last two dims; leading (batch) dims broadcast
  irdl.operation @matmul {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.max_pool2d: maximum over ksize windows of an NHWC input (NaN if any element is); padding elements never win
  irdl.operation @max_pool2d {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_ksize = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"ksize" = %attr_ksize, "strides" = %attr_strides, "padding" = %attr_padding}
  }
  // ember.max_pool2d_grad: gradient of max_pool2d: each window's g goes to its first maximum of x (row-major in the window), as TensorFlow
  irdl.operation @max_pool2d_grad {
    %x = irdl.base "!builtin.tensor"
    %g = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_ksize = irdl.base "#builtin.dense_array"
    %attr_strides = irdl.base "#builtin.dense_array"
    %attr_padding = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x, g: %g)
    irdl.results(result: %result)
    irdl.attributes {"ksize" = %attr_ksize, "strides" = %attr_strides, "padding" = %attr_padding}
  }
  // ember.maximum: the larger of x and y (NaN if either is)
  irdl.operation @maximum {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.minimum: the smaller of x and y (NaN if either is)
  irdl.operation @minimum {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.mul: x * y
  irdl.operation @mul {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.neg: -x
  irdl.operation @neg {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.pad: x placed in zeros: `low`/`high` zeros before/after each dim, `interior` between elements
  irdl.operation @pad {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_low = irdl.base "#builtin.dense_array"
    %attr_high = irdl.base "#builtin.dense_array"
    %attr_interior = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"low" = %attr_low, "high" = %attr_high, "interior" = %attr_interior}
  }
  // ember.pow: x ** y
  irdl.operation @pow {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.random_bits: 32 random bits (int32) per element of `shape`: Threefry-2x32-20 of the element's row-major index under `key` (int32[2]); stateless, the same key gives the same bits
  irdl.operation @random_bits {
    %key = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_shape = irdl.base "#builtin.dense_array"
    irdl.operands(key: %key)
    irdl.results(result: %result)
    irdl.attributes {"shape" = %attr_shape}
  }
  // ember.reduce_max: maximum over `axes` (NaN if any element is)
  irdl.operation @reduce_max {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axes = irdl.base "#builtin.dense_array"
    %attr_keepdims = irdl.base "#builtin.integer"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"axes" = %attr_axes, "keepdims" = %attr_keepdims}
  }
  // ember.reduce_mean: arithmetic mean over `axes`
  irdl.operation @reduce_mean {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axes = irdl.base "#builtin.dense_array"
    %attr_keepdims = irdl.base "#builtin.integer"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"axes" = %attr_axes, "keepdims" = %attr_keepdims}
  }
  // ember.reduce_min: minimum over `axes` (NaN if any element is)
  irdl.operation @reduce_min {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axes = irdl.base "#builtin.dense_array"
    %attr_keepdims = irdl.base "#builtin.integer"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"axes" = %attr_axes, "keepdims" = %attr_keepdims}
  }
  // ember.reduce_sum: sum over `axes`
  irdl.operation @reduce_sum {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_axes = irdl.base "#builtin.dense_array"
    %attr_keepdims = irdl.base "#builtin.integer"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"axes" = %attr_axes, "keepdims" = %attr_keepdims}
  }
  // ember.relu: max(x, 0)
  irdl.operation @relu {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.rem: remainder of x / y with the sign of x (C fmod; 0 where an integer y == 0)
  irdl.operation @rem {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.reshape: the same elements in row-major order, with shape `shape`
  irdl.operation @reshape {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_shape = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"shape" = %attr_shape}
  }
  // ember.rsqrt: 1 / sqrt(x)
  irdl.operation @rsqrt {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.scatter_add: zeros of `shape` with updates added at `indices` along `axis` (np.add.at; repeated indices accumulate; indices clamped as in gather)
  irdl.operation @scatter_add {
    %updates = irdl.base "!builtin.tensor"
    %indices = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_shape = irdl.base "#builtin.dense_array"
    %attr_axis = irdl.base "#builtin.integer"
    irdl.operands(updates: %updates, indices: %indices)
    irdl.results(result: %result)
    irdl.attributes {"shape" = %attr_shape, "axis" = %attr_axis}
  }
  // ember.select: x where cond is true, else y
  irdl.operation @select {
    %cond = irdl.base "!builtin.tensor"
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(cond: %cond, x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.sigmoid: 1 / (1 + exp(-x))
  irdl.operation @sigmoid {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.sign: -1, 0 or 1 by the sign of x
  irdl.operation @sign {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.sin: sine
  irdl.operation @sin {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.slice: elements start[i] <= j < limit[i] taken every stride[i] along each dim
  irdl.operation @slice {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_start = irdl.base "#builtin.dense_array"
    %attr_limit = irdl.base "#builtin.dense_array"
    %attr_stride = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"start" = %attr_start, "limit" = %attr_limit, "stride" = %attr_stride}
  }
  // ember.sqrt: square root
  irdl.operation @sqrt {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.sub: x - y
  irdl.operation @sub {
    %x = irdl.base "!builtin.tensor"
    %y = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x, y: %y)
    irdl.results(result: %result)
  }
  // ember.tanh: hyperbolic tangent
  irdl.operation @tanh {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
  }
  // ember.transpose: permutes dims: result dim i is operand dim perm[i]
  irdl.operation @transpose {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %attr_perm = irdl.base "#builtin.dense_array"
    irdl.operands(x: %x)
    irdl.results(result: %result)
    irdl.attributes {"perm" = %attr_perm}
  }
}
