#!/usr/bin/env bash
# One CLI test case: runs a command and checks its exit code and output.
#
#   run_case.sh [options] EXPECTED_RC REGEX -- COMMAND [ARGS...]
#
# Passes when COMMAND exits with EXPECTED_RC and its stdout+stderr matches the extended regex
# REGEX (grep -E, line by line; "-" = no check, since CMake drops empty arguments). Exit 0 pass, 1 fail, 77 skip.
# Options (before EXPECTED_RC):
#   --skip-if-gpu          exit 77 when a GPU is visible (nvidia-smi -L or rocminfo lists one):
#                          for "no GPU" cases in a CUDA/HIP build run on a GPU machine
#   --not REGEX            the output must NOT match REGEX (repeatable)
#   --stdout FILE          also save the command's stdout (only) to FILE
#   --file FILE REGEX      after the run, FILE must exist and match REGEX (repeatable)
#   --file-not FILE REGEX  after the run, FILE must exist and NOT match REGEX (repeatable)
set -u

skip_if_gpu=0
nots=()
stdout_file=""
files=()
file_regexes=()
nfiles=()
nfile_regexes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-if-gpu) skip_if_gpu=1; shift ;;
    --not) nots+=("$2"); shift 2 ;;
    --stdout) stdout_file="$2"; shift 2 ;;
    --file) files+=("$2"); file_regexes+=("$3"); shift 3 ;;
    --file-not) nfiles+=("$2"); nfile_regexes+=("$3"); shift 3 ;;
    *) break ;;
  esac
done
if [ $# -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: run_case.sh [options] EXPECTED_RC REGEX -- COMMAND [ARGS...]" >&2
  exit 1
fi
expected_rc="$1"
regex="$2"
shift 3

gpu_visible() {
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    return 0
  fi
  if command -v rocminfo >/dev/null 2>&1 && rocminfo 2>/dev/null | grep -q 'Name:[[:space:]]*gfx'; then
    return 0
  fi
  return 1
}
if [ "$skip_if_gpu" = 1 ] && gpu_visible; then
  echo "SKIP: a GPU is visible here; this case checks the behaviour without one"
  exit 77
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for f in "${files[@]+"${files[@]}"}" "${nfiles[@]+"${nfiles[@]}"}"; do
  rm -f "$f"   # a stale file must not pass
done

echo "+ $*"
"$@" >"$work/stdout" 2>"$work/stderr"
rc=$?
cat "$work/stdout" "$work/stderr" >"$work/all"
[ -n "$stdout_file" ] && cp "$work/stdout" "$stdout_file"

echo "---- stdout (first 40 lines) ----"; head -n 40 "$work/stdout"
echo "---- stderr ----"; cat "$work/stderr"
echo "--------"
status=0
if [ "$rc" != "$expected_rc" ]; then
  echo "FAIL: exit code $rc, expected $expected_rc"; status=1
else
  echo "ok: exit code $rc"
fi
if [ -n "$regex" ] && [ "$regex" != "-" ]; then
  if grep -Eq -- "$regex" "$work/all"; then echo "ok: output matches /$regex/"
  else echo "FAIL: output does not match /$regex/"; status=1; fi
fi
for n in "${nots[@]+"${nots[@]}"}"; do
  if grep -Eq -- "$n" "$work/all"; then echo "FAIL: output matches /$n/, which it must not"; status=1
  else echo "ok: output does not match /$n/"; fi
done
for i in "${!files[@]}"; do
  f="${files[$i]}"; r="${file_regexes[$i]}"
  if [ ! -s "$f" ]; then echo "FAIL: $f was not written (or is empty)"; status=1
  elif grep -Eq -- "$r" "$f"; then echo "ok: $f matches /$r/"
  else echo "FAIL: $f does not match /$r/"; status=1; fi
done
for i in "${!nfiles[@]}"; do
  f="${nfiles[$i]}"; r="${nfile_regexes[$i]}"
  if [ ! -s "$f" ]; then echo "FAIL: $f was not written (or is empty)"; status=1
  elif grep -Eq -- "$r" "$f"; then echo "FAIL: $f matches /$r/, which it must not"; status=1
  else echo "ok: $f does not match /$r/"; fi
done
exit "$status"
