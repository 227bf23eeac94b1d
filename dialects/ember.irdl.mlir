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
  // ember.gelu: x * Phi(x), the exact (erf) form
  irdl.operation @gelu {
    %x = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(x: %x)
    irdl.results(result: %result)
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
