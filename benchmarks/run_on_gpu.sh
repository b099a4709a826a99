#!/usr/bin/env bash
# Builds the CUDA configuration on a GPU machine and runs the stages asked for, in order:
#   tests      the gpu test suite (kernel correctness, latency chase, launch gate)
#   sass       the SASS checks (cuobjdump)
#   python     the pytest suite against the CUDA module, the seed card's example verbatim,
#              examples/python/heu_torch.py, and `pip install --no-build-isolation .`
#   calibrate  five full calibrations back to back (--json), then --quick, each timed
#   sustained  one --sustained 10 run over the matrix precisions
#   bench      the interleaved vendor comparison (aaco_bench_compute) and torch_baseline.py
#   latency    the latency sweep (--sweep latency)
#   ncu        each memory probe and one wgmma figure under Nsight Compute's counters
# Logs go to $RESULTS (default ./gpu-run), packed into $OUT/gpu-run.tgz when $OUT is set (the
# lent machine returns at most 8 files); a short table is printed last.
#
#   STAGES="tests sass python calibrate" benchmarks/run_on_gpu.sh
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
note() { summary+=("$1"); echo "== $1"; }
cal="$BUILD/tools/aaco-calibrate"

{
  date -u +%Y-%m-%dT%H:%M:%SZ
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,power.limit,temperature.gpu --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  "$PY" -c "import sys, torch; print(sys.version.split()[0], 'torch', torch.__version__)" 2>&1
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

t0=$(date +%s)
if [ ! -x "$cal" ] || [ -n "${RECONFIGURE:-}" ]; then
  pybind_dir=$("$PY" -m pybind11 --cmakedir 2>/dev/null || true)
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAACO_BACKEND=cuda \
    -DCMAKE_CUDA_ARCHITECTURES="${ARCHS:-90a-real}" -DCMAKE_PREFIX_PATH="$PWD/.deps/root/usr" \
    -DPython3_EXECUTABLE="$PY" ${pybind_dir:+-Dpybind11_DIR=$pybind_dir} ${CMAKE_EXTRA:-} \
    > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
fi
targets=(aaco-calibrate)
has tests && targets+=(aaco_gpu_tests)
has python && targets+=(aaco_python)
has bench && targets+=(aaco_bench_compute aaco_bench_memory)
has ncu && targets+=(aaco_ncu_probe)
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" -- -k 0 > "$OUT/build.log" 2>&1 \
  || { grep -E 'error|Error' "$OUT/build.log" | head -40; note "build FAILED"; }
note "build: $(( $(date +%s) - t0 )) s"

if has tests; then
  (cd "$BUILD" && timeout 300 ./tests/aaco_gpu_tests -s > "$OUT/gpu_tests.log" 2>&1); rc=$?
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
  export PYTHONPATH="$PWD/$BUILD/python"
  AACO_CLI="$PWD/$cal" timeout 300 "$PY" -m pytest -q -rs -p no:cacheprovider tests/python > "$OUT/pytest.log" 2>&1
  note "pytest (cuda module): rc=$? $(tail -1 "$OUT/pytest.log")"
  (cd /tmp && timeout 120 "$PY" "$OLDPWD/tests/python/card_example.py") > "$OUT/card_example.txt" 2>&1
  note "card example verbatim: rc=$? $(tr '\n' '|' < "$OUT/card_example.txt" | cut -c1-200)"
  (cd "$OUT" && timeout 180 "$PY" "$OLDPWD/examples/python/heu_torch.py" --quick) > "$OUT/heu_torch.txt" 2>&1
  note "heu_torch.py: rc=$?"; tail -3 "$OUT/heu_torch.txt"
  unset PYTHONPATH
  (timeout 300 "$PY" -m pip install --no-build-isolation --no-deps --target /tmp/aaco-pip . > "$OUT/pip.log" 2>&1 \
    && cd /tmp && PYTHONPATH=/tmp/aaco-pip "$PY" -c "import aaco; print('pip-installed aaco', aaco.__version__, aaco.backend)") >> "$OUT/pip.log" 2>&1
  note "pip install --no-build-isolation: rc=$? $(tail -1 "$OUT/pip.log")"
fi
if has calibrate; then
  for run in 1 2 3 4 5; do
    s=$(date +%s%N)
    "$cal" --json "$OUT/envelope$run.json" --markdown "$OUT/envelope$run.md" --no-progress \
      --heu 700@300:bf16 > "$OUT/calibrate$run.log" 2>&1; rc=$?
    note "calibrate run $run: rc=$rc $(( ($(date +%s%N) - s) / 1000000 )) ms"
  done
  "$cal" --svg "$OUT/roofline.svg" --envelope "$OUT/envelope1.json" --heu 700@300:bf16 > /dev/null 2>&1
  s=$(date +%s%N); "$cal" --quick --json "$OUT/quick.json" --no-progress > "$OUT/quick.log" 2>&1
  note "calibrate --quick: rc=$? $(( ($(date +%s%N) - s) / 1000000 )) ms"
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
if has ncu; then
  timeout 400 bash benchmarks/ncu_check.sh "$BUILD" "$OUT" > "$OUT/ncu.log" 2>&1
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
