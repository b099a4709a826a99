#!/usr/bin/env bash
# Builds the CUDA configuration on a GPU machine and runs the stages asked for, in order:
#   tests      the gpu test suite (kernel correctness, latency chase, launch gate)
#   sass       the SASS checks (cuobjdump)
#   python     the pytest suite against the CUDA module, the seed card's example verbatim,
#              examples/python/heu_torch.py, and `pip install --no-build-isolation .`
#   calibrate  five full calibrations back to back (--json), then --quick, each timed
#   sustained  one --sustained 10 run over the matrix precisions
#   torchmem   (with python) PyTorch's memory-bound ops against the HBM ceilings, interleaved
#              rounds under aaco's sampler (benchmarks/torch_memory.py)
#   bench      the interleaved vendor comparison (aaco_bench_compute) and torch_baseline.py
#   latency    the latency sweep (--sweep latency)
#   ncu        each memory probe and one wgmma figure under Nsight Compute's counters
#   bulk       HBM copy and triad through the bulk-copy engine vs aaco's kernels and cudaMemcpy
#              (aaco_bench_bulk_copy), with its SASS
#   fixtures   real torch kernels (cuBLAS GEMM, triad, attention training step) under ncu with
#              README's --ncu metrics, exported as raw-page CSV (benchmarks/ncu_fixtures.py)
# Logs go to $RESULTS (default ./gpu-run), packed into $OUT/gpu-run.tgz when $OUT is set (the
# lent machine returns at most 8 files); a short table is printed last.
#
#   STAGES="tests sass python calibrate" benchmarks/run_on_gpu.sh
#
# PREBUILT=DIR takes aaco-calibrate, aaco_gpu_tests, aaco_ncu_probe and aaco_bench_bulk_copy from a
# build folder made elsewhere with the same nvcc (carried to the machine), to save device time;
# if they do not run there, they are built. The Python module is always built on the machine (its
# interpreter), in the background from the start. CALIBRATIONS=N full calibrations (default 5);
# SKIP_PIP=1 and SKIP_CARD=1 leave out the pip install and the standalone card script of the
# python stage (pytest runs the card's block too).
#
# The GPU machine has no package access: doctest, nlohmann_json and CLI11 travel unpacked under
# .deps/root (see README, "Running on a GPU machine"); pybind11 and pytest come with its Python.
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=${RESULTS:-$PWD/gpu-run}
FINAL_OUT=${OUT:-}
OUT=$RESULTS
mkdir -p "$OUT"
STAGES=${STAGES:-"tests sass python calibrate"}
BUILD=${BUILD:-build/gpu}
PY=${PY:-$(command -v python3)}
export PATH="/usr/local/cuda/bin:$PATH" PYTHONUNBUFFERED=1
has() { [[ " $STAGES " == *" $1 "* ]]; }
summary=()
# note: one summary line, and (with $OUT set) the logs so far packed into $OUT/gpu-run.tgz, so
# that a run stopped at its time limit still returns everything up to its last note.
note() {
  summary+=("$1"); echo "== $1"
  if [ -n "$FINAL_OUT" ] && [ "$FINAL_OUT" != "$OUT" ]; then
    printf '%s\n' "${summary[@]}" > "$OUT/summary.txt"
    tar czf "$FINAL_OUT/gpu-run.tgz.part" -C "$(dirname "$OUT")" "$(basename "$OUT")" 2>/dev/null \
      && mv -f "$FINAL_OUT/gpu-run.tgz.part" "$FINAL_OUT/gpu-run.tgz"
  fi
}
PREBUILT=${PREBUILT:-}
BIN=${PREBUILT:-$BUILD}
cal="$BIN/tools/aaco-calibrate"

{
  date -u +%Y-%m-%dT%H:%M:%SZ
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,power.limit,temperature.gpu --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  "$PY" -c "import sys, torch; print(sys.version.split()[0], 'torch', torch.__version__)" 2>&1
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

t0=$(date +%s)
configure() {
  [ -f "$BUILD/build.ninja" ] && [ -z "${RECONFIGURE:-}" ] && return 0
  local pybind_dir; pybind_dir=$("$PY" -m pybind11 --cmakedir 2>/dev/null || true)
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAACO_BACKEND=cuda \
    -DCMAKE_CUDA_ARCHITECTURES="${ARCHS:-90a-real}" -DCMAKE_PREFIX_PATH="$PWD/.deps/root/usr" \
    -DPython3_EXECUTABLE="$PY" ${pybind_dir:+-Dpybind11_DIR=$pybind_dir} ${CMAKE_EXTRA:-} \
    > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; return 1; }
}
if has python; then  # one big translation unit: start it now, wait for it at the python stage
  # Without a static libstdc++ in the machine's g++, retry once with the module linked to the
  # shared one (AACO_PYTHON_STATIC_LIBSTDCXX=OFF), and say so in the log's last line.
  configure && (cmake --build "$BUILD" -j 4 --target aaco_python > "$OUT/python_build.log" 2>&1 \
    && echo "rc=0" >> "$OUT/python_build.log" \
    || { cmake -DAACO_PYTHON_STATIC_LIBSTDCXX=OFF "$BUILD" >> "$OUT/python_build.log" 2>&1;
         cmake --build "$BUILD" -j 4 --target aaco_python >> "$OUT/python_build.log" 2>&1;
         echo "rc=$? (retried with AACO_PYTHON_STATIC_LIBSTDCXX=OFF)" >> "$OUT/python_build.log"; }) &
  python_build=$!
fi
if [ -n "$PREBUILT" ] && ! "$cal" --list-profiles > /dev/null 2>&1; then
  note "prebuilt binaries do not run here ($("$cal" --list-profiles 2>&1 | head -1)); building them"
  BIN=$BUILD; cal="$BIN/tools/aaco-calibrate"; PREBUILT=""
  [ -n "${python_build:-}" ] && wait "$python_build"  # one ninja at a time in $BUILD
fi
if [ -z "$PREBUILT" ]; then
  targets=(aaco-calibrate)
  has tests && targets+=(aaco_gpu_tests)
  has bench && targets+=(aaco_bench_compute aaco_bench_memory)
  has ncu && targets+=(aaco_ncu_probe)
  has bulk && targets+=(aaco_bench_bulk_copy)
  configure && cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" -- -k 0 > "$OUT/build.log" 2>&1 \
    || { grep -E 'error|Error' "$OUT/build.log" | head -40; note "build FAILED"; }
  note "build: $(( $(date +%s) - t0 )) s"
else
  note "prebuilt binaries from $PREBUILT"
fi

if has calibrate; then  # first: the wall times and exit codes are the figures most at stake
  for run in $(seq 1 "${CALIBRATIONS:-5}"); do
    s=$(date +%s%N)
    "$cal" --json "$OUT/envelope$run.json" --markdown "$OUT/envelope$run.md" \
      --heu 700@300:bf16 > "$OUT/calibrate$run.log" 2>&1; rc=$?
    note "calibrate run $run: rc=$rc $(( ($(date +%s%N) - s) / 1000000 )) ms"
    [ "$rc" = 3 ] && grep -A12 "unstable" "$OUT/calibrate$run.log" | head -12
  done
  "$cal" --svg "$OUT/roofline.svg" --envelope "$OUT/envelope1.json" --heu 700@300:bf16 > /dev/null 2>&1
  s=$(date +%s%N); "$cal" --quick --json "$OUT/quick.json" > "$OUT/quick.log" 2>&1
  note "calibrate --quick: rc=$? $(( ($(date +%s%N) - s) / 1000000 )) ms"
fi
if has tests; then
  timeout ${TESTS_TIMEOUT:-300} "$BIN/tests/aaco_gpu_tests" > "$OUT/gpu_tests.log" 2>&1; rc=$?
  note "gpu tests: rc=$rc $(grep -E 'test cases:|assertions:' "$OUT/gpu_tests.log" | tr -s ' ' | tr '\n' ' ')"
  grep -E 'ERROR|FAILED' "$OUT/gpu_tests.log" | head -20
fi
if has sass; then
  for s in tests/isa/sass_nvidia_*.sh; do
    n=$(basename "$s" .sh); w="$BUILD/isa-$n"; mkdir -p "$w"
    AACO_SOURCE_DIR=$PWD AACO_ISA_WORKDIR=$w NVCC=$(command -v nvcc) CUOBJDUMP=$(command -v cuobjdump) \
      timeout 300 bash "$s" > "$OUT/$n.log" 2>&1; note "$n: rc=$?"
  done
fi
if has python; then
  wait "$python_build"; note "python module build: $(tail -1 "$OUT/python_build.log") ($(( $(date +%s) - t0 )) s since start)"
  export PYTHONPATH="$PWD/$BUILD/python"
  AACO_CLI="$(realpath "$cal")" timeout ${PYTEST_TIMEOUT:-300} "$PY" -m pytest -q -rs -p no:cacheprovider tests/python > "$OUT/pytest.log" 2>&1
  note "pytest (cuda module): rc=$? $(tail -1 "$OUT/pytest.log")"
  if [ -z "${SKIP_CARD:-}" ]; then  # pytest runs the same block; this is the standalone script
    (cd /tmp && timeout 120 "$PY" "$OLDPWD/tests/python/card_example.py") > "$OUT/card_example.txt" 2>&1
    note "card example verbatim: rc=$? $(tr '\n' '|' < "$OUT/card_example.txt" | cut -c1-200)"
  fi
  (cd "$OUT" && timeout 180 "$PY" "$OLDPWD/examples/python/heu_torch.py" --quick) > "$OUT/heu_torch.txt" 2>&1
  note "heu_torch.py: rc=$?"; tail -3 "$OUT/heu_torch.txt"
  if has torchmem; then
    timeout ${TORCHMEM_TIMEOUT:-240} "$PY" benchmarks/torch_memory.py --json "$OUT/torch_memory.json" > "$OUT/torch_memory.txt" 2>&1
    note "torch memory ops vs HBM ceilings: rc=$? $(tail -1 "$OUT/torch_memory.txt")"; tail -8 "$OUT/torch_memory.txt"
  fi
  unset PYTHONPATH
  [ -n "${SKIP_PIP:-}" ] || (timeout 300 "$PY" -m pip install --no-build-isolation --no-deps --target /tmp/aaco-pip . > "$OUT/pip.log" 2>&1 \
    && cd /tmp && PYTHONPATH=/tmp/aaco-pip "$PY" -c "import aaco; print('pip-installed aaco', aaco.__version__, aaco.backend)") >> "$OUT/pip.log" 2>&1
  [ -n "${SKIP_PIP:-}" ] || note "pip install --no-build-isolation: rc=$? $(tail -1 "$OUT/pip.log")"
fi
if has sustained; then
  "$cal" --sustained 10 --precision ${SUSTAINED_PRECISIONS:-fp16,bf16,fp8,int8,tf32,fp64} --level hbm --json "$OUT/sustained.json" \
    --markdown "$OUT/sustained.md" > "$OUT/sustained.log" 2>&1
  note "calibrate --sustained 10: rc=$?"
fi
if has bench; then
  timeout ${BENCH_TIMEOUT:-400} "$BUILD/benchmarks/aaco_bench_compute" --json "$OUT/bench_compute.json" > "$OUT/bench_compute.txt" 2>&1
  note "bench compute: rc=$? $(grep -E 'invariant|CEILING VIOLATED' "$OUT/bench_compute.txt" | head -3 | tr '\n' ' ')"
  timeout ${TORCH_TIMEOUT:-300} "$PY" benchmarks/torch_baseline.py --json "$OUT/torch.json" > "$OUT/torch.txt" 2>&1
  note "torch baseline: rc=$?"
fi
if has latency; then
  timeout ${LATENCY_TIMEOUT:-300} "$cal" --sweep latency --json "$OUT/latency_sweep.json" > "$OUT/latency_sweep.md" 2> "$OUT/latency_sweep.log"
  note "latency sweep: rc=$?"
fi
if has bulk; then
  timeout ${BULK_TIMEOUT:-120} "$BIN/benchmarks/aaco_bench_bulk_copy" > "$OUT/bulk_copy.txt" 2>&1
  note "bulk copy: rc=$?"; grep -E "best|of cudaMemcpy" "$OUT/bulk_copy.txt"
  cuobjdump --dump-sass "$BIN/benchmarks/aaco_bench_bulk_copy" 2>/dev/null | grep -oE "UBLKCP[A-Z0-9_.]*|SYNCS[A-Z0-9_.]*|UTMA[A-Z0-9_.]*" \
    | sort | uniq -c > "$OUT/bulk_copy_sass.txt"; note "bulk copy SASS: $(tr -s ' \n' ' ' < "$OUT/bulk_copy_sass.txt")"
fi
if has fixtures; then
  M=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,l1tex__t_bytes.sum
  for t in d f h; do for op in fma add mul; do M=$M,smsp__sass_thread_inst_executed_op_${t}${op}_pred_on.sum; done; done
  T=sm__ops_path_tensor_src_
  M=$M,${T}fp64.sum,${T}tf32_dst_fp32.sum,${T}fp16_dst_fp16.sum,${T}fp16_dst_fp32.sum,${T}bf16_dst_fp32.sum,${T}int8.sum,${T}fp8.sum
  for w in gemm triad attn; do
    timeout ${FIXTURE_TIMEOUT:-120} ncu --clock-control none --profile-from-start off --metrics "$M" -f -o "$OUT/real_$w" \
      "$PY" benchmarks/ncu_fixtures.py "$w" > "$OUT/ncu_$w.log" 2>&1
    ncu --import "$OUT/real_$w.ncu-rep" --csv --page raw --print-units base > "$OUT/real_$w.csv" 2>> "$OUT/ncu_$w.log"
    note "ncu fixture $w: $(grep -c '^"[0-9]' "$OUT/real_$w.csv" 2>/dev/null) kernels"
    [ -f "$OUT/envelope1.json" ] && "$cal" --envelope "$OUT/envelope1.json" --ncu "$OUT/real_$w.csv" > "$OUT/heu_real_$w.txt" 2>&1
    rm -f "$OUT/real_$w.ncu-rep"
  done
fi
if has ncu; then
  timeout 400 bash benchmarks/ncu_check.sh "$BIN" "$OUT" > "$OUT/ncu.log" 2>&1
  note "ncu check: rc=$?"; tail -20 "$OUT/ncu.log"
fi

echo; echo "======== summary ($(( $(date +%s) - t0 )) s)"
printf '%s\n' "${summary[@]}"
if [ -f "$OUT/envelope1.json" ]; then
  "$PY" - "$OUT" <<'EOF'
import json, sys, glob, os, statistics
out = sys.argv[1]
runs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "envelope[1-5].json")))]
def figs(doc):
    a = doc["aaco"]
    for f in a["compute"]:
        e = f.get("clock_adjusted_efficiency") or {}
        t = f.get("telemetry") or {}
        yield (f"{f['precision']}.{f['unit']}", f["tflops"], e.get("median"), e.get("max"), f.get("clock_mhz"),
               t.get("power_mean_w"), t.get("power_limited"), f["stats"]["cov"] if f.get("stats") else None)
    for f in a["memory"]:
        t = f.get("telemetry") or {}
        yield (f"{f['level']}.{f['op']}.{f.get('scope','roof')}", f["gbps"], None, None, None,
               t.get("power_mean_w"), t.get("power_limited"), f["stats"]["cov"] if f.get("stats") else None)
    for f in a["launch"]:
        yield (f"launch.{f['mode']}", f["us"], None, None, None, None, None, f["stats"]["cov"] if f.get("stats") else None)
    for f in a.get("latency", []):
        yield (f"latency.{f['level']}{'.' + f['scope'] if f.get('scope') else ''}", f["ns"], None, None, f.get("clock_mhz"), None, None, None)
table = {}
for d in runs:
    for k, v, em, ex, clk, pw, pl, cov in figs(d):
        table.setdefault(k, []).append((v, em, ex, clk, pw, pl, cov))
print(f"{'figure':28s} {'median of runs':>14s} {'spread%':>8s} {'eff med':>8s} {'eff max':>8s} {'MHz':>6s} {'W':>5s} {'plim':>5s} {'CoV%':>6s}")
for k, rows in table.items():
    vals = [r[0] for r in rows if r[0] is not None]
    if not vals: continue
    med = statistics.median(vals); spread = (max(vals) - min(vals)) / med * 100 if med else 0
    r = rows[0]
    f = lambda x, fmt: (fmt % x) if isinstance(x, (int, float)) else "n/a"
    print(f"{k:28s} {med:14.2f} {spread:8.2f} {f(r[1] and r[1]*100, '%7.2f')} {f(max((x[2] or 0) for x in rows)*100, '%7.2f')} {f(r[3], '%6.0f')} {f(r[4], '%5.0f')} {str(r[5]):>5s} {f(r[6] and r[6]*100, '%6.2f')}")
print("failures:", [f["key"] for f in runs[0]["aaco"]["failures"]], "telemetry_note:", runs[0]["aaco"].get("telemetry_note"))
EOF
fi

if [ -n "$FINAL_OUT" ] && [ "$FINAL_OUT" != "$OUT" ]; then
  tar czf "$FINAL_OUT/gpu-run.tgz" -C "$(dirname "$OUT")" "$(basename "$OUT")"
  printf '%s\n' "${summary[@]}" > "$FINAL_OUT/summary.txt"
fi
