#!/usr/bin/env bash
# The check behind `peergrid backtest`'s default `--aci-gamma 0.5` with `--calibration-days` (README, *Adaptive
# conformal by default*): 20 series (national and regional demand, metered and derived household load, metered PV;
# no parameter was chosen on the autumn CityLearn homes), six statistical models, 14 calibration and 14 test
# days, plain split conformal (gamma 0) against gamma 0.5. Prints, per series and model, the coverage of the 95 %
# interval (outside the dark hours for PV) both ways, and how many lie within 93-97 %.
# About 10 minutes on two cores after `make release`. OUT=DIR keeps the JSON files (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
BIN=.build/release/peergrid
OUT=${OUT:-$(mktemp -d)}
MODELS=seasonal-naive,seasonal-mean-day,ar-weekly,arima,mstl-arima,mstl-ets
SERIES="
Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw 48
Datasets/victoria_demand_2014_hourly.csv demand_gw 24
Datasets/france_consumption_2019q4_hourly.csv consumption_mw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b01_load_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b02_load_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b03_load_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b04_load_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b05_load_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b01_pv_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b02_pv_kw 24
Datasets/citylearn_fontana_2017q1_hourly.csv b03_pv_kw 24
Datasets/demo/history.csv h02_load_kw 48
Datasets/demo/history.csv h05_load_kw 48
Datasets/demo/history.csv h09_load_kw 48
Datasets/citylearn_fontana_2016autumn_hourly.csv b06_load_kw 24
Datasets/citylearn_fontana_2016autumn_hourly.csv b09_load_kw 24
Datasets/citylearn_fontana_2016autumn_hourly.csv b10_load_kw 24
Datasets/citylearn_fontana_2016autumn_hourly.csv b11_load_kw 24
Datasets/citylearn_fontana_2016autumn_hourly.csv b07_pv_kw 24
Datasets/citylearn_fontana_2016autumn_hourly.csv b10_pv_kw 24
"
echo "$SERIES" | while read -r data column horizon; do
  [ -n "$data" ] || continue
  for g in 0 0.5; do echo "$data $column $horizon $g"; done
done | xargs -P 2 -L 1 sh -c '"$0" backtest --data "$3" --column "$4" --horizon "$5" --test-days 14 --calibration-days 14 \
  --aci-gamma "$6" --models "$1" --json "$2/$4-$6.json" > /dev/null || exit 255' "$BIN" "$MODELS" "$OUT"
python3 - "$OUT" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
names = sorted({os.path.basename(f).rsplit("-", 1)[0] for f in glob.glob(f"{out}/*.json")})
count = {"0": [0, 0], "0.5": [0, 0]}
for c in names:
    row = []
    runs = {g: json.load(open(f"{out}/{c}-{g}.json"))["models"] for g in ("0", "0.5")}
    for a, b in zip(runs["0"], runs["0.5"]):
        cov = [m.get("daylight_coverage", m["coverage"]) for m in (a, b)]
        for g, x in zip(("0", "0.5"), cov):
            count[g][0] += 0.93 <= x <= 0.97
            count[g][1] += 1
        row.append(f"{a['name']} {cov[0]:.3f} -> {cov[1]:.3f}")
    print(f"{c:15} " + ", ".join(row))
for g, (k, n) in count.items():
    print(f"gamma {g}: {k} of {n} coverages within 93-97 % (PV: outside the dark hours)")
PY
