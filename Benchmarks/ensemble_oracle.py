#!/usr/bin/env python3
"""How low can a weighted combination of backtested models go? (issue 21's ensemble target)

Reads `peergrid backtest --forecasts FILE.csv` (model,origin,timestamp,actual,forecast,...) over 2K test days.
For each subset of models it fits simplex-constrained least-squares weights (w >= 0, sum 1, as `ensemble` does)
on the first K days and scores the last K; and, as a bound no real combination can beat in MSE, the weights
fitted on the last K days themselves ("oracle"). Prints MAPE % of each.

    peergrid backtest --data Datasets/taylor_england_wales_halfhourly_2000.csv --column demand_mw --horizon 48 \
        --test-days 28 --models seasonal-naive,ar-weekly,arima,mstl-arima,lstm,cnn --forecasts taylor-f.csv
    python3 Benchmarks/ensemble_oracle.py taylor-f.csv
"""
import csv
import sys

import numpy as np


def simplex_ls(X, y, iterations=20000):
    """min |X w - y|^2 over the simplex, by projected gradient."""
    k = X.shape[1]
    w = np.ones(k) / k
    L = np.linalg.norm(X, 2) ** 2
    for _ in range(iterations):
        v = w - X.T @ (X @ w - y) / L
        u = np.sort(v)[::-1]
        css = np.cumsum(u)
        rho = np.nonzero(u * np.arange(1, k + 1) > (css - 1))[0][-1]
        w = np.maximum(v - (css[rho] - 1) / (rho + 1), 0)
    return w


def mape(p, y):
    nz = y != 0
    return 100 * np.mean(np.abs(y[nz] - p[nz]) / np.abs(y[nz]))


def main(path):
    forecasts, actual, models = {}, [], []
    for r in csv.DictReader(open(path)):
        m = r["model"]
        if m not in forecasts:
            forecasts[m] = []
            models.append(m)
        forecasts[m].append(float(r["forecast"]))
        if m == models[0]:
            actual.append(float(r["actual"]))
    y = np.array(actual)
    X = np.array([forecasts[m] for m in models]).T
    half = len(y) // 2
    print("MAPE % on the last half:", ", ".join(f"{m} {mape(X[half:, i], y[half:]):.3f}" for i, m in enumerate(models)))
    subsets = [models] + [[a, b] for i, a in enumerate(models) for b in models[i + 1:]]
    print("subset | weights fitted on the first half: MAPE | oracle weights: MAPE | equal weights: MAPE")
    for subset in subsets:
        idx = [models.index(m) for m in subset]
        w = simplex_ls(X[:half, idx], y[:half])
        oracle = simplex_ls(X[half:, idx], y[half:])
        print(
            f"{'+'.join(subset)} | {mape(X[half:, idx] @ w, y[half:]):.3f} ({' '.join(f'{x:.2f}' for x in w)}) | "
            f"{mape(X[half:, idx] @ oracle, y[half:]):.3f} | {mape(X[half:, idx].mean(1), y[half:]):.3f}"
        )


if __name__ == "__main__":
    main(sys.argv[1])
