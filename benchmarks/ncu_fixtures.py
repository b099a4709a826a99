#!/usr/bin/env python3
"""Real kernels for the Nsight Compute reader's fixtures (tests/fixtures/ncu/real_*.csv).

Runs, after a warm-up, one profiled instance of each of three PyTorch workloads between
torch.cuda.profiler.start() and stop(), so that `ncu --profile-from-start off` records only them:

  gemm   torch.matmul of two 8192 x 8192 bf16 matrices (a cuBLAS/cuBLASLt kernel)
  triad  torch.add(b, c, alpha=1.5, out=a) over fp32 arrays of 256 Mi elements (1 GiB each):
         a = b + 1.5 c, the STREAM triad, 3 GiB moved
  attn   one training step of causal attention, F.scaled_dot_product_attention forward and
         backward, batch 4, 32 heads, 4096 tokens, head dim 128, bf16 (flash-attention kernels)

Operands follow aaco's distribution for floating types: uniform [-1, 1]. benchmarks/run_on_gpu.sh
(stage `fixtures`) runs this under ncu with the metrics README's "HEU of every kernel of a
profile" names, exports the raw page as CSV, and aaco-calibrate --ncu reads it.

Usage: python3 ncu_fixtures.py [gemm] [triad] [attn]   (default: all three)
"""
import sys

import torch
import torch.nn.functional as F


def uniform(*shape, dtype):
    return (torch.rand(*shape, device="cuda", dtype=torch.float32) * 2 - 1).to(dtype)


def gemm():
    a, b = uniform(8192, 8192, dtype=torch.bfloat16), uniform(8192, 8192, dtype=torch.bfloat16)
    c = torch.empty(8192, 8192, device="cuda", dtype=torch.bfloat16)
    return lambda: torch.matmul(a, b, out=c)


def triad():
    n = 256 << 20
    b, c = uniform(n, dtype=torch.float32), uniform(n, dtype=torch.float32)
    a = torch.empty_like(b)
    return lambda: torch.add(b, c, alpha=1.5, out=a)


def attn():
    shape = (4, 32, 4096, 128)
    q, k, v = (uniform(*shape, dtype=torch.bfloat16).requires_grad_() for _ in range(3))
    grad = uniform(*shape, dtype=torch.bfloat16)

    def step():
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out.backward(grad)
        q.grad = k.grad = v.grad = None

    return step


WORKLOADS = {"gemm": gemm, "triad": triad, "attn": attn}


def main(argv):
    names = argv[1:] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        sys.exit(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    if not torch.cuda.is_available():
        sys.exit("torch sees no CUDA device")
    for name in names:
        run = WORKLOADS[name]()
        for _ in range(3):  # warm-up: cuBLAS heuristics, allocator, clocks
            run()
        torch.cuda.synchronize()
        torch.cuda.profiler.start()
        run()
        torch.cuda.synchronize()
        torch.cuda.profiler.stop()
        print(f"profiled {name}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
