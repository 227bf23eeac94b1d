"""`em.Tensor` (eager and symbolic) and ember's dtypes: conversions, Python protocols."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import ember as em
from ember.frontend import dtypes


# -- making tensors ----------------------------------------------------------------------------
@pytest.mark.parametrize("value, dtype", [
    (1.5, em.float32), ([1.0, 2.0], em.float32), (3, em.int32), ([[1, 2]], em.int32),
    (2 ** 40, em.int64), ([1, 2 ** 33], em.int64), (True, em.bool), ([True, False], em.bool),
    (np.float64(1.0), em.float64), (np.ones(2, np.int64), em.int64), (np.ones(2, np.float16), em.float16),
])
def test_constant_dtypes_follow_tensorflow(value, dtype):
    assert em.constant(value).dtype is dtype


def test_constant_with_dtype_and_shape():
    assert em.constant(1, dtype="float64").dtype is em.float64
    assert em.constant([1, 2], dtype=em.int64).numpy().tolist() == [1, 2]
    assert em.constant(2.0, shape=(2, 3)).numpy().tolist() == [[2.0] * 3] * 2
    assert em.constant([1.0, 2.0, 3.0, 4.0], shape=(2, 2)).shape == (2, 2)
    with pytest.raises(em.DTypeError, match="cannot convert the float value 1.5 to int32"):
        em.constant(1.5, dtype="int32")
    with pytest.raises(em.DTypeError, match="uint8"):
        em.constant(np.ones(2, np.uint8))


def test_constant_copies_and_numpy_is_read_only():
    source = np.array([1.0, 2.0], np.float32)
    x = em.constant(source)
    source[0] = 100.0
    assert x.numpy().tolist() == [1.0, 2.0]
    assert not x.numpy().flags.writeable
    with pytest.raises(ValueError):
        x.numpy()[0] = 5.0
    assert em.constant(x) is x and em.convert_to_tensor is em.constant


def test_zeros_ones_and_likes():
    assert em.zeros((2, 3)).dtype is em.float32 and em.zeros((2, 3)).numpy().sum() == 0
    assert em.ones((3,), "int64").numpy().tolist() == [1, 1, 1]
    like = em.constant(np.arange(6, dtype=np.int32).reshape(2, 3))
    assert em.zeros_like(like).dtype is em.int32 and em.ones_like(like).shape == (2, 3)


# -- Python protocols --------------------------------------------------------------------------
def test_shape_dtype_ndim_size_len():
    x = em.constant(np.zeros((2, 3, 4), np.float64))
    assert (x.shape, x.dtype, x.ndim, x.size, len(x)) == ((2, 3, 4), em.float64, 3, 24, 2)


def test_conversions_to_python_and_numpy():
    assert float(em.constant(2.5)) == 2.5 and int(em.constant(7)) == 7
    assert bool(em.constant(1.0)) and not bool(em.constant([0]))
    assert list(range(em.constant(3))) == [0, 1, 2]  # __index__
    x = em.constant([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(x).dtype == np.float32 and np.asarray(x, np.float64).dtype == np.float64
    assert np.sum(x) == 10.0
    rows = list(x)
    assert len(rows) == 2 and rows[1].numpy().tolist() == [3.0, 4.0]


def test_numpy_arrays_defer_to_tensors():
    out = np.ones(2, np.float32) + em.constant([1.0, 2.0])
    assert isinstance(out, em.Tensor) and out.numpy().tolist() == [2.0, 3.0]
    out = np.ones((2, 2), np.float32) @ em.constant(np.eye(2, dtype=np.float32))
    assert isinstance(out, em.Tensor)


def test_methods_and_properties():
    x = em.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert x.T.shape == (3, 2)
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.reshape(-1, 1).shape == (6, 1)
    assert x.astype("int32").dtype is em.int32
    assert +x is x


def test_repr_and_pickle():
    x = em.constant([[1.0, 2.0]])
    assert repr(x).startswith("<em.Tensor: shape=(1, 2), dtype=float32, numpy=")
    y = pickle.loads(pickle.dumps(x))
    assert isinstance(y, em.Tensor) and y.numpy().tolist() == [[1.0, 2.0]]


def test_symbolic_tensor_repr():
    seen = []

    @em.function
    def probe(a):
        seen.append(repr(a))
        return a

    probe(np.ones(2))
    assert seen == ["<em.Tensor (symbolic) shape=(2,), dtype=float64, in the trace of "
                    "'test_symbolic_tensor_repr.<locals>.probe'>"]


# -- dtypes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling, dtype", [
    ("float32", em.float32), (em.int64, em.int64), (np.float64, em.float64), (np.dtype("int32"), em.int32),
    (bool, em.bool), (float, em.float32), (int, em.int32), ("bool", em.bool), (np.bool_, em.bool),
])
def test_as_dtype(spelling, dtype):
    assert dtypes.as_dtype(spelling) is dtype


def test_dtype_properties():
    assert em.bool is em.bool_ and repr(em.float32) == "em.float32"
    all_dtypes = (em.float16, em.float32, em.float64, em.int32, em.int64, em.bool)
    assert [d.bits for d in all_dtypes] == [16, 32, 64, 32, 64, 1]
    assert em.float32.is_float and em.int32.is_int and em.bool.is_bool and not em.bool.is_int
    assert pickle.loads(pickle.dumps(em.float64)) is em.float64
    assert em.int64.numpy == np.dtype("int64") and em.bool.mlir == "i1"
    with pytest.raises(em.DTypeError, match="expected one of: float16, float32, float64, int32, int64, bool"):
        dtypes.as_dtype("bfloat16")
