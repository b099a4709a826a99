"""HEU of two PyTorch workloads against aaco's calibrated envelope of the current GPU:
an 8192^3 bf16 matrix product (compute-bound) and a large elementwise op (memory-bound).

    PYTHONPATH=build/cuda/python python3 examples/python/heu_torch.py [--quick]

FLOPs and bytes are the minimum each workload must do and move (inputs read once, the output
written once); aaco times the callable with its own method (warm-up, events, stopping rule).
"""
import argparse
import sys

try:
    import torch
except ImportError:
    print("heu_torch.py needs PyTorch (pip install torch)", file=sys.stderr)
    sys.exit(2)

import aaco
from aaco.calibration import HardwareCalibrator


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="quick calibration and sampling")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("heu_torch.py: torch sees no GPU", file=sys.stderr)
        return 2
    calibrator = HardwareCalibrator(device_id=torch.cuda.current_device())
    env = calibrator.calibrate(quick=args.quick, precisions=["bf16", "fp32"], levels=["hbm"])

    n = 8192
    # uniform [-1, 1]: the operand distribution aaco uses for every floating type
    a = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
    b = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
    c = torch.empty(n, n, device="cuda", dtype=torch.bfloat16)
    gemm = aaco.measure(lambda: torch.matmul(a, b, out=c), flops=2 * n ** 3,
                        bytes=3 * n * n * a.element_size(), precision="bf16", envelope=env,
                        quick=args.quick, label="matmul 8192^3 bf16")

    m = 1 << 28  # 256 Mi elements of fp32 per tensor: 3 GiB moved per call
    x = torch.rand(m, device="cuda") * 2 - 1
    y = torch.rand(m, device="cuda") * 2 - 1
    z = torch.empty_like(x)
    add = aaco.measure(lambda: torch.add(x, y, out=z), flops=m, bytes=3 * m * x.element_size(),
                       precision="fp32", envelope=env, quick=args.quick, label="add 2^28 fp32")

    print(f"device: {env.device}; bf16 roof {env.compute('bf16'):.1f} TFLOP/s, "
          f"HBM {env.memory_gbps:.0f} GB/s")
    for r in (gemm, add):
        print(f"{r.label:22s} {r.seconds * 1e3:8.3f} ms  {r.achieved_tflops:8.2f} TFLOP/s  "
              f"{r.achieved_gbps:8.1f} GB/s  AI {r.arithmetic_intensity:8.2f}  "
              f"HEU {r.heu:6.1%} ({r.heu.binding_ceiling})")
    env.to_svg("heu_torch.svg", workloads=[gemm, add])
    return 0


if __name__ == "__main__":
    sys.exit(main())
