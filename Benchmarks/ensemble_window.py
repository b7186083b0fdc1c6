#!/usr/bin/env python3
"""Replays `ensemble`'s stack with a validation window of one week against two, from a backtest's forecasts.

`ensemble` weights its members by a constrained least-squares stack (w >= 0, sum w = 1) of their forecasts on the
W days before an origin, each refitted on the history before its day: exactly the outer backtest's forecasts at
those origins (`Benchmarks/ensemble_members.py` replays the shipped ensemble to the digit this way). So a backtest
of the members over K + 14 days lets this script replay, for each of the last K origins, the stack with W = 7
(`ensemble` until 2026-12-05) and W = 14 (a load series' window since then), and score both on the day.

The members are the models of the file among `ensemble`'s: the weekly five for a load series; add
seasonal-naive-day and seasonal-mean-day to the backtest for a generation series, as `ensemble` does.

    peergrid backtest --data Datasets/victoria_demand_2014_hourly.csv --column demand_gw --horizon 24 \\
        --test-days 28 --models seasonal-naive,ar-weekly,arima,mstl-arima,mstl-ets --forecasts victoria.csv
    python3 Benchmarks/ensemble_window.py 14 victoria.csv [more.csv ...]

Prints, per file, the MAE of each window over the last K days and the ratio W = 14 / W = 7 (below 1: the two
weeks are better), and the MAPE where no actual is zero.
"""
import csv
import os
import sys
from collections import OrderedDict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ensemble_members import simplex_least_squares  # noqa: E402

MEMBERS = ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "mstl-ets", "seasonal-naive-day", "seasonal-mean-day"]
WINDOWS = [7, 14]


def replay(k, path):
    rows = OrderedDict()
    for r in csv.DictReader(open(path, encoding="utf-8-sig")):
        day = rows.setdefault(r["model"], OrderedDict()).setdefault(r["origin"], ([], []))
        day[0].append(float(r["actual"]))
        day[1].append(float(r["forecast"]))
    members = [m for m in MEMBERS if m in rows]
    if len(members) < 2:
        sys.exit("%s: fewer than two of the members %s" % (path, ", ".join(MEMBERS)))
    origins = list(rows[members[0]])
    if len(origins) < k + max(WINDOWS):
        sys.exit("%s: %d origins; %d test days need %d" % (path, len(origins), k, k + max(WINDOWS)))
    actual = {o: np.array(rows[members[0]][o][0]) for o in origins}
    forecast = {o: np.stack([np.array(rows[m][o][1]) for m in members], 1) for o in origins}
    errors = {w: [] for w in WINDOWS}
    for i in range(len(origins) - k, len(origins)):
        y = actual[origins[i]]
        for w in WINDOWS:
            days = origins[i - w:i]
            weights = simplex_least_squares(np.concatenate([forecast[o] for o in days]),
                                            np.concatenate([actual[o] for o in days]))
            errors[w].append((forecast[origins[i]] @ weights, y))
    mae = {w: np.mean(np.concatenate([np.abs(f - y) for f, y in errors[w]])) for w in WINDOWS}
    line = "%-28s %d members" % (os.path.basename(path), len(members))
    for w in WINDOWS:
        pairs = np.concatenate([np.stack([f, y], 1) for f, y in errors[w]])
        pairs = pairs[pairs[:, 1] != 0]
        mape = np.mean(np.abs(pairs[:, 0] - pairs[:, 1]) / np.abs(pairs[:, 1])) * 100 if len(pairs) == len(
            np.concatenate([y for _, y in errors[w]])) else float("nan")
        line += "  W=%d MAE %.5g%s" % (w, mae[w], "" if np.isnan(mape) else " (MAPE %.3f %%)" % mape)
    print(line + "  ratio %.4f" % (mae[14] / mae[7]))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    for path in argv[2:]:
        replay(int(argv[1]), path)


if __name__ == "__main__":
    main(sys.argv)
