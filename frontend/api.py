"""The public ops of `import ember as em`: thin wrappers that validate arguments, convert
Python values, and bind primitives (eager or traced alike). Composites are written here
from primitives, so they need no lowering of their own.

Example:
    >>> import ember as em
    >>> em.reduce_sum(em.constant([[1.0, 2.0], [3.0, 4.0]]), axis=1).numpy()
    array([3., 7.], dtype=float32)
"""
from __future__ import annotations

import builtins

import numpy as np

from ..dialects.ops import elementwise as ew
from ..dialects.ops import indexing as ix
from ..dialects.ops import reduction as red
from ..dialects.ops import structured as st
from ..dialects.primitive import normalize_axes
from . import dtypes
from .dispatch import current_trace
from .errors import DTypeError, ShapeError, TracingError, at_user_line
from .tensor import EagerTensor, Tensor


# -- making tensors ------------------------------------------------------------------------------
def constant(value, dtype=None, shape=None) -> Tensor:
    """A tensor from a Python value or NumPy array (copied).

    Python floats become float32 and ints int32, as in TensorFlow; NumPy arrays keep
    their dtype unless `dtype` is given. `shape` broadcasts a scalar or reshapes.
    """
    if isinstance(value, Tensor):
        return value if dtype is None else cast(value, dtype)
    array = dtypes.to_numpy(value, None if dtype is None else dtypes.as_dtype(dtype))
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.size == 1:
            array = np.broadcast_to(array.reshape(()), shape)
        elif array.size == int(np.prod(shape, dtype=np.int64)):
            array = array.reshape(shape)
        else:
            raise ShapeError(at_user_line(
                f"constant: cannot make a tensor of shape {shape} from a value of shape {array.shape}"))
    trace = current_trace()
    if trace is not None:
        return trace.constant(array)
    return EagerTensor(np.array(array, copy=True))


convert_to_tensor = constant


def zeros(shape, dtype="float32") -> Tensor:
    return constant(0, dtype=dtype, shape=shape)


def ones(shape, dtype="float32") -> Tensor:
    return constant(1, dtype=dtype, shape=shape)


def zeros_like(x) -> Tensor:
    x = constant(x)
    return zeros(x.shape, x.dtype)


def ones_like(x) -> Tensor:
    x = constant(x)
    return ones(x.shape, x.dtype)


def _is_tensor_like(value) -> bool:
    return isinstance(value, (Tensor, np.ndarray, np.generic))


def _dtype_of(value) -> dtypes.DType:
    return value.dtype if isinstance(value, Tensor) else dtypes.as_dtype(np.asarray(value).dtype)


def _operands(*values):
    """Tensors for a primitive's operands; Python values take the dtype of the tensors beside
    them (weak typing, as TensorFlow and JAX do for Python scalars)."""
    typed = [v for v in values if _is_tensor_like(v)]
    like = _dtype_of(typed[0]) if typed else None
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
        elif _is_tensor_like(v) or like is None:
            out.append(constant(v))
        else:
            try:
                out.append(constant(dtypes.to_numpy(v, like)))
            except TypeError as err:
                raise type(err)(at_user_line(str(err))) from None
    return out


# -- elementwise -------------------------------------------------------------------------------
def _unary(prim):
    def op(x):
        return prim.bind(*_operands(x))

    op.__name__ = prim.name
    op.__doc__ = f"Elementwise {prim.doc}."
    return op


def _binary(prim):
    def op(x, y):
        return prim.bind(*_operands(x, y))

    op.__name__ = prim.name
    op.__doc__ = f"Elementwise {prim.doc}, with NumPy broadcasting."
    return op


negative = _unary(ew.neg)
abs = _unary(ew.abs_)  # NOTE: shadows the builtin on purpose, as tf.abs / np.abs
sign = _unary(ew.sign)
exp = _unary(ew.exp)
expm1 = _unary(ew.expm1)
log = _unary(ew.log)
log1p = _unary(ew.log1p)
sqrt = _unary(ew.sqrt)
rsqrt = _unary(ew.rsqrt)
tanh = _unary(ew.tanh)
erf = _unary(ew.erf)
sin = _unary(ew.sin)
cos = _unary(ew.cos)
floor = _unary(ew.floor)
ceil = _unary(ew.ceil)
sigmoid = _unary(ew.sigmoid)
relu = _unary(ew.relu)
gelu_exact = _unary(ew.gelu)
logical_not = _unary(ew.logical_not)

add = _binary(ew.add)
subtract = _binary(ew.sub)
multiply = _binary(ew.mul)
maximum = _binary(ew.maximum)
minimum = _binary(ew.minimum)
logical_and = _binary(ew.logical_and)
logical_or = _binary(ew.logical_or)


def divide(x, y) -> Tensor:
    """True division; integer tensors are first cast to float32 (as `/` does in JAX)."""
    x, y = _operands(x, y)
    if not x.dtype.is_float:
        x, y = cast(x, "float32"), cast(y, "float32")
    return ew.div.bind(x, y)


def floordiv(x, y) -> Tensor:
    """Floor division (`//`) with NumPy's results; integer division by zero gives 0."""
    x, y = _operands(x, y)
    if not x.dtype.is_float:
        return ew.div.bind(x, y)
    # NOTE: floor(x / y) is off by one when x / y rounds up to an integer (1.0 // 0.1 is 9.0):
    # NumPy's divmod works from the exact remainder instead.
    r = ew.rem.bind(x, y)
    q = ew.div.bind(x - r, y)
    q = where(_sign_differs(r, y), q - 1, q)
    whole = floor(q)
    q = where(q - whole > 0.5, whole + 1, whole)
    q = where(equal(q, 0), ew.div.bind(x, y) * 0, q)  # keeps the sign of a zero quotient
    return where(equal(y, 0), ew.div.bind(x, y), q)


def mod(x, y) -> Tensor:
    """Remainder with the sign of y (`%`, as Python and NumPy); x mod 0 is 0 for integers."""
    x, y = _operands(x, y)
    r = ew.rem.bind(x, y)
    r = where(_sign_differs(r, y), r + y, r)
    if x.dtype.is_float:  # a zero remainder takes the sign of y, as in NumPy
        signed_zero = where(less(y, 0), constant(-0.0, r.dtype), constant(0.0, r.dtype))
        r = where(equal(r, 0), signed_zero, r)
    return r


def fmod(x, y) -> Tensor:
    """Remainder with the sign of x (C's fmod, np.fmod)."""
    return ew.rem.bind(*_operands(x, y))


def _sign_differs(r, y) -> Tensor:
    """r != 0 and r, y of opposite signs: where a truncated remainder needs a floor fix."""
    return logical_and(not_equal(r, 0), not_equal(less(r, 0), less(y, 0)))


def pow(x, y) -> Tensor:  # NOTE: shadows the builtin on purpose, as tf.pow
    """x ** y. Small integer exponents become multiplications (also for integer tensors)."""
    if isinstance(y, int) and not isinstance(y, bool) and 1 <= y <= 4 and _is_tensor_like(x):
        (x,) = _operands(x)
        out = x
        for _ in range(y - 1):
            out = multiply(out, x)
        return out
    return ew.pow_.bind(*_operands(x, y))


def square(x) -> Tensor:
    return pow(x, 2)


def reciprocal(x) -> Tensor:
    return divide(1.0, x)


def _comparison(predicate: str, doc: str):
    def op(x, y):
        return ew.compare.bind(*_operands(x, y), predicate=predicate)

    op.__name__ = {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
                   "gt": "greater", "ge": "greater_equal"}[predicate]
    op.__doc__ = f"Elementwise x {doc} y, as a bool tensor."
    return op


equal = _comparison("eq", "==")
not_equal = _comparison("ne", "!=")
less = _comparison("lt", "<")
less_equal = _comparison("le", "<=")
greater = _comparison("gt", ">")
greater_equal = _comparison("ge", ">=")


def where(condition, x, y) -> Tensor:
    """Elementwise `x if condition else y`, with broadcasting."""
    (condition,) = _operands(condition)
    x, y = _operands(x, y)
    return ew.select.bind(condition, x, y)


def cast(x, dtype) -> Tensor:
    """x converted to `dtype` (float to int truncates toward zero; to bool is x != 0)."""
    (x,) = _operands(x)
    dtype = dtypes.as_dtype(dtype)
    return x if x.dtype is dtype else ew.cast.bind(x, dtype=dtype)


# -- linear algebra ----------------------------------------------------------------------------
def matmul(x, y) -> Tensor:
    """Matrix product with NumPy's rules: 1-D operands are vectors, leading dims broadcast."""
    x, y = _operands(x, y)
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(at_user_line(
            f"matmul: operands must have rank >= 1, received shapes {x.shape} and {y.shape}"))
    xv, yv = x.ndim == 1, y.ndim == 1
    if xv:
        x = reshape(x, (1,) + x.shape)
    if yv:
        y = reshape(y, y.shape + (1,))
    out = st.matmul.bind(x, y)
    if xv or yv:
        shape = out.shape[:-2] + (() if xv else out.shape[-2:-1]) + (() if yv else out.shape[-1:])
        out = reshape(out, shape)
    return out


# -- reductions --------------------------------------------------------------------------------
def _reduction(prim):
    def op(x, axis=None, keepdims=False):
        (x,) = _operands(x)
        return prim.bind(x, axes=_axes(prim.name, axis, x.ndim), keepdims=bool(keepdims))

    op.__name__ = prim.name
    op.__doc__ = f"The {prim.doc}; axis=None reduces all axes."
    return op


def _axes(op: str, axis, ndim: int) -> tuple[int, ...]:
    try:
        return normalize_axes(axis, ndim)
    except ShapeError as err:
        raise ShapeError(at_user_line(f"{op}: {err}")) from None


reduce_sum = _reduction(red.reduce_sum)
reduce_mean = _reduction(red.reduce_mean)
reduce_max = _reduction(red.reduce_max)
reduce_min = _reduction(red.reduce_min)


# -- shapes ------------------------------------------------------------------------------------
def reshape(x, shape) -> Tensor:
    """x with a new shape; one dimension may be -1 and is inferred."""
    (x,) = _operands(x)
    shape = [int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,))]
    if shape.count(-1) > 1:
        raise ShapeError(at_user_line(f"reshape: at most one dimension may be -1, received {shape}"))
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise ShapeError(at_user_line(f"reshape: cannot reshape a tensor of shape {x.shape} "
                                          f"into shape {tuple(shape)}"))
        shape[shape.index(-1)] = x.size // known
    return st.reshape.bind(x, shape=tuple(shape))


def transpose(x, perm=None) -> Tensor:
    """x with its dims permuted (reversed when perm is None)."""
    (x,) = _operands(x)
    if perm is None:
        return st.transpose.bind(x, perm=tuple(reversed(range(x.ndim))))
    perm = tuple(int(p) for p in perm)
    if any(not -x.ndim <= p < x.ndim for p in perm):
        raise ShapeError(at_user_line(
            f"transpose: perm {list(perm)} is out of range for a tensor of rank {x.ndim}"))
    return st.transpose.bind(x, perm=tuple(p % x.ndim for p in perm))


def broadcast_to(x, shape) -> Tensor:
    (x,) = _operands(x)
    return st.broadcast_to.bind(x, shape=tuple(int(d) for d in shape))


def expand_dims(x, axis: int) -> Tensor:
    (x,) = _operands(x)
    axis = axis if axis >= 0 else x.ndim + 1 + axis
    if not 0 <= axis <= x.ndim:
        raise ShapeError(at_user_line(f"expand_dims: axis {axis} is out of range for rank {x.ndim}"))
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def squeeze(x, axis=None) -> Tensor:
    (x,) = _operands(x)
    axes = [i for i, d in enumerate(x.shape) if d == 1] if axis is None else _axes("squeeze", axis, x.ndim)
    for a in axes:
        if x.shape[a] != 1:
            raise ShapeError(at_user_line(f"squeeze: dim {a} of shape {x.shape} is not 1"))
    return reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def concat(values, axis: int = 0) -> Tensor:
    """Joins tensors along `axis` (the dialect's concat is binary; this chains it)."""
    values = _operands(*values)
    if not values:
        raise ShapeError(at_user_line("concat: expected at least one tensor, received none"))
    rank = values[0].ndim
    axis = axis + rank if axis < 0 else axis
    out = values[0]
    for v in values[1:]:
        out = st.concat.bind(out, v, axis=axis)
    return out


def stack(values, axis: int = 0) -> Tensor:
    values = _operands(*values)
    return concat([expand_dims(v, axis) for v in values], axis=axis if axis >= 0 else axis)


def slice(x, begin, size) -> Tensor:  # NOTE: shadows the builtin on purpose, as tf.slice
    """The block of `x` starting at `begin` with extent `size` (-1: to the end), as tf.slice."""
    (x,) = _operands(x)
    if len(begin) != x.ndim or len(size) != x.ndim:
        raise ShapeError(at_user_line(
            f"slice: begin and size need {x.ndim} entries, received {list(begin)} and {list(size)}"))
    limit = [d if s == -1 else b + s for b, s, d in zip(begin, size, x.shape)]
    return st.slice_.bind(x, start=tuple(begin), limit=tuple(limit), stride=(1,) * x.ndim)


def getitem(x: Tensor, index) -> Tensor:
    """NumPy basic indexing: ints, slices with positive steps, None and Ellipsis."""
    items = list(index) if isinstance(index, tuple) else [index]
    for item in items:
        if not (item is None or item is Ellipsis or isinstance(item, (int, np.integer, builtins.slice))):
            raise TracingError(at_user_line(
                f"indexing: expected ints, slices, None or ..., received {type(item).__name__}"))
    if items.count(Ellipsis) > 1:
        raise ShapeError(at_user_line("indexing: an index can only have a single ellipsis"))
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    if consumed > x.ndim:
        raise ShapeError(at_user_line(f"indexing: too many indices ({consumed}) for shape {x.shape}"))
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [_full_slice()] * (x.ndim - consumed)
    else:
        items += [_full_slice()] * (x.ndim - consumed)
    start, limit, stride, out_shape, dim = [], [], [], [], 0
    for item in items:
        if item is None:
            out_shape.append(1)
            continue
        size = x.shape[dim]
        if isinstance(item, (int, np.integer)):
            i = int(item) + size if item < 0 else int(item)
            if not 0 <= i < size:
                raise ShapeError(at_user_line(f"indexing: index {int(item)} is out of bounds for "
                                              f"axis {dim} with size {size}"))
            start.append(i), limit.append(i + 1), stride.append(1)
        else:
            if item.step is not None and item.step <= 0:
                raise ShapeError(at_user_line(f"indexing: slice steps must be positive, received {item.step}"))
            s, e, step = item.indices(size)
            e = max(e, s)
            start.append(s), limit.append(e), stride.append(step)
            out_shape.append(-(-(e - s) // step))
        dim += 1
    out = x
    if (tuple(start), tuple(limit)) != ((0,) * x.ndim, x.shape) or any(s != 1 for s in stride):
        out = st.slice_.bind(x, start=tuple(start), limit=tuple(limit), stride=tuple(stride))
    return out if out.shape == tuple(out_shape) else reshape(out, tuple(out_shape))


def _full_slice():
    return builtins.slice(None)


def pad(x, paddings, constant_values=0) -> Tensor:
    """x padded with `constant_values`: paddings[i] = (before, after) for dim i (as tf.pad)."""
    (x,) = _operands(x)
    try:
        pairs = [(int(lo), int(hi)) for lo, hi in paddings]
    except (TypeError, ValueError):
        raise ShapeError(at_user_line(f"pad: paddings must be (before, after) pairs, received "
                                      f"{paddings!r}")) from None
    if len(pairs) != x.ndim:
        raise ShapeError(at_user_line(f"pad: need {x.ndim} (before, after) pairs for shape "
                                      f"{x.shape}, received {len(pairs)}"))
    attrs = {"low": tuple(p[0] for p in pairs), "high": tuple(p[1] for p in pairs),
             "interior": (0,) * x.ndim}
    padded = st.pad.bind(x, **attrs)
    if constant_values == 0:
        return padded
    inside = st.pad.bind(constant(True, shape=x.shape), **attrs)
    return where(inside, padded, constant(constant_values, x.dtype))


# -- indexing ----------------------------------------------------------------------------------
def gather(params, indices, axis: int = 0) -> Tensor:
    """Slices of `params` at `indices` along `axis`, as np.take / tf.gather: the result has
    shape params.shape[:axis] + indices.shape + params.shape[axis + 1:].

    Negative indices count from the end (as NumPy); out-of-range ones are clamped into
    [0, n - 1] (as XLA; compiled code cannot raise), so they never read outside params.

    Example:
        >>> em.gather(em.constant([[1, 2], [3, 4], [5, 6]]), [2, 0]).numpy()
        array([[5, 6],
               [1, 2]], dtype=int32)
    """
    (params,) = _operands(params)
    (indices,) = _operands(indices)
    if not -params.ndim <= axis < params.ndim:
        raise ShapeError(at_user_line(f"gather: axis {axis} is out of range for params of shape "
                                      f"{params.shape}"))
    if indices.dtype.name not in ("int32", "int64"):
        raise DTypeError(at_user_line(f"gather: indices must be int32 or int64, received "
                                      f"{indices.dtype.name}"))
    axis %= params.ndim
    if params.dtype.is_bool:  # NOTE: bools are stored as bytes; gather them as int32
        return cast(ix.gather.bind(cast(params, "int32"), indices, axis=axis), "bool")
    return ix.gather.bind(params, indices, axis=axis)


def _arg_extreme(op: str, reduce, x, axis, output_type) -> Tensor:
    (x,) = _operands(x)
    if x.ndim == 0:
        raise ShapeError(at_user_line(f"{op}: expected a tensor of rank >= 1, received a scalar"))
    (axis,) = _axes(op, axis, x.ndim)
    if x.shape[axis] == 0:
        raise ShapeError(at_user_line(f"{op}: axis {axis} of shape {x.shape} is empty"))
    index_dtype = dtypes.as_dtype(output_type)
    if index_dtype.name not in ("int32", "int64"):
        raise DTypeError(at_user_line(f"{op}: output_type must be int32 or int64, received "
                                      f"{index_dtype.name}"))
    if x.dtype.is_bool:
        x = cast(x, "int32")
    hit = equal(x, reduce(x, axis=axis, keepdims=True))
    if x.dtype.is_float:  # NaN is the extreme, as in NumPy (the reduction propagates it)
        hit = logical_or(hit, not_equal(x, x))
    positions = ix.iota.bind(shape=tuple(d if i == axis else 1 for i, d in enumerate(x.shape)),
                             axis=axis, dtype=index_dtype)
    return reduce_min(where(hit, positions, constant(x.shape[axis], index_dtype)), axis=axis)


def argmax(x, axis: int = -1, output_type="int64") -> Tensor:
    """Index of the first maximum along `axis` (first NaN if any), as np.argmax / tf.argmax.

    Example:
        >>> em.argmax(em.constant([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])).numpy()
        array([1, 0])
    """
    return _arg_extreme("argmax", reduce_max, x, axis, output_type)


def argmin(x, axis: int = -1, output_type="int64") -> Tensor:
    """Index of the first minimum along `axis` (first NaN if any), as np.argmin / tf.argmin."""
    return _arg_extreme("argmin", reduce_min, x, axis, output_type)


def one_hot(indices, depth: int, dtype="float32", on_value=1, off_value=0) -> Tensor:
    """indices.shape + (depth,): on_value where the last index equals the index, else
    off_value; indices outside [0, depth) give a row of off_value (as tf.one_hot).

    Example:
        >>> em.one_hot([2, 0, 5], 3).numpy()
        array([[0., 0., 1.],
               [1., 0., 0.],
               [0., 0., 0.]], dtype=float32)
    """
    (indices,) = _operands(indices)
    if indices.dtype.name not in ("int32", "int64"):
        raise DTypeError(at_user_line(f"one_hot: indices must be int32 or int64, received "
                                      f"{indices.dtype.name}"))
    if not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(at_user_line(f"one_hot: depth must be an int >= 0, received depth={depth!r}"))
    dtype = dtypes.as_dtype(dtype)
    classes = ix.iota.bind(shape=(int(depth),), axis=0, dtype=indices.dtype)
    hit = equal(expand_dims(indices, -1), classes)
    if (on_value, off_value) == (1, 0):
        return cast(hit, dtype)
    return where(hit, constant(on_value, dtype), constant(off_value, dtype))


def arange(start, limit=None, delta=1, dtype=None) -> Tensor:
    """start, start + delta, ... up to (not including) limit, as tf.range (`em.range`) and
    np.arange; Python numbers only. The dtype is int32 for ints, else float32.

    Example:
        >>> em.range(1, 10, 3).numpy()
        array([1, 4, 7], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    for name, value in (("start", start), ("limit", limit), ("delta", delta)):
        if isinstance(value, Tensor) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(at_user_line(f"range: {name} must be a Python number (the size is "
                                         f"static), received {name}={value!r}"))
    if delta == 0:
        raise ValueError(at_user_line("range: delta must not be 0"))
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, limit, delta))
        dtype = "int32" if ints else "float32"
    size = max(int(np.ceil((limit - start) / delta)), 0)
    steps = ix.iota.bind(shape=(size,), axis=0, dtype=dtypes.as_dtype(dtype))
    return steps * delta + start
