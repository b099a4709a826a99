#!/usr/bin/env python3
"""Writes the envelope fixtures of the MPI fleet test (run from anywhere; rewrites fixtures/).

np5/: ranks 0-2 healthy, rank 3 with HBM 15% below the others (the planted outlier), rank 4 a
      truncated file (the failed rank).
np3/: rank 0 healthy, rank 1 the slow card, rank 2 truncated: with two usable GPUs neither can be
      singled out, so only the failed rank is flagged.
ok3/: three healthy ranks: a clean fleet (exit 0).
"""
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def stats(v, cov=0.002):
    return {"samples": 20, "median": v, "min": v * 0.998, "max": v * 1.002, "mean": v,
            "stdev": v * cov, "cov": cov, "iqr": v * 0.002, "measured_seconds": 0.3,
            "iterations": 1000, "stable": True}


def envelope(index, scale=1.0, hbm_scale=1.0):
    s = scale
    compute = [("fp64", "matrix", 60.1), ("fp32", "vector", 55.3), ("fp16", "matrix", 760.0),
               ("bf16", "matrix", 762.0), ("fp8", "matrix", 1480.0)]
    memory = [("hbm", "read", 3010.0 * hbm_scale), ("l2", "read", 9800.0)]
    launch_us = 2.1
    comp = [{"precision": p, "unit": u, "tflops": round(t * s, 3), "operands": "random",
             "clock_mhz": 1755.0, "instruction": "fixture", "stats": stats(round(t * s, 3))}
            for p, u, t in compute]
    mem = [{"level": l, "op": op, "gbps": round(g * s, 3), "working_set_bytes": 1 << 30,
            "method": "fixture", "stats": stats(round(g * s, 3))} for l, op, g in memory]
    lau = [{"mode": "async", "us": launch_us, "stats": stats(launch_us)}]
    best = {f["precision"]: f["tflops"] for f in comp}
    return {
        "device": "NVIDIA H100 80GB HBM3",
        "calibration_timestamp": "2026-03-01T12:00:00Z",
        "envelope": {"compute_ceiling_fp16_tflops": best["fp16"],
                     "compute_ceiling_fp32_tflops": best["fp32"],
                     "memory_bandwidth_gbps": mem[0]["gbps"],
                     "launch_overhead_us": launch_us,
                     "l2_bandwidth_gbps": mem[1]["gbps"]},
        "validation": {"iterations": 1000 * 8, "cov": 0.002, "stable": True},
        "aaco": {
            "schema_version": 1, "aaco_version": "0.1.0", "source": "measured",
            "profile_key": "h100-sxm", "calibration_wall_seconds": 12.5,
            "device": {"id": index % 4, "name": "NVIDIA H100 80GB HBM3", "vendor": "NVIDIA",
                       "arch": "sm_90", "compute_units": 132, "max_clock_mhz": 1980.0,
                       "uuid": "GPU-%08x-1111-2222-3333-44445555%04x" % (0xa0c0 + index, index),
                       "pci_bus_id": "0000:%02x:00.0" % (0x18 + index)},
            "compute": comp, "memory": mem, "launch": lau, "failures": []}}


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if isinstance(doc, str):
            f.write(doc)
        else:
            json.dump(doc, f, indent=1)
            f.write("\n")


CORRUPT = '{"device": "NVIDIA H100 80GB HBM3", "envelope": {"compute_ceiling_fp16_tflops": 76'

write(f"{HERE}/np5/rank0.json", envelope(0, 1.000))
write(f"{HERE}/np5/rank1.json", envelope(1, 1.003))
write(f"{HERE}/np5/rank2.json", envelope(2, 0.997))
write(f"{HERE}/np5/rank3.json", envelope(3, 1.001, hbm_scale=0.85))
write(f"{HERE}/np5/rank4.json", CORRUPT)
write(f"{HERE}/np3/rank0.json", envelope(0, 1.000))
write(f"{HERE}/np3/rank1.json", envelope(1, 1.000, hbm_scale=0.85))
write(f"{HERE}/np3/rank2.json", CORRUPT)
write(f"{HERE}/ok3/rank0.json", envelope(0, 1.000))
write(f"{HERE}/ok3/rank1.json", envelope(1, 1.002))
write(f"{HERE}/ok3/rank2.json", envelope(2, 0.998))
