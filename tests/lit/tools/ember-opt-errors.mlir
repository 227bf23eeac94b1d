// ember-opt reports bad input as `FILE:LINE:COL: error: ...` (or `ember-opt: error: ...`
// where there is no location) on stderr and exits with 1, never with a Python traceback.

// A syntax error in a file (this one): its path, line and column.
// RUN: not ember-opt %s 2>&1 | filecheck %s --check-prefix=SYNTAX
// SYNTAX: ember-opt-errors.mlir:[[# @LINE + 2]]:20: error: use of undeclared SSA value name
func.func @syntax_error(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.exp"(%y) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
// SYNTAX-NOT: Traceback

// On stdin, the file is `<stdin>`. (MLIR's parser gives no location for an ember op in
// custom form, only the generic form exists; ember-opt finds it.)
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = ember.exp(%x) return }' \
// RUN:   | not ember-opt 2>&1 | filecheck %s --check-prefix=STDIN
// STDIN: <stdin>:1:40: error: custom op 'ember.exp' is unknown: ember ops are written in the generic form, "ember.exp"(%x)
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.sum"(%x) : (tensor<4xf32>) -> tensor<f32> return }' \
// RUN:   | not ember-opt - 2>&1 | filecheck %s --check-prefix=UNKNOWN-OP
// UNKNOWN-OP: <stdin>:1:40: error: unregistered operation 'ember.sum' found in dialect ('ember') that does not allow unknown operations

// An op that fails ember's verifier, in a file given by a relative path.
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: echo 'func.func @f(%x: tensor<4xf32>) { %0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<5xf32> return }' > %t.dir/bad.mlir
// RUN: cd %t.dir && not ember-opt bad.mlir --ember-fuse 2>&1 | filecheck %s --check-prefix=VERIFY
// VERIFY: {{^}}bad.mlir:1:40: error: 'ember.exp' op result type tensor<5xf32> does not match the inferred type tensor<4xf32>
// VERIFY-NOT: Traceback

// An upstream pass failing on an op reports the op's location.
// RUN: echo 'func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { %0 = "ember.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32> return %0 : tensor<4xf32> }' > %t.dir/ember.mlir
// RUN: not ember-opt %t.dir/ember.mlir --ember-bufferize --ember-lower-cpu 2>&1 | filecheck %s --check-prefix=PASS-FAILED
// PASS-FAILED: ember.mlir:1:57: error: op was not bufferized

// A missing input file.
// RUN: not ember-opt %t.dir/missing.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: ember-opt: error: could not open input file '{{.*}}missing.mlir': No such file or directory
// MISSING-NOT: Traceback

// Unknown passes: a flag, an upstream pass in --pass-pipeline, options on an ember pass.
// RUN: not ember-opt %t.dir/ember.mlir --ember-bogus 2>&1 | filecheck %s --check-prefix=FLAG
// FLAG: ember-opt: error: unrecognized arguments: --ember-bogus
// RUN: not ember-opt %t.dir/ember.mlir --pass-pipeline='builtin.module(ember-fuse, func.func(bogus))' 2>&1 \
// RUN:   | filecheck %s --check-prefix=PIPELINE
// PIPELINE: error: 'bogus' does not refer to a registered pass or pass pipeline
// PIPELINE-NOT: Traceback
// RUN: not ember-opt %t.dir/ember.mlir --pass-pipeline='builtin.module(ember-fuse{max=2})' 2>&1 \
// RUN:   | filecheck %s --check-prefix=OPTIONS
// OPTIONS: ember-opt: error: pass 'ember-fuse' takes no options, received 'ember-fuse{max=2}'
// RUN: not ember-opt %t.dir/ember.mlir --pass-pipeline='builtin.module(ember-fuse' 2>&1 \
// RUN:   | filecheck %s --check-prefix=UNBALANCED
// UNBALANCED: error: encountered unbalanced parentheses while parsing pipeline

// --pass-pipeline and pass flags do not mix.
// RUN: not ember-opt %t.dir/ember.mlir --pass-pipeline='builtin.module(cse)' --ember-fuse 2>&1 \
// RUN:   | filecheck %s --check-prefix=BOTH
// BOTH: ember-opt: error: --pass-pipeline cannot be combined with individual pass flags

// On error, -o leaves an existing output file as it was; an unwritable -o is reported.
// RUN: echo 'previous contents' > %t.dir/out.mlir
// RUN: not ember-opt %t.dir/bad.mlir -o %t.dir/out.mlir
// RUN: filecheck %s --check-prefix=KEPT --input-file %t.dir/out.mlir
// KEPT: previous contents
// RUN: not ember-opt %t.dir/ember.mlir -o %t.dir/no/such/dir/out.mlir 2>&1 | filecheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: ember-opt: error: cannot write '{{.*}}no/such/dir/out.mlir': No such file or directory
