"""Light Python modules for MLIR dialects, found by the MLIR bindings before
`mlir.dialects.<namespace>` (see `dialects/context.py`)."""
