#!/usr/bin/env python3
"""The check behind the networks' weighted-days reference (README, *Neural forecasters*).

For each series: one-day-ahead forecasts from each of the last 14 days by (a) the weekly seasonal naive and (b) the
weighted-days reference alone -- per day of the week of the target, a weighted mean of the same time on each of the
last 7 days, weights by least squares on the history before the origin with w >= 0 and sum w = 1. Prints MASE
(scaled by the weekly naive's in-sample MAE before the test days). numpy only.

    python3 Benchmarks/weighted_days_check.py
"""
import csv
import os
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SERIES = [("Datasets/taylor_england_wales_halfhourly_2000.csv", "demand_mw", 48)] + [
    ("Datasets/citylearn_fontana_2017q1_hourly.csv", f"b0{i}_load_kw", 24) for i in range(1, 6)
] + [("Datasets/demo/history.csv", f"h0{i}_load_kw", 48) for i in (2, 5, 7)]


def load(path, column):
    with open(os.path.join(ROOT, path), newline="") as f:
        return np.array([float(row[column]) for row in csv.DictReader(f)])


def project(v):
    """Euclidean projection onto the simplex."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.arange(1, len(v) + 1)
    t = (css - 1) / k
    rho = np.where(u - t > 0)[0][-1]
    return np.maximum(v - t[rho], 0)


def simplex_least_squares(x, y, iterations=5000):
    gram, b = x.T @ x, x.T @ y
    step = 2 * np.trace(gram)
    w = np.ones(x.shape[1]) / x.shape[1]
    for _ in range(iterations):
        w = project(w - (2 * gram @ w - 2 * b) / step)
    return w


def check(y, ppd, test_days=14, days=7):
    n = len(y)
    naive, weighted = [], []
    for d in range(test_days):
        origin = n - (test_days - d) * ppd
        t = np.arange(days * ppd, origin)
        x = np.stack([y[t - j * ppd] for j in range(1, days + 1)], 1)
        weekday = (t // ppd) % 7
        weights = [simplex_least_squares(x[weekday == w], y[t][weekday == w]) for w in range(7)]
        for k in range(ppd):
            i = origin + k
            lags = np.array([y[i - j * ppd] for j in range(1, days + 1)])
            naive.append(abs(y[i] - y[i - 7 * ppd]))
            weighted.append(abs(y[i] - lags @ weights[(i // ppd) % 7]))
    end = n - test_days * ppd
    scale = np.mean(np.abs(y[7 * ppd:end] - y[:end - 7 * ppd]))
    return np.mean(naive) / scale, np.mean(weighted) / scale


if __name__ == "__main__":
    print(f"{'series':16} {'weekly naive':>12} {'weighted days':>13}")
    for path, column, ppd in SERIES:
        a, b = check(load(path, column), ppd)
        print(f"{column:16} {a:12.3f} {b:13.3f}")
