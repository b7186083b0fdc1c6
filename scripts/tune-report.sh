#!/usr/bin/env bash
# Particle swarm against random search at the same budget of training runs, for lstm and cnn on two series
# (Taylor national demand, a metered CityLearn home). Writes Reports/tune/<series>-<model>.json and summary.md.
# Needs a release build (make release). About 10 minutes on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
BIN=.build/release/peergrid
OUT=Reports/tune
BUDGET=${BUDGET:-30}
mkdir -p "$OUT"
run() {  # label data column model
  "$BIN" tune --data "$2" --column "$3" --model "$4" --budget "$BUDGET" --validation-days 3 --seed 1 --json "$OUT/$1-$4.json" > "$OUT/$1-$4.txt"
}
for m in lstm cnn; do
  run taylor Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw "$m"
  run citylearn-b01 Datasets/citylearn_fontana_2017q1_hourly.csv b01_load_kw "$m"
done
python3 - "$OUT" "$BUDGET" <<'PY'
import json, sys, glob, os
out, budget = sys.argv[1], sys.argv[2]
lines = ["# Hyperparameter search: particle swarm against random search", "",
         f"`scripts/tune-report.sh` (release, OPENBLAS_NUM_THREADS=1): `peergrid tune --budget {budget} --validation-days 3 --seed 1`. "
         "Each configuration trains once without the last 3 days and is scored by its MAE on them; the same budget of training runs for both methods.", "",
         "| series | model | PSO best MAE | random best MAE | PSO / random | PSO best configuration | random best configuration |", "|---|---|---|---|---|---|---|"]
for f in sorted(glob.glob(f"{out}/*.json")):
    d = json.load(open(f))
    by = {m["method"]: m for m in d["methods"]}
    def cfg(c): return f"window {c['window']}, width {c['width']}, lr {c['learning_rate']:.2e}, epochs {c['epochs']}"
    p, r = by["pso"], by["random"]
    lines.append(f"| {d['series']} | {d['model']} | {p['best_mae']:.4g} | {r['best_mae']:.4g} | {p['best_mae']/r['best_mae']:.3f} | {cfg(p['best'])} | {cfg(r['best'])} |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
