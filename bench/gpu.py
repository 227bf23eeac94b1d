"""GPU benchmark: ember's triton backend side by side with PyTorch eager and torch.compile
(Inductor, which also generates Triton), in one run.

    python bench/gpu.py             # on a CUDA machine with torch and triton installed
    python bench/gpu.py --dry-run   # no GPU: generate every program and compile it for sm_90

Rows: a fused elementwise chain on 64M float32 (GB/s against the card's bandwidth),
softmax and layernorm on 8192x8192, matmul 4096^3 with a bias+gelu epilogue in fp32 and
in half precision (TFLOP/s, and the ratio to torch.matmul), and a Keras MLP train step.
NOTE: ember has no bfloat16 dtype; the half-precision row runs ember in float16 (the same
tensor-core rate on H100) against torch in bfloat16 and float16.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BANDWIDTH_GBS = {"H100 SXM": 3350, "H100 PCIe": 2000, "H100": 3350, "H200": 4800, "A100": 2039}


def chain(x, a, b):
    import ember as em

    return em.nn.gelu(x * a + b, approximate=True) + x


def softmax(x):
    import ember as em

    return em.nn.softmax(x)


def layernorm(x, g, b):
    import ember as em

    m = em.reduce_mean(x, axis=-1, keepdims=True)
    v = em.reduce_mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) * em.rsqrt(v + 1e-5) * g + b


def dense(x, w, b):
    import ember as em

    return em.nn.gelu(x @ w + b)


def cases():
    """(name, ember fn, input shapes and dtypes, torch fn, work: (bytes moved, flops))."""
    import torch.nn.functional as F

    n, r, m = 64 * 2 ** 20, 8192, 4096
    f32, f16 = np.float32, np.float16
    return [
        ("chain 64M f32", chain, [((n,), f32), ((n,), f32), ((n,), f32)],
         lambda x, a, b: F.gelu(x * a + b, approximate="tanh") + x, (4 * 4 * n, 0)),
        ("softmax 8192^2 f32", softmax, [((r, r), f32)], lambda x: torch_softmax(x), (8 * r * r, 0)),
        ("layernorm 8192^2 f32", layernorm, [((r, r), f32), ((r,), f32), ((r,), f32)],
         lambda x, g, b: F.layer_norm(x, (r,), g, b, 1e-5), (8 * r * r, 0)),
        ("matmul+bias+gelu 4096^3 f32", dense, [((m, m), f32), ((m, m), f32), ((m,), f32)],
         lambda x, w, b: F.gelu(x @ w + b), (0, 2 * m ** 3)),
        ("matmul+bias+gelu 4096^3 f16 (torch bf16)", dense, [((m, m), f16), ((m, m), f16), ((m,), f16)],
         lambda x, w, b: F.gelu(x @ w + b), (0, 2 * m ** 3)),
    ]


def torch_softmax(x):
    import torch

    return torch.softmax(x, dim=-1)


def fused_program(fn, host_args):
    """The generated program of `fn` for these inputs, as a GPU would get it."""
    import ember as em
    from ember.backends.triton.program import generate
    from ember.passes.pipeline import FRONT_STAGES, run_stages
    from ember.runtime.lowered import parse

    concrete = em.function(fn, backend="triton").get_concrete_function(*host_args)
    module = parse(concrete.module_text)
    with module.context:
        run_stages(module, FRONT_STAGES)
    return generate(module, concrete.symbol, "cuda"), concrete


def mlp_model(batch):
    import ember as em

    model = em.keras.Sequential([em.keras.Input((784,)), em.keras.layers.Dense(1024, activation="relu"),
                                 em.keras.layers.Dense(1024, activation="relu"), em.keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=em.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).random((batch, 784), np.float32)
    y = np.random.default_rng(1).integers(0, 10, batch).astype(np.int32)
    return model, x, y


def dry_run() -> None:
    os.environ.setdefault("TRITON_INTERPRET", "1")   # the backend is "available" without a GPU
    import ember as em
    from ember.backends.triton.aot import compile_programs

    programs = []
    for name, fn, specs, _, _ in cases():
        program, _ = fused_program(fn, [np.empty(s, d) for s, d in specs])
        programs.append(program)
        print(f"{name:44s} {len(program.kernels)} kernel(s): {', '.join(k.name for k in program.kernels)}")
    model, x, y = mlp_model(256)
    with em.device("gpu"):
        model.train_function(x, y)           # builds the model (runs once in the interpreter)
        concrete = model.train_function.get_concrete_function(x, y)
    program, _ = _program_of(concrete)
    programs.append(program)
    print(f"{'MLP train step (784-1024-1024-10, b=256)':44s} {len(program.kernels)} kernel(s), "
          f"{len(program.fallbacks)} host op(s)")
    start = time.perf_counter()
    compiled = compile_programs(programs)
    print(f"compiled {len(compiled)} kernels (every autotune config) for sm_90 in "
          f"{time.perf_counter() - start:.1f} s: OK")


def _program_of(concrete):
    from ember.backends.triton.program import generate
    from ember.passes.pipeline import FRONT_STAGES, run_stages
    from ember.runtime.lowered import parse

    module = parse(concrete.module_text)
    with module.context:
        run_stages(module, FRONT_STAGES)
    return generate(module, concrete.symbol, "cuda"), concrete


def run() -> None:
    import torch
    from triton.testing import do_bench

    import ember as em

    props = torch.cuda.get_device_properties(0)
    peak = next((v for k, v in BANDWIDTH_GBS.items() if k in props.name), None)
    probe = torch.empty(2 ** 28, dtype=torch.uint8, device="cuda")
    copy_ms = do_bench(lambda: probe.clone())
    copy_gbs = 2 * probe.numel() / copy_ms / 1e6
    print(f"device: {props.name}; nominal bandwidth {peak or '?'} GB/s, measured copy {copy_gbs:.0f} GB/s")
    print(f"{'case':44s} {'ember':>12s} {'torch eager':>12s} {'torch.compile':>14s}   notes")
    for name, fn, specs, torch_fn, (nbytes, flops) in cases():
        host = [np.random.default_rng(0).standard_normal(s).astype(d) for s, d in specs]
        _, concrete = fused_program(fn, host)
        executable = concrete.executable
        dev = [torch.from_numpy(a).cuda() for a in host]
        tdev = [t.to(torch.bfloat16) for t in dev] if "bf16" in name else dev
        times = [do_bench(lambda: executable.run_device(dev)), do_bench(lambda: torch_fn(*tdev))]
        compiled = torch.compile(torch_fn)
        compiled(*tdev)
        times.append(do_bench(lambda: compiled(*tdev)))
        if flops:
            rate = [f"{flops / t / 1e9:9.1f} TF/s" for t in times]
            mm_ms = do_bench(lambda: tdev[0] @ tdev[1])
            note = f"ember / torch.matmul = {mm_ms / times[0]:.2f}"
        else:
            rate = [f"{nbytes / t / 1e6:9.0f} GB/s" for t in times]
            note = f"ember at {100 * nbytes / times[0] / 1e6 / (peak or copy_gbs):.0f}% of peak"
        print(f"{name:44s} {rate[0]:>12s} {rate[1]:>12s} {rate[2]:>14s}   {note}")
    model, x, y = mlp_model(512)
    with em.device("gpu"):
        model.train_function(x, y)
        ember_ms = _time(lambda: model.train_function(x, y))
    tm = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                             torch.nn.ReLU(), torch.nn.Linear(1024, 10)).cuda()
    opt = torch.optim.Adam(tm.parameters())
    tx, ty = torch.from_numpy(x).cuda(), torch.from_numpy(y).long().cuda()

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(tm(tx), ty)
        loss.backward()
        opt.step()
    eager_ms = _time(step, sync=True)
    cstep = torch.compile(step)
    cstep()
    compiled_ms = _time(cstep, sync=True)
    print(f"{'MLP train step 784-1024-1024-10, b=512':44s} {ember_ms:9.2f} ms {eager_ms:9.2f} ms "
          f"{compiled_ms:11.2f} ms   ember's includes host in/out copies (NumPy step contract)")


def _time(fn, sync=False, reps=20) -> float:
    import torch

    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / reps * 1e3


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true",
                        help="no GPU: generate every program and compile its kernels for sm_90")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(ROOT))
    if args.dry_run:
        dry_run()
        return
    import torch

    if not torch.cuda.is_available():
        sys.exit("bench/gpu.py needs a CUDA device; use --dry-run to generate and compile only")
    run()


if __name__ == "__main__":
    main()
