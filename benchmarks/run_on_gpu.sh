#!/usr/bin/env bash
# Builds the CUDA configuration on a GPU machine and runs, in order of importance: the gpu test
# suite (kernel correctness), the SASS checks, aaco-calibrate end to end, the vendor-comparison
# benchmarks and the tuning sweeps. Logs and results go to $OUT (default ./gpu-run); a short
# table is printed last.
#
#   STAGES="tests sass calibrate bench tune" benchmarks/run_on_gpu.sh
#
# The GPU machine has no package access: doctest, nlohmann_json and CLI11 travel unpacked under
# .deps/root (see README, "Running on a GPU machine").
set -uo pipefail
cd "$(dirname "$0")/.."
# Everything is written under $RESULTS; when $OUT is set (the lent GPU machine returns at most
# a few files) it is packed into $OUT/gpu-run.tgz at the end.
RESULTS=${RESULTS:-$PWD/gpu-run}
FINAL_OUT=${OUT:-}
OUT=$RESULTS
mkdir -p "$OUT"
STAGES=${STAGES:-"tests sass calibrate bench tune"}
BUILD=${BUILD:-build/gpu}
export PATH="/usr/local/cuda/bin:$PATH"
has() { [[ " $STAGES " == *" $1 "* ]]; }
summary=()
note() { summary+=("$1"); echo "== $1"; }

{
  date -u +%Y-%m-%dT%H:%M:%SZ
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,power.limit,temperature.gpu --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

t0=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAACO_BACKEND=cuda \
  -DCMAKE_CUDA_ARCHITECTURES="90a-real;80-real" -DCMAKE_PREFIX_PATH="$PWD/.deps/root/usr" ${CMAKE_EXTRA:-} \
  > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
targets=(aaco_gpu_tests aaco-calibrate)
has bench && targets+=(aaco_bench_compute aaco_bench_memory aaco_quickstart aaco_heu_stream aaco_heu_gemm)
has node && targets+=(aaco_bench_fleet)
has tune && targets+=(aaco_tune_wgmma aaco_tune_stream aaco_tune_vector)
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" > "$OUT/build.log" 2>&1 \
  || { grep -E 'error|Error' "$OUT/build.log" | head -40; note "build FAILED"; }
note "build: $(( $(date +%s) - t0 )) s"

if has tests; then
  (cd "$BUILD" && timeout 300 ./tests/aaco_gpu_tests -s=false > "$OUT/gpu_tests.log" 2>&1); rc=$?
  note "gpu tests: rc=$rc $(grep -E 'test cases:|assertions:' "$OUT/gpu_tests.log" | tr -s ' ' | tr '\n' ' ')"
  grep -E 'ERROR|FAILED|skipped' "$OUT/gpu_tests.log" | head -30
fi
if has sass; then
  for s in tests/isa/sass_nvidia_*.sh; do
    n=$(basename "$s" .sh); w="$BUILD/isa-$n"; mkdir -p "$w"
    AACO_SOURCE_DIR=$PWD AACO_ISA_WORKDIR=$w NVCC=$(command -v nvcc) CUOBJDUMP=$(command -v cuobjdump) \
      timeout 300 bash "$s" > "$OUT/$n.log" 2>&1; note "$n: rc=$?"
  done
fi
if has calibrate; then
  cal="$BUILD/tools/aaco-calibrate"
  for run in 1 2; do
    /usr/bin/time -f "%e s wall" "$cal" --json "$OUT/envelope$run.json" --svg "$OUT/roofline.svg" \
      --markdown "$OUT/envelope$run.md" --heu 700@300:bf16 --heu 0.9@0.25:fp32 > "$OUT/calibrate$run.log" 2>&1
    note "calibrate run $run: rc=$? $(tail -1 "$OUT/calibrate$run.log")"
  done
  /usr/bin/time -f "%e s wall" "$cal" --quick --json - > "$OUT/quick.json" 2> "$OUT/quick.log"
  note "calibrate --quick: rc=$? $(tail -1 "$OUT/quick.log")"
  "$cal" --profile h100-sxm --json - > /dev/null; note "profile: rc=$?"
fi
if has bench; then
  timeout 180 "$BUILD/benchmarks/aaco_bench_compute" > "$OUT/bench_compute.txt" 2>&1; note "bench compute: rc=$?"
  timeout 180 "$BUILD/benchmarks/aaco_bench_memory" > "$OUT/bench_memory.txt" 2>&1; note "bench memory: rc=$?"
  for e in quickstart heu_stream heu_gemm; do
    timeout 120 "$BUILD/examples/aaco_$e" --quick > "$OUT/example_$e.txt" 2>&1; note "example $e: rc=$?"
  done
fi
if has node; then
  /usr/bin/time -f "%e s wall" "$BUILD/tools/aaco-calibrate" --device all --quick --json "$OUT/node.json" \
    --markdown "$OUT/node.md" > "$OUT/node.log" 2>&1; note "node (--device all --quick): rc=$? $(tail -1 "$OUT/node.log")"
  timeout 120 "$BUILD/benchmarks/fleet/aaco_bench_fleet" > "$OUT/bench_fleet.txt" 2>&1; note "bench fleet: rc=$?"
fi
if has tune; then
  timeout 120 "$BUILD/benchmarks/aaco_tune_wgmma" > "$OUT/tune_wgmma.txt" 2>&1; note "tune wgmma: rc=$?"
  timeout 120 "$BUILD/benchmarks/aaco_tune_stream" > "$OUT/tune_stream.txt" 2>&1; note "tune stream: rc=$?"
  timeout 120 "$BUILD/benchmarks/aaco_tune_vector" > "$OUT/tune_vector.txt" 2>&1; note "tune vector: rc=$?"
fi

echo; echo "======== summary ($(( $(date +%s) - t0 )) s)"
printf '%s\n' "${summary[@]}"
[ -f "$OUT/envelope1.md" ] && sed -n '/## Compute/,/## Validation/p' "$OUT/envelope1.md" | head -60

if [ -n "$FINAL_OUT" ] && [ "$FINAL_OUT" != "$OUT" ]; then
  tar czf "$FINAL_OUT/gpu-run.tgz" -C "$(dirname "$OUT")" "$(basename "$OUT")"
  printf '%s\n' "${summary[@]}" > "$FINAL_OUT/summary.txt"
fi
