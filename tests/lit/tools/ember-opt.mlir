// ember-opt's command line: input from a file or stdin, pass flags in the order given,
// -o, --mlir-print-debuginfo, --list-passes, and `python -m ember.tools.ember_opt`.

// No passes: the input, verified, printed back.
// RUN: ember-opt %s | filecheck %s --check-prefix=NONE
// RUN: ember-opt < %s | filecheck %s --check-prefix=NONE
// RUN: ember-opt - < %s | filecheck %s --check-prefix=NONE
// RUN: %python -m ember.tools.ember_opt %s | filecheck %s --check-prefix=NONE
// NONE-LABEL: func.func @order
// NONE-NEXT:    %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// NONE-NEXT:    %[[MUL:.*]] = "ember.mul"(%arg0, %[[ONE]])
// NONE-NEXT:    %[[EXP:.*]] = "ember.exp"(%[[MUL]])
// NONE-NEXT:    return %[[EXP]]

// Pass flags run in command-line order. Fusing first groups mul and exp, then
// canonicalizing drops the mul inside the group; canonicalizing first leaves a lone exp,
// which is not fused.
// RUN: ember-opt %s --ember-fuse --ember-canonicalize | filecheck %s --check-prefix=FUSE-FIRST
// RUN: ember-opt %s --ember-canonicalize --ember-fuse | filecheck %s --check-prefix=CANON-FIRST
// FUSE-FIRST-LABEL: func.func @order
// FUSE-FIRST-NEXT:    scf.execute_region
// FUSE-FIRST-NEXT:      "ember.exp"(%arg0)
// FUSE-FIRST-NEXT:      scf.yield
// FUSE-FIRST-NEXT:    } {ember.fused}
// CANON-FIRST-LABEL: func.func @order
// CANON-FIRST-NEXT:    "ember.exp"(%arg0)
// CANON-FIRST-NEXT:    return
// RUN: ember-opt %s --ember-fuse --ember-canonicalize --print-ir-after-all 2>&1 >/dev/null \
// RUN:   | filecheck %s --check-prefix=DUMPS
// DUMPS:      IR Dump After ember-fuse
// DUMPS:      IR Dump After ember-canonicalize
// DUMPS-NOT:  IR Dump After
func.func @order(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %0 = "ember.mul"(%x, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "ember.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -o writes the output file (replacing an old one), and prints nothing.
// RUN: rm -rf %t.dir && mkdir %t.dir && echo 'old' > %t.dir/out.mlir
// RUN: ember-opt %s --ember-canonicalize -o %t.dir/out.mlir \
// RUN:   | %python -c "import sys; sys.exit('unexpected stdout' if sys.stdin.read() else None)"
// RUN: filecheck %s --check-prefix=CANON-FIRST --input-file %t.dir/out.mlir

// Locations point into this file.
// RUN: ember-opt %s --mlir-print-debuginfo | filecheck %s --check-prefix=LOC
// LOC: "ember.neg"(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32> loc(#[[NEG:.*]])
// LOC: #[[NEG]] = loc("{{.*}}ember-opt.mlir":[[# @LINE + 2]]:8)
func.func @located(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Every ember pass has a flag and is listed with its description.
// RUN: ember-opt --list-passes | filecheck %s --check-prefix=LIST
// RUN: ember-opt --help | filecheck %s --check-prefix=HELP
// LIST-DAG: ember-canonicalize {{ +}}Fold constants
// LIST-DAG: ember-fuse {{ +}}Fuse elementwise chains
// LIST-DAG: ember-to-linalg {{ +}}Lower ember ops
// LIST-DAG: ember-bufferize {{ +}}Bufferize functions
// LIST-DAG: ember-lower-cpu {{ +}}Lower bufferized loops
// LIST-DAG: ember-verify {{ +}}Check every ember op
// HELP-DAG: --ember-canonicalize
// HELP-DAG: --ember-fuse
// HELP-DAG: --ember-to-linalg
// HELP-DAG: --ember-bufferize
// HELP-DAG: --ember-lower-cpu
// HELP-DAG: --ember-verify
// HELP-DAG: --pass-pipeline
