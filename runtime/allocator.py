"""The C heap that compiled code and NumPy share: kept, not handed back to the OS per step.

Compiled functions allocate their intermediates with `malloc` and their outputs are fresh
NumPy arrays, so a training step allocates and frees the same few megabytes every call.
glibc serves blocks above its mmap threshold with fresh `mmap`s and returns free memory at
the top of the heap to the OS (trimming); either way every step touches new pages, and the
page faults cost more than the kernels: a Keras MLP step (784-512-512-10, batch 128, one
thread) spent 21% of its time in the kernel and ran at 176-188 steps/s, against 241-250 with
the heap kept. (Before compiled code ran in shared libraries, LLVM's own allocations in the
process happened to keep the heap large.)

`keep_heap()` raises the mmap threshold to glibc's largest (32 MiB) and the trim threshold to
`TRIM_BYTES`, like the allocator caches of other frameworks: up to that much freed memory
stays in the process. `EMBER_KEEP_HEAP=0` leaves glibc's defaults. Other C libraries are left
alone.
"""
from __future__ import annotations

import ctypes
import functools
import os

ENV = "EMBER_KEEP_HEAP"
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # glibc's mallopt parameters (malloc.h)
MMAP_BYTES = 32 << 20                           # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
TRIM_BYTES = 256 << 20


@functools.cache
def keep_heap() -> bool:
    """Sets glibc's thresholds once per process; True where it did."""
    if os.environ.get(ENV, "1").strip() == "0":
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version   # NOTE: raises AttributeError outside glibc
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_BYTES))
