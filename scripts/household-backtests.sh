#!/usr/bin/env bash
# Backtests on metered household load and rooftop PV that no model was tuned on (CityLearn's Fontana homes,
# Datasets/citylearn_fontana_2017q1_hourly.csv): every statistical model, the clear-sky PV model, ensemble and auto,
# one day ahead from each of the last 14 days, 95 % intervals calibrated on the 14 days before each.
# Writes Reports/forecast-households/<column>.json and summary.md. Needs a release build (make release). ensemble
# and auto validate their candidates before every origin, memoized across origins since 2026-12-04 (the whole
# script took about an hour on two cores before that).
# The neural models: MODELS=seasonal-naive,lstm,cnn PREFIX=neural- writes neural-<column>.json and neural-summary.md
# (about 2 minutes a series, one series at a time: training already uses both cores).
# Another file: DATA=FILE HORIZON=periods-a-day OUT=DIR TITLE=... COLUMNS=... (the 15-minute SimBench households:
# DATA=Datasets/simbench_households_2016_15min.csv HORIZON=96 OUT=Reports/forecast-households-15min).
# The committed reports were made with plain split conformal (ACI_GAMMA=0, the default here so that they rerun as
# they are); ACI_GAMMA=0.5 gives `peergrid backtest`'s default since 2026-12-05 (adaptive conformal inference).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
BIN=.build/release/peergrid
if [ -z "${DATA:-}" ]; then
  DATA=Datasets/citylearn_fontana_2017q1_hourly.csv
  TITLE=${TITLE:-metered household load and PV (CityLearn Fontana, hourly, last 14 days)}
fi
TITLE=${TITLE:-$DATA (last 14 days)}
OUT=${OUT:-Reports/forecast-households}
HORIZON=${HORIZON:-24}
MODELS=${MODELS:-seasonal-naive,seasonal-naive-day,seasonal-mean,seasonal-mean-day,ar-weekly,arima,mstl-arima,clear-sky,ensemble,auto}
COLUMNS=${COLUMNS:-b01_load_kw b02_load_kw b03_load_kw b01_pv_kw b02_pv_kw b03_pv_kw}
PREFIX=${PREFIX:-}
mkdir -p "$OUT"
# SUMMARY_ONLY=1: only rebuild summary.md from the JSON files already there.
for c in $([ -n "${SUMMARY_ONLY:-}" ] || echo $COLUMNS); do
  echo "== $c" >&2
  "$BIN" backtest --data "$DATA" --column "$c" --horizon "$HORIZON" --test-days 14 --calibration-days 14 --aci-gamma "${ACI_GAMMA:-0}" --models "$MODELS" --json "$OUT/$PREFIX$c.json" > /dev/null &
  # JOBS at a time (default 2, the two cores).
  while [ "$(jobs -rp | wc -l)" -ge "${JOBS:-2}" ]; do sleep 1; done
done
wait
python3 - "$OUT" "$PREFIX" "$TITLE" $COLUMNS <<'PY'
import json, sys
out, prefix, title, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
lines = [f"# Backtests on {title}", "",
         "`scripts/household-backtests.sh` (release build, OPENBLAS_NUM_THREADS=1). MASE is scaled by the weekly seasonal naive's in-sample MAE; "
         "coverage is that of the 95 % interval calibrated on the 14 days before each test day (on PV also outside the dark hours, where the [0, 0] interval covers by construction). **Bold**: the lowest MASE of the series. "
         "*beats seasonal-naive*: the models with a lower MASE than the weekly seasonal naive.", ""]
for c in cols:
    d = json.load(open(f"{out}/{prefix}{c}.json"))
    ms = d["models"]
    best = min(m["mase"] for m in ms)
    naive = next(m["mase"] for m in ms if m["name"] == "seasonal-naive")
    # A series with dark hours (PV) also gets the coverage outside them (backtest's daylight_coverage).
    lit = all("daylight_coverage" in m for m in ms)
    extra = (" daylight coverage |", "---|") if lit else ("", "")
    lines += [f"## {c}", "", "| model | MAE | RMSE | MASE | coverage | width | pinball .025/.5/.975 |" + extra[0], "|---|---|---|---|---|---|---|" + extra[1]]
    for m in ms:
        mase = f"**{m['mase']:.3f}**" if m["mase"] == best else f"{m['mase']:.3f}"
        p = m["pinball"]
        daylight = f" {m['daylight_coverage']:.3f} |" if lit else ""
        lines.append(f"| {m['name']} | {m['mae']:.4f} | {m['rmse']:.4f} | {mase} | {m['coverage']:.3f} | {m['interval_width']:.3f} | {p['q0.025']:.4f} / {p['q0.5']:.4f} / {p['q0.975']:.4f} |" + daylight)
    beat = [m["name"] for m in ms if m["name"] != "seasonal-naive" and m["mase"] < naive]
    lose = [m["name"] for m in ms if m["name"] != "seasonal-naive" and m["mase"] >= naive]
    lines += ["", f"beats seasonal-naive: {', '.join(beat) or 'none'}; does not: {', '.join(lose) or 'none'}", ""]
open(f"{out}/{prefix}summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
