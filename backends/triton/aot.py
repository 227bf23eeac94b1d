"""Compiling generated kernels for a GPU that is not there: `triton.compile` for a target
such as sm_90 needs no device (ptxas ships with triton), so code that only a GPU compiler
would reject is caught on a CPU-only machine.

Example:
    >>> program = TritonBackend().generate(module, "ember_f")
    >>> for k in compile_program(program): print(k["kernel"], k["cubin_bytes"])

NOTE: a process that imported triton under TRITON_INTERPRET=1 has triton's own library
(`tl.sum`, `tl.cdiv`, ...) made for the interpreter and cannot compile; there the kernels
are compiled in a fresh Python process (`python -m ember.backends.triton.aot`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from ...frontend.errors import CompileError

POINTER_TYPES = {"float16": "*fp16", "float32": "*fp32", "float64": "*fp64", "int32": "*i32",
                 "int64": "*i64", "bool": "*i1"}
SM90 = ("cuda", 90, 32)


def kernel_specs(program) -> list[dict]:
    """Per kernel: its name, pointer signature and the configs (constexprs, warps, stages)."""
    specs = []
    for kernel in program.kernels:
        n_in = len(kernel.args) - len(kernel.outputs)
        names = [f"in{i}" for i in range(n_in)] + [f"out{j}" for j in range(len(kernel.outputs))]
        specs.append({"name": kernel.name,
                      "signature": {n: POINTER_TYPES[v.aval.dtype.name] for n, v in zip(names, kernel.args)},
                      "configs": kernel.configs or [kernel.meta]})
    return specs


def compile_program(program, target=SM90) -> list[dict]:
    """Compiles every kernel of `program`, each autotune config, for `target`. Returns one
    summary per compiled kernel; raises CompileError naming the kernel and config that fail."""
    return compile_programs([program], target)


def compile_programs(programs, target=SM90) -> list[dict]:
    """compile_program for several programs (in one process)."""
    requests = [{"text": p.text, "name": f"ember_aot_{p.symbol}_{i}", "target": list(target),
                 "kernels": kernel_specs(p)} for i, p in enumerate(programs)]
    if not _in_process_ok():
        return _compile_in_subprocess(requests)
    return [k for r in requests for k in compile_request(r)]


def _in_process_ok() -> bool:
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        return False
    import triton.language as tl
    from triton.runtime.jit import JITFunction

    return isinstance(tl.cdiv, JITFunction)


def _compile_in_subprocess(requests: list) -> list[dict]:
    env = dict(os.environ)
    env.pop("TRITON_INTERPRET", None)
    env.setdefault("TRITON_DEFAULT_FP_FUSION", "1")
    done = subprocess.run([sys.executable, "-m", "ember.backends.triton.aot"], input=json.dumps(requests),
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise CompileError(f"compiling generated kernels for a GPU failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compile_request(request: dict) -> list[dict]:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    from .runtime import load_source

    module = load_source(request["text"], request["name"])
    target = GPUTarget(*request["target"])
    out = []
    for spec in request["kernels"]:
        fn = getattr(module, spec["name"])
        if isinstance(fn, triton.runtime.Autotuner):     # it wraps the JITFunction
            fn = fn.fn
        for config in spec["configs"]:
            constexprs = {k: v for k, v in config.items() if k not in ("num_warps", "num_stages")}
            options = {k: config[k] for k in ("num_warps", "num_stages") if k in config}
            signature = dict(spec["signature"], **{k: "constexpr" for k in constexprs})
            try:
                compiled = triton.compile(ASTSource(fn=fn, signature=signature, constexprs=constexprs),
                                          target=target, options=options)
            except Exception as err:
                raise CompileError(f"kernel '{spec['name']}' with {config} does not compile for "
                                   f"{tuple(request['target'])}: {err}") from err
            out.append({"kernel": spec["name"], "config": config,
                        "ptx_bytes": len(compiled.asm["ptx"]), "cubin_bytes": len(compiled.asm["cubin"])})
    return out


def main() -> None:
    requests = json.loads(sys.stdin.read())
    try:
        result = [k for r in requests for k in compile_request(r)]
    except CompileError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
