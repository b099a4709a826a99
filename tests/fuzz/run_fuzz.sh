#!/usr/bin/env bash
# Builds the envelope-reader fuzz target with clang's libFuzzer + ASan/UBSan, replays the corpus,
# then fuzzes for AACO_FUZZ_SECONDS (default 15). Exit 77 when clang cannot link libFuzzer.
set -euo pipefail
clangxx=$1 src=$2 work=$3
seconds=${AACO_FUZZ_SECONDS:-15}
mkdir -p "$work/corpus"
nlohmann_inc=$(dirname "$(dirname "$(find /usr/include -path '*/nlohmann/json.hpp' -print -quit)")")
if ! "$clangxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I"$src/include" -I"$nlohmann_inc" "$src/tests/fuzz/fuzz_envelope_reader.cpp" -o "$work/fuzz_envelope_reader" 2>"$work/build.log"; then
  if grep -qiE 'libclang_rt|cannot find|fuzzer' "$work/build.log"; then
    echo "skip: $clangxx cannot link libFuzzer here:"; cat "$work/build.log"; exit 77
  fi
  cat "$work/build.log"; exit 1
fi
cp -f "$src"/tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
echo "replaying corpus and fuzzing for ${seconds}s"
"$work/fuzz_envelope_reader" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 "$work/corpus"
