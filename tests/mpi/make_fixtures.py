#!/usr/bin/env python3
"""Writes the envelope fixtures of the MPI fleet test (run from anywhere; rewrites fixtures/).

np5/: ranks 0-2 healthy, rank 3 with HBM 15% below the others (the planted outlier), rank 4 a
      truncated file (the failed rank).
np3/: rank 0 healthy, rank 1 the slow card, rank 2 truncated: with two usable GPUs neither can be
      singled out, so only the failed rank is flagged.
ok3/: three healthy ranks: a clean fleet (exit 0).
mixed12/: 12 ranks of a mixed fleet (schema 2 envelopes): ranks 0-2 H100 on driver 55014, 3-5
      H100 on 56006, 6-8 MI300X on 60302, 9-11 MI300X on 60400, all at a 700 W limit; rank 10's
      HBM is 15% below its cohort (the planted slow GPU).
mixedok12/: the same fleet without the slow GPU: four cohorts, no outlier, although the MI300X
      launch floor would be one against a fleet-wide median.
"""
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def stats(v, cov=0.002):
    return {"samples": 20, "median": v, "min": v * 0.998, "max": v * 1.002, "mean": v,
            "stdev": v * cov, "cov": cov, "iqr": v * 0.002, "measured_seconds": 0.3,
            "iterations": 1000, "stable": True}


H100 = {"name": "NVIDIA H100 80GB HBM3", "vendor": "NVIDIA", "arch": "sm_90", "cus": 132,
        "compute": [("fp64", "matrix", 60.1), ("fp32", "vector", 55.3), ("fp16", "matrix", 760.0),
                    ("bf16", "matrix", 762.0), ("fp8", "matrix", 1480.0)],
        "hbm": 3010.0, "l2": 9800.0, "launch": 2.1, "profile": "h100-sxm"}
MI300X = {"name": "AMD Instinct MI300X", "vendor": "AMD", "arch": "gfx942", "cus": 304,
          "compute": [("fp64", "matrix", 150.2), ("fp32", "vector", 140.5), ("fp16", "matrix", 1201.0),
                      ("bf16", "matrix", 1199.0), ("fp8", "matrix", 2402.0)],
          "hbm": 4905.0, "l2": 14010.0, "launch": 3.5, "profile": "mi300x"}


def envelope(index, scale=1.0, hbm_scale=1.0, card=H100, driver=None):
    """One rank's envelope; with `driver` a schema 2 envelope with the cohort fields (driver,
    memory, ECC, and the 700 W power limit in each compute figure's telemetry)."""
    s = scale
    compute = card["compute"]
    memory = [("hbm", "read", card["hbm"] * hbm_scale), ("l2", "read", card["l2"])]
    launch_us = card["launch"]
    telemetry = {"source": "nvml" if card is H100 else "amdsmi", "readings": 5, "power_limit_w": 700.0}
    comp = [{"precision": p, "unit": u, "tflops": round(t * s, 3), "operands": "random",
             "clock_mhz": 1755.0, "instruction": "fixture", "stats": stats(round(t * s, 3))}
            for p, u, t in compute]
    if driver is not None:
        for c in comp:
            c["telemetry"] = telemetry
    mem = [{"level": l, "op": op, "gbps": round(g * s, 3), "working_set_bytes": 1 << 30,
            "method": "fixture", "stats": stats(round(g * s, 3))} for l, op, g in memory]
    lau = [{"mode": "async", "us": launch_us, "stats": stats(launch_us)}]
    best = {f["precision"]: f["tflops"] for f in comp}
    device = {"id": index % 4, "name": card["name"], "vendor": card["vendor"],
              "arch": card["arch"], "compute_units": card["cus"], "max_clock_mhz": 1980.0,
              "uuid": "GPU-%08x-1111-2222-3333-44445555%04x" % (0xa0c0 + index, index),
              "pci_bus_id": "0000:%02x:00.0" % (0x18 + index)}
    if driver is not None:
        device.update({"driver_version": driver, "memory_bytes": 80 << 30, "ecc": True})
    return {
        "device": card["name"],
        "calibration_timestamp": "2026-03-01T12:00:00Z",
        "envelope": {"compute_ceiling_fp16_tflops": best["fp16"],
                     "compute_ceiling_fp32_tflops": best["fp32"],
                     "memory_bandwidth_gbps": mem[0]["gbps"],
                     "launch_overhead_us": launch_us,
                     "l2_bandwidth_gbps": mem[1]["gbps"]},
        "validation": {"iterations": 1000 * 8, "cov": 0.002, "stable": True},
        "aaco": {
            "schema_version": 1 if driver is None else 2, "aaco_version": "0.1.0",
            "source": "measured", "profile_key": card["profile"], "calibration_wall_seconds": 12.5,
            "device": device,
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


def mixed(case, slow_rank):
    cards = [(H100, 55014)] * 3 + [(H100, 56006)] * 3 + [(MI300X, 60302)] * 3 + [(MI300X, 60400)] * 3
    spread = [1.000, 1.002, 0.998]
    for r, (card, driver) in enumerate(cards):
        write(f"{HERE}/{case}/rank{r}.json",
              envelope(r, spread[r % 3], hbm_scale=0.85 if r == slow_rank else 1.0, card=card, driver=driver))


mixed("mixed12", 10)
mixed("mixedok12", -1)
