#!/usr/bin/env bash
# `make demo`: the main job on bundled data. `peergrid day-ahead` forecasts the load and PV of the bundled
# 10-prosumer community (Datasets/demo/, derived from the real Taylor demand and TMY3 irradiance series; see
# Datasets/README.md) for 2000-08-27 from the eleven weeks before it, schedules the community, prices the shared
# storage and writes the report. The history also holds that day's readings, so the report compares the forecast
# with what was metered.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== peergrid day-ahead --community Datasets/demo/community.json --date 2000-08-27"
.build/release/peergrid day-ahead --community Datasets/demo/community.json --date 2000-08-27 --out Reports
echo
echo "Open the report: Reports/demo-10/2000-08-27/report.html (one self-contained file; report.md next to it)."
echo "Past runs: .build/release/peergrid history"
