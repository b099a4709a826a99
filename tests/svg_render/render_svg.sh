#!/usr/bin/env bash
# Renders aaco-calibrate's SVG roofline in headless Chromium and checks the screenshot is not
# blank (png_stats.py: >= 1% non-white pixels, >= 3 colours). Exit 0 pass, 1 fail, 77 skip
# (no Chromium or no python3).
#   render_svg.sh AACO_CALIBRATE WORKDIR
set -u
tool="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser="$(command -v "$b")"; break; fi
done
if [ -z "$browser" ]; then echo "SKIP: no chromium on PATH (Debian package 'chromium')"; exit 77; fi
if ! command -v python3 >/dev/null 2>&1; then echo "SKIP: no python3"; exit 77; fi

mkdir -p "$work"
svg="$work/roofline.svg"
png="$work/roofline.png"
rm -f "$svg" "$png"
if ! "$tool" --profile mi300x --svg "$svg" --heu 800@150:fp16 >/dev/null; then
  echo "FAIL: aaco-calibrate could not write the SVG"; exit 1
fi
# A malformed SVG would render as Chromium's XML error page, which is not blank: parse it first.
if ! python3 -c 'import sys, xml.etree.ElementTree as et
root = et.parse(sys.argv[1]).getroot()
sys.exit(0 if root.tag == "{http://www.w3.org/2000/svg}svg" else "root element is " + root.tag)' "$svg"; then
  echo "FAIL: $svg is not a well-formed SVG document"; exit 1
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
echo "+ $browser --headless --screenshot=$png file://$svg"
# Headless, offline and quiet: no sandbox (CI runs as root), no GPU, no network side traffic.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$png" --window-size=1000,640 "file://$svg" >"$work/chromium.log" 2>&1
rc=$?
if [ ! -s "$png" ]; then
  echo "FAIL: chromium exited with $rc and wrote no screenshot"; tail -n 20 "$work/chromium.log"; exit 1
fi
python3 "$here/png_stats.py" "$png" --min-ink 0.01 --min-colors 3
