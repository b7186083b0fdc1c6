#!/usr/bin/env bash
# `make demo`: the main job that exists so far, on bundled data.
# Schedules the bundled 10-prosumer community (15-minute periods, one day) with CBC and writes the schedule and
# summary under Reports/demo/. Until the forecasting pipeline lands, the community's load and PV come from the
# bundled example (derived from the Taylor demand and TMY3 irradiance data in Datasets/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=Reports/demo
mkdir -p "$out"
echo "== peergrid schedule on Datasets/communities/example-10x96.json (CBC, 1 thread, gap 1e-4, limit 90 s)"
set +e
.build/release/peergrid schedule --community Datasets/communities/example-10x96.json --solver cbc --threads 1 \
  --time-limit 90 --out "$out"
code=$?
set -e
echo
echo "== peergrid price on Datasets/communities/example-pricing-3x24.json (uniform storage prices, CBC)"
.build/release/peergrid price --community Datasets/communities/example-pricing-3x24.json --out "$out/pricing"
echo
echo "== peergrid solve on an MPS example (maximization honoured from OBJSENSE)"
.build/release/peergrid solve Datasets/models/mknap-1.mps --solver glpk
echo
if [ "$code" -eq 0 ]; then
  echo "report: $out/summary.json and $out/schedule.csv; storage prices: $out/pricing/prices.csv and pricing.json"
else
  echo "schedule exited with $code"; exit "$code"
fi
