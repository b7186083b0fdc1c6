#!/usr/bin/env bash
# Renders an HTML report with headless Chromium and checks that a non-empty PNG came out.
# usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
set -euo pipefail
html=$(realpath "$1"); png=$2; size=${3:-1100,4200}
rm -f "$png"
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$size" \
  --screenshot="$(realpath -m "$png")" "file://$html" >/dev/null 2>&1 || true
[ -s "$png" ] || { echo "screenshot: chromium wrote no image for $html" >&2; exit 1; }
echo "screenshot: $png ($(stat -c %s "$png") bytes) of $html"
