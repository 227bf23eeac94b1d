"""ember's frontend: eager tensors, tracing, and the public API (assembled in ember/__init__.py)."""
