"""runtime/allocator.py: glibc's heap thresholds, set once when the CPU backend starts."""
import subprocess
import sys

import pytest

from ember.runtime import allocator

PROBE = """
import ctypes, json, sys
import ember.backends.cpu as cpu
cpu.CPUBackend()
from ember.runtime import allocator
print(json.dumps(allocator.keep_heap()))
"""


def _glibc() -> bool:
    import ctypes

    try:
        ctypes.CDLL(None).gnu_get_libc_version
    except AttributeError:
        return False
    return True


@pytest.mark.skipif(not _glibc(), reason="mallopt thresholds are glibc's")
def test_the_cpu_backend_keeps_the_heap():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "true"


def test_env_leaves_the_defaults(monkeypatch):
    monkeypatch.setenv(allocator.ENV, "0")
    allocator.keep_heap.cache_clear()
    try:
        assert allocator.keep_heap() is False
    finally:
        allocator.keep_heap.cache_clear()
        monkeypatch.delenv(allocator.ENV)
        allocator.keep_heap()


def test_thresholds_are_within_glibcs_limits():
    assert allocator.MMAP_BYTES <= 32 << 20 and allocator.TRIM_BYTES >= allocator.MMAP_BYTES
