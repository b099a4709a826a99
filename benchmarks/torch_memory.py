#!/usr/bin/env python3
"""PyTorch's memory-bound ops against aaco's HBM ceilings, interleaved, under aaco's sampler.

A ceiling is an upper bound: no real kernel may move HBM bytes faster than the figure of its
traffic pattern. Each round calibrates the HBM figures (``HardwareCalibrator.calibrate`` with
levels ["hbm"]) and then times these ops with ``aaco.measure`` (the calibrator's own sampler,
full settings), on fp32 tensors of --mib MiB each:

  read   torch.sum(x)                          bytes = 1 x tensor (the scalar out is ignored)
  write  x.fill_(0.5)                          bytes = 1 x tensor
  copy   y.copy_(x)     (cudaMemcpyAsync)      bytes = 2 x tensor
  copy   torch.neg(x, out=y) (elementwise)     bytes = 2 x tensor
  triad  torch.add(b, c, alpha=1.5, out=a)     bytes = 3 x tensor

Operands: uniform in [-1, 1] (aaco's distribution for floating types). The table gives, per op,
torch's best round, the ceiling's lowest and highest round, and the verdict: "ABOVE CEILING"
when torch's best beats the ceiling's highest round (a defect of the ceiling), "within noise"
when it beats only the lowest.

Exits 0 when every op is at or below the ceiling's highest round, 3 when one is above it, 2
when torch, a CUDA GPU or the aaco module is missing, 1 on an error.

Usage: python3 benchmarks/torch_memory.py [--rounds N] [--mib N] [--device N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds of calibrate + ops (2..20)")
    ap.add_argument("--mib", type=int, default=1024, help="MiB per tensor (64..8192)")
    ap.add_argument("--device", type=int, default=0, help="CUDA device id")
    ap.add_argument("--json", help="write the rounds and the verdicts here")
    a = ap.parse_args(argv)
    if not 2 <= a.rounds <= 20:
        ap.error(f"--rounds must be in [2, 20], got {a.rounds}")
    if not 64 <= a.mib <= 8192:
        ap.error(f"--mib must be in [64, 8192], got {a.mib}")
    if a.device < 0:
        ap.error(f"--device must be >= 0, got {a.device}")
    return a


def torch_ops(torch, n: int, device):
    """(name, the op of the ceiling it is held against, callable, bytes per call)."""
    x = torch.rand(n, device=device) * 2 - 1
    y = torch.empty_like(x)
    b = torch.rand(n, device=device) * 2 - 1
    c = torch.rand(n, device=device) * 2 - 1
    a = torch.empty_like(x)
    t = 4 * n
    return [
        ("torch.sum", "read", lambda: torch.sum(x), t),
        ("Tensor.fill_", "write", lambda: y.fill_(0.5), t),
        ("Tensor.copy_", "copy", lambda: y.copy_(x), 2 * t),
        ("torch.neg (out=)", "copy", lambda: torch.neg(x, out=y), 2 * t),
        ("torch.add (alpha, out=)", "triad", lambda: torch.add(b, c, alpha=1.5, out=a), 3 * t),
    ]


def hbm_figures(env) -> dict:
    """op -> GB/s of the envelope's HBM roof figures."""
    out = {}
    for f in env.figures:
        parts = f.key.split(".")
        if len(parts) == 3 and parts[0] == "memory" and parts[1] == "hbm" and f.value is not None:
            out[parts[2]] = f.value
    return out


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import torch
    except ImportError:
        print("torch_memory.py needs PyTorch", file=sys.stderr)
        return 2
    try:
        import aaco
        from aaco.calibration import HardwareCalibrator
    except ImportError as e:
        print(f"torch_memory.py needs the aaco module on PYTHONPATH: {e}", file=sys.stderr)
        return 2
    if not torch.cuda.is_available() or args.device >= torch.cuda.device_count():
        print(f"torch_memory.py: torch sees no CUDA device {args.device}", file=sys.stderr)
        return 2
    torch.cuda.set_device(args.device)
    calibrator = HardwareCalibrator(device_id=args.device)
    ops = torch_ops(torch, args.mib << 18, torch.device("cuda", args.device))
    rounds = []
    for r in range(args.rounds):
        env = calibrator.calibrate(levels=["hbm"], precisions=["fp32"], progress=False)
        ceilings = hbm_figures(env)
        got = {}
        for name, _, fn, nbytes in ops:
            m = aaco.measure(fn, flops=0, bytes=nbytes, precision="fp32", envelope=env, label=name)
            got[name] = m.achieved_gbps
        rounds.append({"ceilings_gbps": ceilings, "torch_gbps": got})
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in got.items()) + " | ceilings " +
              ", ".join(f"{k} {v:.1f}" for k, v in ceilings.items()), flush=True)
    verdicts = []
    above = False
    print(f"\n{'torch op':26s} {'vs':6s} {'torch best':>11s} {'ceiling lo':>11s} {'ceiling hi':>11s} "
          f"{'torch/hi':>9s}  verdict")
    for name, op, _, _ in ops:
        best = max(rd["torch_gbps"][name] for rd in rounds)
        ceil = [rd["ceilings_gbps"].get(op) for rd in rounds if rd["ceilings_gbps"].get(op) is not None]
        if not ceil:
            verdicts.append({"op": name, "ceiling": op, "verdict": "no ceiling measured"})
            print(f"{name:26s} {op:6s} {best:11.1f} {'n/a':>11s} {'n/a':>11s} {'':>9s}  no ceiling measured")
            continue
        lo, hi = min(ceil), max(ceil)
        verdict = "ABOVE CEILING" if best > hi else ("within noise" if best > lo else "below")
        above = above or best > hi
        verdicts.append({"op": name, "ceiling": op, "torch_best_gbps": best, "ceiling_low_gbps": lo,
                         "ceiling_high_gbps": hi, "verdict": verdict})
        print(f"{name:26s} {op:6s} {best:11.1f} {lo:11.1f} {hi:11.1f} {best / hi:9.2%}  {verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"device": torch.cuda.get_device_name(args.device), "torch": torch.__version__,
                       "mib_per_tensor": args.mib, "rounds": rounds, "verdicts": verdicts}, f, indent=1)
    print("invariant (no torch op above the ceiling):", "VIOLATED" if above else "holds")
    return 3 if above else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001 - a clear message and status 1, not a traceback
        print(f"torch_memory.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
