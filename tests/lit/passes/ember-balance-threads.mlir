// RUN: env EMBER_NUM_THREADS=2 ember-opt %s --ember-balance-threads | filecheck %s

// A loop of 1024 row tiles: guided. Two chunks (one per thread): static, as it was. A loop
// that already has a schedule keeps it; one of unknown extent is left alone.

// CHECK-LABEL: func.func @loops
func.func @loops(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1024 = arith.constant 1024 : index
  omp.parallel {
    // CHECK: omp.wsloop schedule(guided) {
    // CHECK-NEXT: omp.loop_nest (%{{.*}}) : index = (%c0) to (%c1024) step (%c1)
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c1024) step (%c1) {
        omp.yield
      }
    }
    // CHECK: omp.wsloop {
    // CHECK-NEXT: omp.loop_nest (%{{.*}}) : index = (%c0) to (%c2) step (%c1)
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c2) step (%c1) {
        omp.yield
      }
    }
    // CHECK: omp.wsloop schedule(static) {
    omp.wsloop schedule(static) {
      omp.loop_nest (%i) : index = (%c0) to (%c1024) step (%c1) {
        omp.yield
      }
    }
    // CHECK: omp.wsloop {
    // CHECK-NEXT: omp.loop_nest (%{{.*}}) : index = (%c0) to (%arg0) step (%c1)
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
