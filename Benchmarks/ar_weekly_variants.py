#!/usr/bin/env python3
"""`ar-weekly` and a variant with a weekly seasonal AR term, replayed on any series (2026-12-04, not adopted).

`ar-weekly` (Sources/Forecast/WeeklyDifferenceAR.swift) regresses the weekly difference w_t = y_t - y_{t-m} on an
intercept, w_{t-1..t-p} and w_{t-d} (d one day, m one week), p in {1, 2, 3, 4, 6, 8} by AICc, conditional least
squares. The variant may add w_{t-m} (a seasonal AR(1) on the weekly difference: the forecast then mixes the last
two weeks), chosen against the plain form by AICc on one common sample. Each series is backtested one day ahead
from each of its last 14 days; the score is MASE (scaled by the weekly naive's in-sample MAE of each training
window), forecasts clipped at zero for series that never go negative. The replica has no physical bounds (dark
hours forced to zero), so PV scores differ from `backtest`'s; on load it reproduces `backtest`'s ar-weekly MASE.

    python3 Benchmarks/ar_weekly_variants.py Datasets/citylearn_fontana_2017q1_hourly.csv:b01_load_kw:24 ...

Each argument is FILE:COLUMN:OBSERVATIONS_PER_DAY.
"""
import csv
import sys

import numpy as np

ORDERS = [1, 2, 3, 4, 6, 8]
TEST_DAYS = 14


def design(w, p, day, start, seasonal):
    n = len(w) - start
    x = np.ones((n, p + 2 + seasonal))
    for i in range(1, p + 1):
        x[:, i] = w[start - i:len(w) - i]
    x[:, p + 1] = w[start - day:len(w) - day]
    if seasonal:
        x[:, p + 2] = w[start - 7 * day:len(w) - 7 * day]
    return x, w[start:]


def fit(y, day, seasonal_choices):
    week = 7 * day
    w = y[week:] - y[:-week]
    start = max(max(ORDERS), day, week * max(seasonal_choices))
    best = None
    for seasonal in seasonal_choices:
        for p in ORDERS:
            x, t = design(w, p, day, start, seasonal)
            b = np.linalg.lstsq(x, t, rcond=None)[0]
            n, k = len(t), x.shape[1] + 1
            aicc = n * np.log(np.sum((t - x @ b) ** 2) / n) + 2 * k + 2 * k * (k + 1) / max(1, n - k - 1)
            if best is None or aicc < best[0]:
                best = (aicc, p, seasonal, b)
    return best[1:]


def forecast(y, day, p, seasonal, b, h):
    week = 7 * day
    y = list(y)
    w = [y[i] - y[i - week] for i in range(week, len(y))]
    for _ in range(h):
        nxt = b[0] + b[p + 1] * w[-day] + sum(b[1 + i] * w[-1 - i] for i in range(p))
        if seasonal:
            nxt += b[p + 2] * w[-week]
        w.append(nxt)
        y.append(y[-week] + nxt)
    return np.array(y[-h:])


def main(specs):
    print("%-16s %8s %18s %26s" % ("series", "naive", "ar-weekly (ratio)", "+ weekly AR term (ratio)"))
    for spec in specs:
        path, column, day = spec.rsplit(":", 2)
        day = int(day)
        y = np.array([float(r[column]) for r in csv.DictReader(open(path, encoding="utf-8-sig"))])
        week = 7 * day
        scores = {"naive": [], "plain": [], "seasonal": []}
        for d in range(TEST_DAYS):
            origin = len(y) - (TEST_DAYS - d) * day
            history, actual = y[:origin], y[origin:origin + day]
            scale = np.mean(np.abs(history[week:] - history[:-week]))
            scores["naive"].append(np.abs(actual - history[origin - week:origin - week + day]) / scale)
            for key, choices in (("plain", [0]), ("seasonal", [0, 1])):
                p, seasonal, b = fit(history, day, choices)
                f = forecast(history, day, p, seasonal, b, day)
                if history.min() >= 0:
                    f = np.maximum(f, 0)
                scores[key].append(np.abs(actual - f) / scale)
        m = {k: np.mean(v) for k, v in scores.items()}
        print("%-16s %8.3f %10.3f (%.3f) %17.3f (%.3f)" % (
            column, m["naive"], m["plain"], m["plain"] / m["naive"], m["seasonal"], m["seasonal"] / m["naive"]), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
