#!/usr/bin/env bash
# What forecast errors cost the plan, by forecaster (README, *The plan on the metered day*): runs `peergrid
# day-ahead` on the demo community for each of the last DAYS days its history covers (default 7, to 2000-08-27) with
# each of MODELS (default seasonal-naive, seasonal-mean, mstl-arima, auto), and prints per model the mean MAPE of
# the community's total load forecast and the cost of the forecast errors (`summary.json`'s metered_day: the plan
# kept on the metered day minus the day's optimum with hindsight), summed over the days and as a share of the
# optima. About 5 minutes on two cores after `make release`. OUT=DIR keeps the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
BIN=${BIN:-.build/release/peergrid}
OUT=${OUT:-$(mktemp -d)}
DAYS=${DAYS:-7}
MODELS=${MODELS:-"seasonal-naive seasonal-mean mstl-arima auto"}
COMMUNITY=${COMMUNITY:-Datasets/demo/community.json}
LAST=${LAST:-2000-08-27}
for model in $MODELS; do
  for k in $(seq 0 $((DAYS - 1))); do
    day=$(date -u -d "$LAST - $k days" +%Y-%m-%d)
    echo "$model $day"
  done
done | xargs -P 2 -L 1 sh -c '"$0" day-ahead --community "$1" --date "$4" --model "$3" --out "$2/$3" --store none > /dev/null || exit 255' \
  "$BIN" "$COMMUNITY" "$OUT"
python3 - "$OUT" $MODELS <<'PY'
import glob, json, sys
out, models = sys.argv[1], sys.argv[2:]
print(f"{'model':16} {'days':>4} {'load MAPE %':>11} {'planned':>9} {'kept':>9} {'optimum':>9} {'errors cost':>11} {'share':>7}")
for m in models:
    runs = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{m}/*/*/summary.json"))]
    runs = [r for r in runs if r.get("metered_day", {}).get("forecast_error_cost") is not None]
    if not runs:
        print(f"{m:16} no day with a metered-day check"); continue
    mape = sum(r["forecast"]["total_load_mape_vs_actual"] for r in runs) / len(runs)
    planned = sum(r["metered_day"]["planned_cost"] for r in runs)
    kept = sum(r["metered_day"]["kept_cost"] for r in runs)
    optimum = sum(r["metered_day"]["optimum_cost"] for r in runs)
    print(f"{m:16} {len(runs):4d} {mape:11.2f} {planned:9.2f} {kept:9.2f} {optimum:9.2f} {kept - optimum:11.3f} {100 * (kept - optimum) / optimum:6.2f}%")
PY
