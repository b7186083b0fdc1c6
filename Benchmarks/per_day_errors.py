#!/usr/bin/env python3
"""Where a backtest's errors and interval misses fall, day by day (issue 21's Taylor targets).

Reads `peergrid backtest --forecasts FILE.csv` (model,origin,timestamp,actual,forecast,...) run over C + K days
without calibration. For each of the last K days it prints every model's MAPE % and how many of the day's
observations fall outside the split-conformal 95 % interval that `backtest --calibration-days C` gives (the
absolute errors of the C days before, two neighbouring steps pooled on each side; the same rule as
`Backtest.conformalHalfWidths`). Then, per model, the MAPE and coverage with and without the day that has the
most misses over all models. With `--reference FILE:COLUMN:PERIODS_PER_DAY` and statsforecast installed
(`make bench-setup`), statsforecast's MSTL (season lengths one day and one week, its defaults) is refitted at each
of the K origins and its MAPE added.

    peergrid backtest --data Datasets/taylor_england_wales_halfhourly_2000.csv --column demand_mw --horizon 48 \\
        --test-days 28 --models seasonal-naive,ar-weekly,arima,mstl-arima,mstl-ets,ensemble,lstm,cnn \\
        --forecasts taylor-28.csv
    python3 Benchmarks/per_day_errors.py taylor-28.csv --test-days 14 --calibration-days 14 \\
        --reference Datasets/taylor_england_wales_halfhourly_2000.csv:demand_mw:48
"""
import argparse
import csv
import datetime
import math
import os
from collections import OrderedDict

POOL = 2
LEVEL = 0.95


def half_width(errors, h, horizon):
    r = sorted(abs(e[j]) for e in errors for j in range(max(0, h - POOL), min(horizon, h + POOL + 1)) if j < len(e))
    k = math.ceil((len(r) + 1) * LEVEL)
    return r[min(len(r), max(1, k)) - 1]


def statsforecast_mape(spec, origins_k):
    import numpy as np
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL
    path, column, day = spec.rsplit(":", 2)  # checked by main
    day = int(day)
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    index = {datetime.datetime.fromisoformat(r["timestamp"]): i for i, r in enumerate(rows)}
    y = np.array([float(r[column]) for r in rows])
    out, local = [], []
    for origin in origins_k:
        o = index[datetime.datetime.fromisoformat(origin)]
        local.append(rows[o]["timestamp"])
        df = pd.DataFrame({"unique_id": "x", "ds": np.arange(o), "y": y[:o]})
        f = StatsForecast(models=[MSTL(season_length=[day, 7 * day])], freq=1).forecast(df=df, h=day)["MSTL"]
        a = y[o:o + day]
        out.append(float(np.mean(np.abs(a - f.to_numpy()[:len(a)]) / np.abs(a)) * 100))
    return out, local


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("forecasts")
    p.add_argument("--test-days", type=int, default=14)
    p.add_argument("--calibration-days", type=int, default=14)
    p.add_argument("--reference", help="FILE:COLUMN:PERIODS_PER_DAY for statsforecast's MSTL")
    a = p.parse_args()
    if a.reference:
        parts = a.reference.rsplit(":", 2)
        if len(parts) != 3 or not parts[2].isdigit() or not os.path.isfile(parts[0]):
            p.error("--reference takes FILE:COLUMN:PERIODS_PER_DAY of an existing file, got %r" % a.reference)
        try:
            import statsforecast  # noqa: F401
        except ImportError:
            p.error("--reference needs statsforecast (make bench-setup makes Benchmarks/.venv)")
    if not os.path.isfile(a.forecasts):
        p.error("%s: no such file" % a.forecasts)
    rows = OrderedDict()
    for r in csv.DictReader(open(a.forecasts)):
        day = rows.setdefault(r["model"], OrderedDict()).setdefault(r["origin"], ([], []))
        day[0].append(float(r["actual"]))
        day[1].append(float(r["forecast"]))
    models = list(rows)
    origins = list(rows[models[0]])
    K, C = a.test_days, a.calibration_days
    if len(origins) < K + C:
        p.error(f"{a.forecasts} has {len(origins)} origins; --test-days + --calibration-days needs {K + C}")
    test = origins[-K:]
    mape, misses, sizes = {}, {}, {}
    for m in models:
        errors = [[y - f for y, f in zip(*rows[m][o])] for o in origins]
        mape[m], misses[m] = [], []
        for i in range(len(origins) - K, len(origins)):
            actual, e = rows[m][origins[i]][0], errors[i]
            mape[m].append(sum(abs(x) / abs(y) for x, y in zip(e, actual)) / len(e) * 100)
            H = len(e)
            misses[m].append(sum(abs(e[h]) > half_width(errors[i - C:i], h, H) for h in range(H)))
            sizes.setdefault(i, H)
    # With --reference, days are shown by the data file's own (local) timestamps; otherwise by the origins'.
    reference, shown = statsforecast_mape(a.reference, test) if a.reference else (None, test)
    names = models + (["statsforecast MSTL"] if reference else [])
    print("day           " + "".join(f"{m[:12]:>13s}" for m in names))
    print(" " * 15 + "MAPE % (observations outside the calibrated 95 % interval)")
    for j, o in enumerate(shown):
        date = datetime.date.fromisoformat(o[:10])
        cells = [f"{mape[m][j]:6.2f} ({misses[m][j]:2d})" for m in models]
        if reference:
            cells.append(f"{reference[j]:6.2f}     ")
        print((f"{o[:10]} {date.strftime('%a')}" + "".join(f"{c:>13s}" for c in cells)).rstrip())
    worst = max(range(K), key=lambda j: sum(misses[m][j] for m in models))
    n = sum(sizes.values())
    print(f"\nwithout {shown[worst][:10]} (the day with the most misses, {sum(misses[m][worst] for m in models)} of "
          f"{sum(sum(v) for v in misses.values())} over all models):")
    print(f"{'model':20s} {'MAPE %':>8s} {'without':>8s} {'coverage':>9s} {'without':>8s}")
    for m in names:
        v = reference if m == "statsforecast MSTL" else mape[m]
        rest = [x for j, x in enumerate(v) if j != worst]
        line = f"{m:20s} {sum(v) / K:8.3f} {sum(rest) / (K - 1):8.3f}"
        if m in misses:
            miss = sum(misses[m])
            h = sizes[len(origins) - K + worst]
            line += f" {1 - miss / n:9.3f} {1 - (miss - misses[m][worst]) / (n - h):8.3f}"
        print(line)


if __name__ == "__main__":
    main()
