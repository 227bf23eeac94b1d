"""`em.device` picks the backend of functions that name none, at trace time."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from gpu_testing import assert_close, pytestmark  # noqa: F401


def test_device_selects_the_backend_when_traced():
    f = em.function(lambda x: em.exp(x) + 1.0)
    x = np.linspace(-1, 1, 8, dtype=np.float32)
    cpu = f(x)
    assert f.get_concrete_function(x).backend.name == "cpu"
    with em.device("gpu"):
        assert em.device.current() == "gpu"
        gpu = f(x)
        concrete = f.get_concrete_function(x)
        assert concrete.backend.name == "triton"
        assert concrete._executable is not None, "the call under em.device('gpu') ran another backend"
        assert "triton" in f.lower(x).stage_names
    assert em.device.current() == "cpu"
    assert f.get_concrete_function(x).backend.name == "cpu"
    assert_close(gpu.numpy(), cpu.numpy())


def test_an_explicit_backend_wins_over_the_device():
    f = em.function(lambda x: x * 2.0, backend="cpu")
    with em.device("gpu"):
        assert f.get_concrete_function(np.ones(3, np.float32)).backend.name == "cpu"


def test_unknown_device_names_what_is_accepted():
    with pytest.raises(em.EmberError, match=r"expected one of 'cpu', 'gpu', received 'tpu'"):
        em.device("tpu")


def test_the_triton_stage_is_listed_and_printed():
    f = em.function(lambda x: em.nn.relu(x) * 3.0, backend="triton")
    lowered = f.lower(np.ones((2, 3), np.float32))
    assert lowered.stage_names == ["ember", "fused", "triton"]
    text = lowered.as_text("triton")
    assert "@triton.jit" in text and "def call(args, consts):" in text
    with pytest.raises(em.EmberError, match="unknown stage 'llvm'"):
        lowered.as_text("llvm")


def test_wrong_inputs_are_rejected_with_what_was_expected():
    f = em.function(lambda x: x + 1.0, backend="triton")
    executable = f.get_concrete_function(np.ones(3, np.float32)).executable
    with pytest.raises(em.EmberError, match=r"expected float32\[3\], received float64\[3\]"):
        executable([np.ones(3)])


def test_device_buffers_hand_over_without_copies():
    import torch

    from ember.backends.triton.buffer import DeviceBuffer

    f = em.function(lambda x: x * 2.0, backend="triton")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    executable = f.get_concrete_function(x).executable
    buf = DeviceBuffer.from_numpy(x)
    (out,) = executable.run_device([buf])
    shared = torch.from_dlpack(DeviceBuffer(out))
    assert shared.data_ptr() == out.data_ptr()
    np.testing.assert_array_equal(DeviceBuffer(out).numpy(), x * 2)
    with pytest.raises(em.EmberError, match="expected a NumPy array, a DeviceBuffer or a DLPack producer"):
        executable.run_device([object()])
    (again,) = executable.run_device([DeviceBuffer.from_dlpack(buf)])
    np.testing.assert_array_equal(again.numpy(), x * 2)
