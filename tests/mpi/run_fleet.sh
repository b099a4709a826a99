#!/usr/bin/env bash
# One MPI fleet test case: runs aaco-calibrate-mpi under mpirun with ranks that load their
# envelopes from fixture files (no GPU needed) and checks the fleet report.
#
#   run_fleet.sh TOOL MPIEXEC FIXTURES OUT_DIR CASE
#
# CASE: np5  5 ranks: 3 healthy, rank 3 with HBM 15% low (must be flagged by host, device, UUID
#            and ceiling), rank 4 with a truncated file (must be reported as failed, not fatal)
#       np3  3 ranks: healthy, slow, truncated: two usable GPUs cannot single one out, so no
#            outlier; the failed rank is reported and the median is the mean of the two
#       ok3  3 healthy ranks: clean fleet, exit 0
#       mixed12    12 ranks, two models x two drivers: four cohorts; rank 10 (an MI300X) 15%
#                  slow on HBM: FAIL with reason below_cohort, as JSON, markdown and Prometheus
#                  gauges (the fleet file and the node file), both checked by promtool
#       mixedok12  the same fleet without the slow GPU: no false outlier across the models, PASS
# Exit 0 pass, 1 fail, 77 skip (no mpirun).
set -u
tool="$1"; mpiexec="$2"; fixtures="$3"; out="$4"; case="$5"

if [ -z "$mpiexec" ] || ! command -v "$mpiexec" >/dev/null 2>&1; then
  if command -v mpirun >/dev/null 2>&1; then mpiexec=mpirun; else
    echo "SKIP: mpirun not found"; exit 77
  fi
fi
mkdir -p "$out"
json="$out/$case.json"
md="$out/$case.md"
rm -f "$json" "$md"

prom="$out/$case.prom"
node_prom="$out/$case.node-%h.prom"
rm -f "$prom" "$out/$case".node-*.prom
np=$(ls "$fixtures/$case"/rank*.json | wc -l)
# --allow-run-as-root: CI runs as root; --oversubscribe: more ranks than cores is fine here.
"$mpiexec" --allow-run-as-root --oversubscribe -np "$np" "$tool" \
  --from-json "$fixtures/$case/rank%r.json" --fleet-json "$json" --markdown "$md" \
  --prometheus "$prom" --node-prometheus "$node_prom" \
  >"$out/$case.log" 2>&1
rc=$?
node_file=$(ls "$out/$case".node-*.prom 2>/dev/null | head -1)

fails=0
check() {  # check DESCRIPTION FILE REGEX
  if grep -Eq -- "$3" "$2"; then echo "ok:   $1"; else echo "FAIL: $1 (no match for /$3/ in $2)"; fails=$((fails + 1)); fi
}
check_not() {
  if grep -Eq -- "$3" "$2"; then echo "FAIL: $1 (unexpected /$3/ in $2)"; fails=$((fails + 1)); else echo "ok:   $1"; fi
}
expect_rc() {
  if [ "$rc" = "$1" ]; then echo "ok:   exit code $rc"; else echo "FAIL: exit code $rc, expected $1"; fails=$((fails + 1)); fi
}
for f in "$json" "$md" "$prom" "$node_file"; do
  if [ ! -s "$f" ]; then echo "FAIL: ${f:-the node .prom file} was not written"; cat "$out/$case.log"; exit 1; fi
done
# Every Prometheus file passes promtool (skipped where promtool is not installed).
if command -v promtool >/dev/null 2>&1; then
  for f in "$prom" "$node_file"; do
    if promtool check metrics <"$f" >"$out/$case.promtool" 2>&1; then echo "ok:   promtool accepts $f"
    else echo "FAIL: promtool rejects $f"; cat "$out/$case.promtool"; fails=$((fails + 1)); fi
  done
fi
uuid10=GPU-0000a0ca-1111-2222-3333-44445555000a

case "$case" in
  np5)
    expect_rc 4
    check "5 records gathered" "$json" '"records": 5,'
    check "4 ranks calibrated" "$json" '"ok": 4,'
    check "1 failed rank" "$json" '"failed": 1,'
    check "exactly one outlier" "$json" '"outliers": 1,'
    check "finding row names rank 3, its host, device 3, UUID, verdict, reason and the hbm ceiling" "$md" \
      '^\| 3 \| [^|]+ \| 3 \| GPU-0000a0c3-1111-2222-3333-444455550003 \| NVIDIA H100 80GB HBM3 \| FAIL \| below_cohort \| hbm \| 2561\.1 gbps \| 3005\.5 \| 14\.8% \| not re-measured: the envelope was loaded, not measured \|$'
    host=$(grep -E '^\| 3 \| ' "$md" | head -1 | awk -F' \\| ' '{print $2}')
    if [ "$host" = "$(hostname)" ] || [ "$host" = "$(hostname -s)" ] || [ "$host" = "$(hostname -f 2>/dev/null)" ]; then
      echo "ok:   outlier host '$host' is this machine"
    else
      echo "FAIL: outlier host '$host' is not this machine ($(hostname))"; fails=$((fails + 1))
    fi
    check "outlier in JSON with its UUID" "$json" '"uuid": "GPU-0000a0c3-1111-2222-3333-444455550003"'
    check "outlier in JSON with its reason code" "$json" '"reason": "below_cohort",'
    check_not "no healthy rank flagged" "$md" '^\| [012] \| [^|]+ \| [0-9]+ \| GPU-[^|]+\| [^|]+\| (FAIL|WARN) '
    check "failed rank 4 reported with the reason" "$md" '^\| 4 \| [^|]+ \| -1 \| cannot load envelope from .*rank4\.json.*truncated JSON'
    check "median HBM is the median of the four good ranks" "$md" '^\| hbm \| gbps \| 4 \| 3005\.5 \|'
    check "failed rank's message on stderr" "$out/$case.log" 'rank 4 .*truncated JSON'
    check "the node fails, for its failed rank" "$prom" '^aaco_node_verdict\{host="[^"]+",verdict="FAIL",reason="calibration_failed"\} 2$'
    ;;
  np3)
    expect_rc 4
    check "3 records gathered" "$json" '"records": 3,'
    check "1 failed rank" "$json" '"failed": 1,'
    check "no outlier between two GPUs" "$json" '"outliers": 0,'
    check "the two GPUs are too few to judge" "$json" '"reason": "too_few_peers",'
    check "failed rank 2 reported" "$md" '^\| 2 \| [^|]+ \| -1 \| cannot load envelope from .*rank2\.json'
    check "median HBM of two is their mean" "$md" '^\| hbm \| gbps \| 2 \| 2784\.[23] \|'
    ;;
  ok3)
    expect_rc 0
    check "3 records, none failed" "$json" '"failed": 0,'
    check "no outlier" "$json" '"outliers": 0,'
    check "summary line" "$md" '^3 GPUs on 1 node\(s\): 3 calibrated, 0 failed, 0 outlying figures\. Verdict: \*\*PASS\*\*'
    check "the node passes" "$node_file" '^aaco_node_verdict\{host="[^"]+",verdict="PASS",reason="ok"\} 0$'
    ;;
  mixed12)
    expect_rc 4
    check "12 records" "$json" '"records": 12,'
    check "four cohorts" "$json" '"cohorts": 4,'
    check "the split is reported" "$json" '"description": "4 cohorts \(split by model, driver, compute units\): NVIDIA H100 80GB HBM3 \(sm_90\), driver 55014, 700 W, 132 CUs, 80\.0 GiB, ECC on x 3;'
    check "one outlier" "$json" '"outliers": 1,'
    check "one finding" "$json" '"findings": 1,'
    check "rank 10 flagged below its cohort on hbm" "$md" \
      "^\\| 10 \\| [^|]+ \\| 2 \\| $uuid10 \\| AMD Instinct MI300X \\| FAIL \\| below_cohort \\| hbm \\| 4177\\.6 gbps \\| 4895\\.2 \\| 14\\.7% \\|"
    check "the node fails on hbm" "$md" '^\| [^|]+ \| FAIL \| below_cohort \| 12 \| hbm \| 4177\.6 gbps \| 4895\.2 \| 244\.8 \|'
    check "GPU verdict gauge of rank 10" "$prom" \
      "^aaco_gpu_verdict\\{host=\"[^\"]+\",gpu=\"2\",uuid=\"$uuid10\",model=\"AMD Instinct MI300X\",verdict=\"FAIL\",reason=\"below_cohort\",cohort=\"3\"\\} 2$"
    check "its figure, cohort median and threshold in bytes/s" "$prom" '^aaco_finding_cohort_median_bytes_per_second\{.*figure="hbm"\} 4895190000000$'
    check "the node's own file carries its verdict" "$node_file" '^aaco_node_verdict\{host="[^"]+",verdict="FAIL",reason="below_cohort",figure="hbm"\} 2$'
    check_not "the node's own file has no fleet-wide gauge" "$node_file" '^aaco_fleet_verdict'
    ;;
  mixedok12)
    expect_rc 0
    check "four cohorts" "$json" '"cohorts": 4,'
    check "no outlier across models" "$json" '"outliers": 0,'
    check "PASS" "$md" 'Verdict: \*\*PASS\*\* \(0 FAIL, 0 WARN, 1 PASS\)'
    check "fleet verdict gauge" "$prom" '^aaco_fleet_verdict\{verdict="PASS"\} 0$'
    ;;
  *) echo "unknown case '$case'"; exit 1 ;;
esac
if [ "$fails" != 0 ]; then
  echo "---- mpirun output ----"; cat "$out/$case.log"
  echo "---- markdown ----"; cat "$md"
  echo "---- prometheus ----"; head -40 "$prom"
  exit 1
fi
exit 0
