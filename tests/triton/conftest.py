"""The triton backend's tests: generated kernels run in Triton's interpreter on the CPU
(TRITON_INTERPRET=1, set here before triton is imported) unless a CUDA device is present.
Tests marked `gpu` need that device and are skipped without one."""
from __future__ import annotations

import os

import pytest


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


if not _cuda():
    os.environ.setdefault("TRITON_INTERPRET", "1")


def pytest_collection_modifyitems(config, items):
    if _cuda():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device (none is present)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
