#!/usr/bin/env bash
# Runs aaco_ncu_probe under Nsight Compute (clocks left alone: --clock-control none) and sets the
# bytes (FLOPs) aaco counts for each profiled launch beside what the hardware counted.
#   benchmarks/ncu_check.sh BUILD_DIR OUT_DIR
set -uo pipefail
build=$1; out=$2
probe="$build/benchmarks/aaco_ncu_probe"
metrics=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,sm__ops_path_tensor_src_bf16_dst_fp32.sum,sm__inst_executed_pipe_tensor_op_gmma.sum
ncu --clock-control none --profile-from-start off --csv --page raw --metrics "$metrics" \
  --log-file "$out/ncu_log.txt" "$probe" > "$out/ncu_probe.txt" 2>&1
echo "ncu rc=$?"
python3 - "$out" <<'PY'
import csv, io, sys, os
out = sys.argv[1]
text = open(os.path.join(out, "ncu_probe.txt")).read()
probes = [l[6:].split("|") for l in text.splitlines() if l.startswith("PROBE ")]
text = open(os.path.join(out, "ncu_log.txt")).read()  # --log-file receives ncu's CSV
start = text.find('"ID"')
rows = list(csv.DictReader(io.StringIO(text[start:]))) if start >= 0 else []
rows = [r for r in rows if r.get("ID", "").strip().isdigit()]  # drop the units row
def num(r, k):
    try: return float(str(r.get(k, "nan")).replace(",", ""))
    except ValueError: return float("nan")
print(f"{'probe':24s} {'counted':>14s} {'dram read':>14s} {'dram write':>14s} {'dram/counted':>12s} {'lts bytes':>14s} {'tensor ops':>14s}")
for p, r in zip(probes, rows):
    key, method, bytes_, flops, ver = p
    b = float(bytes_); f = float(flops)
    dr, dw, lts = num(r, "dram__bytes_read.sum"), num(r, "dram__bytes_write.sum"), num(r, "lts__t_bytes.sum")
    ops = num(r, "sm__ops_path_tensor_src_bf16_dst_fp32.sum")
    counted = f if f > 0 else b
    ratio = (dr + dw) / b if b > 0 else ops / f if f > 0 else float("nan")
    print(f"{key:24s} {counted:14.4g} {dr:14.4g} {dw:14.4g} {ratio:12.4f} {lts:14.4g} {ops:14.4g}  ({ver}; kernel {r.get('Kernel Name','?')[:40]})")
if len(probes) != len(rows):
    print(f"warning: {len(probes)} probes but {len(rows)} profiled kernels")
PY
