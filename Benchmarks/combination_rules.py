#!/usr/bin/env python3
"""Replays other ways to weight `ensemble`'s five load members, from a backtest's forecasts (2026-12-05, not adopted).

Reads `peergrid backtest --forecasts FILE.csv` over at least 7 + K days with the members seasonal-naive,
ar-weekly, arima, mstl-arima and mstl-ets. For each of the last K origins the weights come from the 7 days
before it, as `ensemble` did until 2026-12-05 (a load series now validates on 14 days,
`Benchmarks/ensemble_window.py`; `Benchmarks/ensemble_members.py` replays the 7-day stack exactly):
  stack      least squares over the simplex (w >= 0, sum 1): `ensemble`'s rule;
  lad        least absolute deviations over the simplex (a linear program, scipy's HiGHS);
  inv-mae    weights proportional to 1 / each member's validation MAE;
  trim       the stack without the validation days whose squared error (under the stack's weights) is over 4
             times the median day's;
  top2       the equal mean of the two members with the lowest validation MAE (added 2026-12-07, with the
  top3       three; M4's simple combinations of a few good methods);
  stack+best half the stack, half the member with the lowest validation MAE;
  select     the stack or top2, whichever scored the lower MAE on an inner rolling validation: each validation
             day after the first 7 scored by the rule fitted on the 7 days before it;
  stack+top2 half the stack, half top2: the stack's weights shrunk halfway to equal weights on the two best
             (added 2026-12-07, later; a partially egalitarian combination in the manner of Diebold and Shin 2019).
Prints the MAPE % of each rule over the last K days, then of each member alone, then the MAE of each rule as a ratio
to the stack's. An optional third argument sets the validation window W (default 7; a load series' `ensemble`
validates on 14 days since 2026-12-05), which needs W + K days of forecasts.

    peergrid backtest --data Datasets/france_consumption_2019q4_hourly.csv --column consumption_mw --horizon 24 \\
        --test-days 21 --models seasonal-naive,ar-weekly,arima,mstl-arima,mstl-ets --forecasts france21.csv
    python3 Benchmarks/combination_rules.py 14 france21.csv
    python3 Benchmarks/combination_rules.py 14 france28.csv 14
"""
import csv
import os
import sys
from collections import OrderedDict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ensemble_members import simplex_least_squares  # noqa: E402

MEMBERS = ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "mstl-ets"]
VALIDATION = 7


def least_absolute_deviations(f, a):
    from scipy.optimize import linprog
    n, k = f.shape
    cost = np.concatenate([np.zeros(k), np.ones(2 * n)])
    equalities = np.vstack([np.hstack([f, np.eye(n), -np.eye(n)]), np.concatenate([np.ones(k), np.zeros(2 * n)])])
    result = linprog(cost, A_eq=equalities, b_eq=np.concatenate([a, [1]]), bounds=(0, None), method="highs")
    return result.x[:k]


def best_members(f, a, count):
    """Equal weights on the `count` members with the lowest MAE on (f, a)."""
    w = np.zeros(f.shape[1])
    w[np.argsort(np.mean(np.abs(f - a[:, None]), 0))[:count]] = 1 / count
    return w


def selected(f, a, days, inner=7):
    """The stack or top2, whichever scores the lower MAE on the validation days after the first `inner`, each
    weighted by the rule fitted on the `inner` days before it (the whole window when it has no more days)."""
    score = {"stack": 0.0, "top2": 0.0}
    for j in range(inner, len(days)):
        s = np.concatenate(days[j - inner:j])
        fitted = {"stack": simplex_least_squares(f[s], a[s], 5000), "top2": best_members(f[s], a[s], 2)}
        for name, w in fitted.items():
            score[name] += np.mean(np.abs(f[days[j]] @ w - a[days[j]]))
    return best_members(f, a, 2) if score["top2"] < score["stack"] else simplex_least_squares(f, a)


def weights(f, a, days):
    stack = simplex_least_squares(f, a)
    mae = np.mean(np.abs(f - a[:, None]), 0)
    per_day = [np.mean((f[s] @ stack - a[s]) ** 2) for s in days]
    keep = np.concatenate([s for s, e in zip(days, per_day) if e <= 4 * np.median(per_day)])
    return OrderedDict([
        ("stack", stack), ("lad", least_absolute_deviations(f, a)), ("inv-mae", (1 / mae) / np.sum(1 / mae)),
        ("trim", simplex_least_squares(f[keep], a[keep])), ("top2", best_members(f, a, 2)),
        ("top3", best_members(f, a, 3)), ("stack+best", (stack + best_members(f, a, 1)) / 2),
        ("select", selected(f, a, days)), ("stack+top2", (stack + best_members(f, a, 2)) / 2),
    ])


def main(k, path, validation=VALIDATION):
    rows = OrderedDict()
    for r in csv.DictReader(open(path)):
        day = rows.setdefault(r["model"], OrderedDict()).setdefault(r["origin"], ([], []))
        day[0].append(float(r["actual"]))
        day[1].append(float(r["forecast"]))
    missing = [m for m in MEMBERS if m not in rows]
    if missing:
        sys.exit("%s: no forecasts of %s" % (path, ", ".join(missing)))
    origins = list(rows[MEMBERS[0]])
    if len(origins) < k + validation:
        sys.exit("%s: %d origins; %d test days need %d" % (path, len(origins), k, k + validation))
    actual = {o: np.array(rows[MEMBERS[0]][o][0]) for o in origins}
    forecast = {o: np.stack([np.array(rows[m][o][1]) for m in MEMBERS], 1) for o in origins}
    ape, mae = OrderedDict(), OrderedDict()
    for i in range(len(origins) - k, len(origins)):
        window = origins[i - validation:i]
        f = np.concatenate([forecast[o] for o in window])
        a = np.concatenate([actual[o] for o in window])
        h = len(actual[origins[i]])
        days = [np.arange(j * h, (j + 1) * h) for j in range(validation)]
        y = actual[origins[i]]
        nonzero = y != 0
        for name, w in weights(f, a, days).items():
            e = np.abs(forecast[origins[i]] @ w - y)
            ape.setdefault(name, []).append(np.mean(e[nonzero] / np.abs(y[nonzero])) * 100)
            mae.setdefault(name, []).append(np.mean(e))
        for j, m in enumerate(MEMBERS):
            e = np.abs(forecast[origins[i]][:, j] - y)
            ape.setdefault(m, []).append(np.mean(e[nonzero] / np.abs(y[nonzero])) * 100)
    print("%s: MAPE %% over the last %d days, %d validation days" % (os.path.basename(path), k, validation))
    print("  ".join("%s %.3f" % (name, np.mean(v)) for name, v in ape.items()))
    print("MAE / the stack's: " + "  ".join("%s %.3f" % (n, np.mean(v) / np.mean(mae["stack"])) for n, v in mae.items()))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else VALIDATION)
