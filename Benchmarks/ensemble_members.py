#!/usr/bin/env python3
"""Replays `ensemble` with other member sets, from a backtest's forecasts.

`ensemble` weights its members by a constrained least-squares stack (w >= 0, sum w = 1) of their forecasts on
the 7 days before an origin (its window until 2026-12-05; a load series now validates on 14, see
`Benchmarks/ensemble_window.py`), each refitted on the history before its day: exactly the outer backtest's
forecasts at those origins. So a backtest over K + 7 days (`peergrid backtest --forecasts FILE.csv`) lets this
script replay, for each of the last K origins, the combination of any member set, and score it on the day.
It prints, per file, the MAE of each member set as a ratio to the best single statistical model of the last K
days (chosen after the fact), and the MAPE where no actual is zero.

    peergrid backtest --data Datasets/taylor_england_wales_halfhourly_2000.csv --column demand_mw --horizon 48 \\
        --test-days 35 --models seasonal-naive,ar-weekly,arima,mstl-arima,seasonal-naive-day,seasonal-mean-day,mstl-ets \\
        --forecasts taylor.csv
    python3 Benchmarks/ensemble_members.py 14 taylor.csv [more.csv ...]

The set "ensemble (now)" is the ensemble of load series before 2026-12-04, and it replays that `ensemble` exactly
(Taylor, last 14 days: 0.963 % MAPE, as `backtest` reported). Since 2026-12-04 the ensemble is "+ mstl-ets" for a
load series and "+ seasonal-naive-day, seasonal-mean-day, mstl-ets" for a generation series (Taylor: 0.922 %, as
`backtest` reports now). A set whose members are not all in the file is left blank.
"""
import csv
import sys
from collections import OrderedDict

import numpy as np

SETS = OrderedDict([
    ("ensemble (now)", ["seasonal-naive", "ar-weekly", "arima", "mstl-arima"]),
    ("+ seasonal-naive-day, seasonal-mean-day",
     ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "seasonal-naive-day", "seasonal-mean-day"]),
    ("+ seasonal-mean-day", ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "seasonal-mean-day"]),
    ("+ mstl-ets", ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "mstl-ets"]),
    ("+ seasonal-naive-day, seasonal-mean-day, mstl-ets",
     ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "seasonal-naive-day", "seasonal-mean-day", "mstl-ets"]),
])
NEURAL = {"lstm", "cnn"}
VALIDATION = 7


def simplex_least_squares(f, a, iterations=20000):
    """argmin ||f w - a||^2 over w >= 0, sum w = 1, by projected gradient."""
    k = f.shape[1]
    w = np.full(k, 1 / k)
    lipschitz = np.linalg.norm(f, 2) ** 2 + 1e-300
    for _ in range(iterations):
        v = w - (f.T @ (f @ w - a)) / lipschitz
        u = np.sort(v)[::-1]
        css = np.cumsum(u)
        r = np.nonzero(u * np.arange(1, k + 1) > css - 1)[0][-1]
        w = np.maximum(v - (css[r] - 1) / (r + 1), 0)
    return w


def main(k, paths):
    print("| series | best single (last %d days) | %s |" % (k, " | ".join(SETS)))
    print("|---" * (len(SETS) + 2) + "|")
    for path in paths:
        rows = OrderedDict()
        for r in csv.DictReader(open(path)):
            day = rows.setdefault(r["model"], OrderedDict()).setdefault(r["origin"], ([], []))
            day[0].append(float(r["actual"]))
            day[1].append(float(r["forecast"]))
        models = list(rows)
        origins = list(rows[models[0]])
        actual = {o: np.array(rows[models[0]][o][0]) for o in origins}
        fc = {m: {o: np.array(rows[m][o][1]) for o in origins} for m in models}
        test = range(len(origins) - k, len(origins))
        single = {m: np.mean([np.mean(np.abs(fc[m][origins[i]] - actual[origins[i]])) for i in test])
                  for m in models if m not in NEURAL}
        best = min(single, key=single.get)
        nonnegative = all(min(v) >= 0 for v in actual.values())
        cells = []
        for members in SETS.values():
            if any(m not in fc for m in members):
                cells.append("")
                continue
            mae, ape = [], []
            for i in test:
                days = range(i - VALIDATION, i)
                f = np.concatenate([np.stack([fc[m][origins[j]] for m in members], 1) for j in days])
                a = np.concatenate([actual[origins[j]] for j in days])
                p = np.stack([fc[m][origins[i]] for m in members], 1) @ simplex_least_squares(f, a)
                if nonnegative:
                    p = np.maximum(p, 0)
                y = actual[origins[i]]
                mae.append(np.mean(np.abs(p - y)))
                nz = y != 0
                ape.append(np.mean(np.abs((p - y)[nz] / y[nz])) * 100 if nz.all() else np.nan)
            cell = "%.3f" % (np.mean(mae) / single[best])
            if not np.isnan(np.mean(ape)):
                cell += " (MAPE %.3f %%)" % np.mean(ape)
            cells.append(cell)
        print("| %s | %s | %s |" % (path.split("/")[-1].removesuffix(".csv"), best, " | ".join(cells)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: ensemble_members.py K FORECASTS.csv [...]")
    main(int(sys.argv[1]), sys.argv[2:])
