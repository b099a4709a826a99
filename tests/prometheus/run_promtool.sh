#!/usr/bin/env bash
# `promtool check metrics` on aaco's Prometheus output (label "prometheus").
#
#   run_promtool.sh PROMTOOL file FILE...            every FILE must pass
#   run_promtool.sh PROMTOOL command OUT -- CMD...   CMD must exit 0 and write OUT, which must pass
#   run_promtool.sh PROMTOOL self-check              promtool must reject broken input (so a pass
#                                                    above means something)
# Each checked file must also hold at least one "# TYPE ... gauge" line and no sample with a
# timestamp (node_exporter's textfile collector refuses those). Exit 0 pass, 1 fail, 77 skip.
set -u
promtool="$1"; mode="$2"; shift 2
if [ -z "$promtool" ] || ! command -v "$promtool" >/dev/null 2>&1; then
  echo "SKIP: promtool not found (Debian package prometheus)"; exit 77
fi
check() {
  local f="$1" status=0
  if [ ! -s "$f" ]; then echo "FAIL: $f is missing or empty"; return 1; fi
  if "$promtool" check metrics <"$f"; then echo "ok: promtool accepts $f"; else echo "FAIL: promtool rejects $f"; status=1; fi
  if grep -q '^# TYPE [a-z_:]* gauge$' "$f"; then echo "ok: $f has gauges"; else echo "FAIL: no gauge in $f"; status=1; fi
  # A sample line is NAME[{LABELS}] VALUE; a third field would be a timestamp.
  if grep -v '^#' "$f" | sed 's/{.*}//' | awk 'NF != 2 { bad = 1 } END { exit bad }'; then
    echo "ok: no timestamps in $f"
  else
    echo "FAIL: a sample in $f has a timestamp or is malformed"; status=1
  fi
  return $status
}
case "$mode" in
  file)
    status=0
    for f in "$@"; do check "$f" || status=1; done
    exit $status ;;
  command)
    out="$1"; shift
    [ "$1" = "--" ] && shift
    rm -f "$out"
    echo "+ $*"
    "$@" || { echo "FAIL: command exited $?"; exit 1; }
    check "$out" ;;
  self-check)
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    printf 'foo{a="1" 1\n' >"$work/parse.prom"
    printf '# TYPE foo_us gauge\nfoo_us 1\n' >"$work/lint.prom"
    status=0
    for f in "$work/parse.prom" "$work/lint.prom"; do
      if "$promtool" check metrics <"$f" >/dev/null 2>&1; then echo "FAIL: promtool accepted broken $f"; status=1
      else echo "ok: promtool rejects $(basename "$f")"; fi
    done
    exit $status ;;
  *) echo "usage: run_promtool.sh PROMTOOL file|command|self-check ..."; exit 1 ;;
esac
