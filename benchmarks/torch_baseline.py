#!/usr/bin/env python3
"""What most users would run: torch.matmul on the precisions and shapes of aaco_bench_compute.

Times PyTorch's matrix multiply with CUDA events for the same precisions, shapes and operand
distributions as benchmarks/compute.cpp, so that aaco's ceilings can be set beside it:

  fp16, bf16   torch.matmul, fp32 accumulation (PyTorch's default)
  tf32         torch.matmul on fp32 tensors with torch.backends.cuda.matmul.allow_tf32 = True
  fp32         torch.matmul on fp32 tensors with allow_tf32 = False (plain SGEMM)
  fp64         torch.matmul on fp64 tensors
  fp8          torch._scaled_mm on float8_e4m3fn tensors (scales 1.0, bf16 out), where available
  int8         torch._int_mm (int8 in, int32 out), where available

Operands (aaco.random_operand_distribution): floating types uniform in [-1, 1] rounded to the
type; int8 uniform over [-128, 127]. Layout: A is M x K row-major and B is given as N x K
row-major and transposed (the "TN" form cuBLASLt uses in aaco_bench_compute).

Method: per shape, a warm-up of at least --warmup-ms of device time, then --samples samples;
each sample times several back-to-back calls (enough for about --sample-ms) between two CUDA
events, so the host cost of one call stays out of the figure as far as eager PyTorch allows.
The figure is the median over samples; the table also prints the CoV and the best shape per
precision. This is a plain user-level baseline, not aaco's sampler: compare it with the library
rows of aaco_bench_compute, which time cuBLASLt through aaco::measure.

Exits 0 with a clear message when PyTorch or a CUDA GPU is missing; 1 on an error.

Usage: python3 benchmarks/torch_baseline.py [--device N] [--quick] [--json FILE]
       [--precisions fp16,bf16,...]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time

# Same shapes as benchmarks/compute.cpp (shapes_for): M, N, K.
FAST_SHAPES = [(8192, 8192, 8192), (12288, 12288, 12288), (16384, 16384, 8192),
               (8192, 8192, 16384), (16384, 16384, 16384)]
SLOW_SHAPES = [(4096, 4096, 4096), (4096, 4096, 16384), (8192, 8192, 4096), (8192, 8192, 8192)]
PRECISIONS = ["fp16", "bf16", "tf32", "fp32", "fp64", "fp8", "int8"]


def shapes_for(prec: str):
    return SLOW_SHAPES if prec in ("fp32", "fp64") else FAST_SHAPES


def operand_distribution(prec: str) -> str:
    """The strings of aaco::random_operand_distribution."""
    return "uniform int8 [-128, 127]" if prec == "int8" else "uniform [-1, 1]"


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", type=int, default=0, help="CUDA device ordinal (default 0)")
    ap.add_argument("--quick", action="store_true", help="fewer samples, one shape per precision")
    ap.add_argument("--samples", type=int, default=30, help="timed samples per shape (default 30)")
    ap.add_argument("--sample-ms", type=float, default=20.0,
                    help="device time per sample, the length of aaco's compute samples (default 20)")
    ap.add_argument("--warmup-ms", type=float, default=200.0,
                    help="device time of warm-up per shape (default 200)")
    ap.add_argument("--precisions", default=",".join(PRECISIONS),
                    help="comma-separated subset of " + ",".join(PRECISIONS))
    ap.add_argument("--json", default="", help="write every row as JSON to this file")
    args = ap.parse_args(argv)
    args.precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    bad = [p for p in args.precisions if p not in PRECISIONS]
    if bad:
        ap.error(f"unknown precision(s) {bad}; expected a subset of {PRECISIONS}")
    if args.samples < 10:
        ap.error(f"--samples must be >= 10 (a median of fewer is too noisy), got {args.samples}")
    if args.quick:
        args.samples = 10
        args.warmup_ms = min(args.warmup_ms, 50.0)
    return args


def load_torch():
    """torch, or None with the reason printed."""
    try:
        import torch  # noqa: PLC0415  (optional dependency)
    except ImportError as e:
        print(f"torch_baseline: PyTorch is not installed ({e}); nothing to measure.")
        return None
    if not torch.cuda.is_available():
        print("torch_baseline: PyTorch sees no CUDA GPU; nothing to measure.")
        return None
    return torch


def make_operands(torch, prec: str, m: int, n: int, k: int, device):
    """A (M x K) and B (N x K), drawn as aaco draws them, in the precision's input type."""
    gen = torch.Generator(device=device)
    gen.manual_seed(11)
    if prec == "int8":
        a = torch.randint(-128, 128, (m, k), dtype=torch.int8, device=device, generator=gen)
        b = torch.randint(-128, 128, (n, k), dtype=torch.int8, device=device, generator=gen)
        return a, b
    base = {"fp16": torch.float16, "bf16": torch.bfloat16, "tf32": torch.float32,
            "fp32": torch.float32, "fp64": torch.float64, "fp8": torch.float32}[prec]
    a = torch.rand((m, k), dtype=base, device=device, generator=gen) * 2 - 1
    b = torch.rand((n, k), dtype=base, device=device, generator=gen) * 2 - 1
    if prec == "fp8":
        a, b = a.to(torch.float8_e4m3fn), b.to(torch.float8_e4m3fn)
    return a, b


def make_call(torch, prec: str, a, b):
    """A zero-argument callable computing A x B^T in the precision, or None with the reason."""
    bt = b.t()
    if prec in ("fp16", "bf16", "tf32", "fp32", "fp64"):
        return lambda: torch.matmul(a, bt), None
    if prec == "fp8":
        if not hasattr(torch, "_scaled_mm") or not hasattr(torch, "float8_e4m3fn"):
            return None, "torch._scaled_mm / float8_e4m3fn not in this PyTorch"
        one = torch.ones((), dtype=torch.float32, device=a.device)
        return (lambda: torch._scaled_mm(a, bt, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)), None
    if prec == "int8":
        if not hasattr(torch, "_int_mm"):
            return None, "torch._int_mm not in this PyTorch"
        return (lambda: torch._int_mm(a, bt)), None
    return None, f"unknown precision {prec}"


def time_calls(torch, call, calls: int, stream) -> float:
    """Device milliseconds of `calls` back-to-back calls between two events."""
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record(stream)
    for _ in range(calls):
        call()
    stop.record(stream)
    stop.synchronize()
    return start.elapsed_time(stop)


def measure_shape(torch, prec: str, shape, args, device):
    m, n, k = shape
    row = {"precision": prec, "m": m, "n": n, "k": k, "operand_distribution": operand_distribution(prec),
           "tflops": None, "cov": None, "samples": 0, "calls_per_sample": 0, "error": ""}
    try:
        torch.backends.cuda.matmul.allow_tf32 = prec == "tf32"
        a, b = make_operands(torch, prec, m, n, k, device)
        call, why = make_call(torch, prec, a, b)
        if call is None:
            row["error"] = why
            return row
        stream = torch.cuda.current_stream(device)
        time_calls(torch, call, 1, stream)  # first call: library setup, not timed
        warmed = 0.0
        while warmed < args.warmup_ms:
            warmed += time_calls(torch, call, 1, stream)
        once_ms = max(time_calls(torch, call, 1, stream), 1e-3)
        calls = max(1, math.ceil(args.sample_ms / once_ms))
        flops = 2.0 * m * n * k * calls
        rates = [flops / (time_calls(torch, call, calls, stream) * 1e-3) * 1e-12 for _ in range(args.samples)]
        mean = statistics.fmean(rates)
        row.update(tflops=statistics.median(rates), cov=statistics.stdev(rates) / mean if mean else None,
                   samples=len(rates), calls_per_sample=calls, tflops_min=min(rates), tflops_max=max(rates))
    except Exception as e:  # noqa: BLE001  (one failing shape must not stop the others)
        row["error"] = f"{type(e).__name__}: {e}"
    finally:
        torch.backends.cuda.matmul.allow_tf32 = False
    return row


def print_table(rows):
    print(f"\n{'prec':<6} {'M x N x K':<22} {'TFLOPS':>9} {'CoV':>7} {'calls':>6}  note")
    for r in rows:
        shape = f"{r['m']} x {r['n']} x {r['k']}"
        t = f"{r['tflops']:.1f}" if r["tflops"] is not None else "-"
        c = f"{r['cov'] * 100:.2f}%" if r["cov"] is not None else "-"
        print(f"{r['precision']:<6} {shape:<22} {t:>9} {c:>7} {r['calls_per_sample']:>6}  {r['error']}")
    print("\nbest per precision (median over samples, best shape):")
    for prec in PRECISIONS:
        mine = [r for r in rows if r["precision"] == prec and r["tflops"] is not None]
        if mine:
            best = max(mine, key=lambda r: r["tflops"])
            print(f"  {prec:<5} {best['tflops']:9.1f} TFLOP/s at {best['m']} x {best['n']} x {best['k']}")


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    torch = load_torch()
    if torch is None:
        return 0
    device = torch.device("cuda", args.device)
    torch.cuda.set_device(device)
    props = torch.cuda.get_device_properties(device)
    print(f"torch {torch.__version__} on {props.name} (CUDA {torch.version.cuda}); "
          f"{args.samples} samples of ~{args.sample_ms:g} ms per shape after {args.warmup_ms:g} ms warm-up")
    t0 = time.monotonic()
    rows = []
    for prec in args.precisions:
        shapes = shapes_for(prec)[:1] if args.quick else shapes_for(prec)
        for shape in shapes:
            row = measure_shape(torch, prec, shape, args, device)
            rows.append(row)
            t = f"{row['tflops']:.1f} TFLOP/s" if row["tflops"] is not None else f"failed: {row['error']}"
            print(f"  {prec:<5} {shape[0]} x {shape[1]} x {shape[2]}: {t}", flush=True)
            torch.cuda.empty_cache()
    print_table(rows)
    wall = time.monotonic() - t0
    print(f"\nwall time {wall:.1f} s")
    if args.json:
        out = {"benchmark": "torch_baseline", "torch_version": torch.__version__, "cuda": torch.version.cuda,
               "device": props.name, "samples": args.samples, "sample_ms": args.sample_ms,
               "warmup_ms": args.warmup_ms, "rows": rows, "wall_seconds": wall}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
        print(f"rows written to {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # noqa: BLE001
        print(f"torch_baseline: error: {e}", file=sys.stderr)
        sys.exit(1)
