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

np=5
[ "$case" = np5 ] || np=3
# --allow-run-as-root: CI runs as root; --oversubscribe: more ranks than cores is fine here.
"$mpiexec" --allow-run-as-root --oversubscribe -np "$np" "$tool" \
  --from-json "$fixtures/$case/rank%r.json" --fleet-json "$json" --markdown "$md" \
  >"$out/$case.log" 2>&1
rc=$?

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
for f in "$json" "$md"; do
  if [ ! -s "$f" ]; then echo "FAIL: $f was not written"; cat "$out/$case.log"; exit 1; fi
done

case "$case" in
  np5)
    expect_rc 4
    check "5 records gathered" "$json" '"records": 5,'
    check "4 ranks calibrated" "$json" '"ok": 4,'
    check "1 failed rank" "$json" '"failed": 1,'
    check "exactly one outlier" "$json" '"outliers": 1$'
    check "outlier row names rank 3, its host, device 3, UUID and the hbm ceiling" "$md" \
      '^\| 3 \| [^|]+ \| 3 \| GPU-0000a0c3-1111-2222-3333-444455550003 \| NVIDIA H100 80GB HBM3 \| hbm \| 2561\.1 gbps \| 3005\.5 \| 14\.8% \|$'
    host=$(grep -E '^\| 3 \| ' "$md" | head -1 | awk -F' \\| ' '{print $2}')
    if [ "$host" = "$(hostname)" ] || [ "$host" = "$(hostname -s)" ] || [ "$host" = "$(hostname -f 2>/dev/null)" ]; then
      echo "ok:   outlier host '$host' is this machine"
    else
      echo "FAIL: outlier host '$host' is not this machine ($(hostname))"; fails=$((fails + 1))
    fi
    check "outlier in JSON with its UUID" "$json" '"uuid": "GPU-0000a0c3-1111-2222-3333-444455550003"'
    check "outlier in JSON with its ceiling" "$json" '"ceiling": "hbm",'
    check_not "no healthy rank flagged" "$md" '^\| [012] \| [^|]+ \| [0-9]+ \| GPU-'
    check "failed rank 4 reported with the reason" "$md" '^\| 4 \| [^|]+ \| -1 \| cannot load envelope from .*rank4\.json.*truncated JSON'
    check "median HBM is the median of the four good ranks" "$md" '^\| hbm \| gbps \| 4 \| 3005\.5 \|'
    check "failed rank's message on stderr" "$out/$case.log" 'rank 4 .*truncated JSON'
    ;;
  np3)
    expect_rc 4
    check "3 records gathered" "$json" '"records": 3,'
    check "1 failed rank" "$json" '"failed": 1,'
    check "no outlier between two GPUs" "$json" '"outliers": 0$'
    check "failed rank 2 reported" "$md" '^\| 2 \| [^|]+ \| -1 \| cannot load envelope from .*rank2\.json'
    check "median HBM of two is their mean" "$md" '^\| hbm \| gbps \| 2 \| 2784\.[23] \|'
    ;;
  ok3)
    expect_rc 0
    check "3 records, none failed" "$json" '"failed": 0,'
    check "no outlier" "$json" '"outliers": 0$'
    check "summary line" "$md" '^3 GPUs: 3 calibrated, 0 failed, 0 outlying ceilings'
    ;;
  *) echo "unknown case '$case'"; exit 1 ;;
esac
if [ "$fails" != 0 ]; then
  echo "---- mpirun output ----"; cat "$out/$case.log"
  echo "---- markdown ----"; cat "$md"
  exit 1
fi
exit 0
