"""One module per framework for `bench/compare.py`; each runs in its own process (`child.py`).

Every module has one function per row kind (`matmul`, `dense`, `elementwise`, `norms`,
`conv2d`, `mlp_train`, `cnn_train`, `inference`, `cold_start`) taking a `harness.Bench`; the
inputs, initial weights and NumPy references all come from `common.py`, so every framework
computes the same thing on the same data.
"""
