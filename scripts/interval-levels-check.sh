#!/usr/bin/env bash
# The check behind `backtest --level` and `forecast --level` (README, *Other interval levels*): the 20 series and six
# statistical models of scripts/conformal-default-check.sh, 14 calibration and 14 test days, calibrated by split
# conformal with adaptive conformal inference (backtest's default gamma 0.5), at each of LEVELS (default 80 90 95).
# Prints, per series, each model's coverage at every level (outside the dark hours for PV), then per level how many
# coverages lie within 2 points of it (93-97 % for 95 %), their mean, and the mean interval width as a ratio to the
# 95 % interval's.
# About 8 minutes on two cores after `make release`. OUT=DIR keeps the JSON files (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
BIN=${BIN:-.build/release/peergrid}
OUT=${OUT:-$(mktemp -d)}
LEVELS=${LEVELS:-80 90 95}
MODELS=seasonal-naive,seasonal-mean-day,ar-weekly,arima,mstl-arima,mstl-ets
# The series list of conformal-default-check.sh, read from it so that the two stay the same.
SERIES=$(sed -n '/^SERIES="/,/^"/p' scripts/conformal-default-check.sh | sed '1d;$d')
echo "$SERIES" | while read -r data column horizon; do
  [ -n "$data" ] || continue
  for level in $LEVELS; do echo "$data $column $horizon $level"; done
done | xargs -P 2 -L 1 sh -c '"$0" backtest --data "$3" --column "$4" --horizon "$5" --test-days 14 --calibration-days 14 \
  --level "$6" --models "$1" --json "$2/$4-$6.json" > /dev/null || exit 255' "$BIN" "$MODELS" "$OUT"
python3 - "$OUT" $LEVELS <<'PY'
import json, sys, glob, os
out, levels = sys.argv[1], sys.argv[2:]
names = sorted({os.path.basename(f).rsplit("-", 1)[0] for f in glob.glob(f"{out}/*.json")})
within = {l: [0, 0, 0.0, []] for l in levels}
for c in names:
    runs = {l: json.load(open(f"{out}/{c}-{l}.json"))["models"] for l in levels}
    row = []
    for i, m in enumerate(runs[levels[0]]):
        covs = []
        for l in levels:
            r = runs[l][i]
            x = r.get("daylight_coverage", r["coverage"])
            w = r.get("daylight_interval_width", r["interval_width"])
            nominal = float(l) / 100
            within[l][0] += abs(x - nominal) <= 0.02 + 1e-12
            within[l][1] += 1
            within[l][2] += x
            if "95" in levels:
                w95 = runs["95"][i].get("daylight_interval_width", runs["95"][i]["interval_width"])
                within[l][3].append(w / w95)
            covs.append(f"{x:.3f}")
        row.append(f"{m['name']} " + "/".join(covs))
    print(f"{c:15} " + ", ".join(row))
for l, (k, n, total, ratios) in within.items():
    ratio = f", mean width {sum(ratios) / len(ratios):.3f} of the 95 % interval's" if ratios else ""
    print(f"level {l} %: {k} of {n} coverages within 2 points, mean {total / n:.3f}{ratio}")
PY
