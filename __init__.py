"""ember: eager tensors, `@em.function` graphs, compiled with MLIR.

Example:
    >>> import ember as em, numpy as np
    >>> @em.function
    ... def dense(x, w, b):
    ...     return em.nn.gelu(x @ w + b)
    >>> y = dense(np.ones((4, 8), np.float32), np.ones((8, 2), np.float32), np.zeros(2, np.float32))
"""
from . import dialects as _dialects  # registers the ember dialect's primitives
from .frontend import nn, random
from .frontend.api import arange, argmax, argmin, gather, one_hot
from .frontend.api import (
    abs, add, broadcast_to, cast, ceil, concat, constant, convert_to_tensor, cos, divide,
    equal, erf, exp, expand_dims, expm1, floor, floordiv, fmod, mod, greater, greater_equal, less,
    less_equal, log, log1p, logical_and, logical_not, logical_or, matmul, maximum, minimum,
    multiply, negative, not_equal, ones, ones_like, pad, pow, reciprocal, reduce_max, reduce_mean,
    reduce_min, reduce_sum, reshape, rsqrt, sigmoid, sign, sin, slice, sqrt, square, squeeze,
    stack, subtract, tanh, transpose, where, zeros, zeros_like)
from .frontend.dtypes import DType, bool_, float16, float32, float64, int32, int64
from .frontend.errors import (CompileError, DTypeError, EmberError, ShapeError, TracingError,
                              VerificationError)
from .frontend.autodiff import GradientTape, grad, value_and_grad
from .frontend.device import device
from .frontend.function import ConcreteFunction, Function, TensorSpec, function
from .frontend.tensor import Tensor
from .frontend.variable import Variable
from .runtime import config, keras

bool = bool_  # NOTE: `em.bool`, as `tf.bool`; shadows the builtin only inside this namespace

__version__ = "0.1.0"

__all__ = [
    "nn", "abs", "add", "broadcast_to", "cast", "ceil", "concat", "constant", "convert_to_tensor",
    "cos", "divide", "equal", "erf", "exp", "expand_dims", "expm1", "floor", "floordiv", "fmod",
    "mod", "greater",
    "greater_equal", "less", "less_equal", "log", "log1p", "logical_and", "logical_not",
    "logical_or", "matmul", "maximum", "minimum", "multiply", "negative", "not_equal", "ones",
    "ones_like", "pad", "pow", "reciprocal", "reduce_max", "reduce_mean", "reduce_min", "reduce_sum",
    "reshape", "rsqrt", "sigmoid", "sign", "sin", "slice", "sqrt", "square", "squeeze", "stack",
    "subtract", "tanh", "transpose", "where", "zeros", "zeros_like", "DType", "bool", "float16",
    "float32", "float64", "int32", "int64", "CompileError", "DTypeError", "EmberError",
    "ShapeError", "TracingError", "VerificationError", "ConcreteFunction", "Function",
    "TensorSpec", "function", "Tensor", "relu", "gelu", "softmax", "log_softmax",
    "GradientTape", "grad", "value_and_grad", "Variable", "config", "keras",
    "random", "arange", "argmax", "argmin", "gather", "one_hot", "range", "device",
]

relu = nn.relu
gelu = nn.gelu
softmax = nn.softmax
log_softmax = nn.log_softmax
range = arange  # NOTE: `em.range`, as `tf.range`; shadows the builtin only inside this namespace
