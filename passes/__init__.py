"""ember's passes. Each is named once: class or function, flag, file and lit test share a name
(`ember-fuse` lives in fuse_elementwise.py and is tested by tests/lit/passes/ember-fuse.mlir).

Example (Python):
    >>> from ember.passes import run_passes
    >>> run_passes(module, ["ember-canonicalize", "ember-fuse", "canonicalize"])
"""
from . import (balance_threads, canonicalize, distinct_results, drop_empty_tensors, ember_to_linalg, expand_math,
               fuse_elementwise, fuse_epilogues, lower_cpu, own_fills, pack_conv, pack_matmul, parallelize, strided_copies,
               tile_conv, tile_matmul, tile_rows, unroll_windows, vectorize_copies, vectorize_elementwise, verify, widen_bools)
from .pipeline import FRONT_STAGES, PassPipeline, Stage, run_passes, run_stages, split_pipeline
from .registry import PASSES, PassInfo, register_pass

__all__ = ["balance_threads", "canonicalize", "distinct_results", "drop_empty_tensors", "ember_to_linalg", "expand_math",
           "fuse_elementwise", "fuse_epilogues", "lower_cpu", "own_fills", "pack_conv", "pack_matmul", "parallelize", "tile_conv",
           "tile_matmul", "tile_rows", "unroll_windows", "vectorize_copies", "vectorize_elementwise", "verify",
           "widen_bools",
           "FRONT_STAGES", "PassPipeline", "Stage", "run_passes", "run_stages", "split_pipeline",
           "PASSES", "PassInfo", "register_pass"]
