#!/usr/bin/env python3
"""Simple exponential smoothing for MSTL's adjusted series: alpha by one-step error or by the day-ahead error.

`mstl-ets` fits alpha by maximum likelihood, i.e. by the one-step squared error. A day-ahead forecast holds the
level for a whole day, so this replica also chooses alpha for the mean squared error over the next H steps from
every origin of the history ("amse", as R's `ets(opt.crit = "amse")`). For each of the last 14 days it decomposes
the history before the day with statsforecast's MSTL (periods H and 7 H), repeats each seasonal component's last
cycle, adds the smoothed level for each alpha rule (a grid of 60 values over 1e-4..0.9999), and prints the MASE
(scaled by the weekly seasonal naive's in-sample MAE) and the median alpha.

    python3 Benchmarks/ets_horizon_replay.py Datasets/citylearn_fontana_2017q1_hourly.csv b01_load_kw 24

Needs numpy, pandas and statsforecast (Benchmarks/requirements.txt).
"""
import sys
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from statsforecast.models import MSTL  # noqa: E402

GRID = np.concatenate([np.geomspace(1e-4, 0.5, 40), np.linspace(0.5, 0.9999, 20)])


def levels(x, alpha):
    out = np.empty(len(x))
    level = x[:10].mean()
    for i, v in enumerate(x):
        level += alpha * (v - level)
        out[i] = level
    return out


def one_step(x, alpha):
    return np.sum((x[1:] - levels(x, alpha)[:-1]) ** 2)


def day_ahead(x, alpha, horizon):
    level = levels(x, alpha)
    origins = len(x) - horizon - 1
    ahead = np.lib.stride_tricks.sliding_window_view(x[1:], horizon)[:origins]
    return np.mean((ahead - level[:origins, None]) ** 2)


def main(path, column, day, days=14):
    y = pd.read_csv(path)[column].to_numpy(float)
    n = len(y)
    scores = {"one-step": [], "day-ahead": []}
    alphas = {"one-step": [], "day-ahead": []}
    for k in range(days, 0, -1):
        origin = n - k * day
        history, actual = y[:origin], y[origin:origin + day]
        parts = MSTL(season_length=[day, 7 * day]).fit(history).model_
        seasonal = parts[[c for c in parts.columns if c.startswith("seasonal")]].to_numpy()
        adjusted = history - seasonal.sum(axis=1)
        ahead = sum(np.array([seasonal[-p:, j][h % p] for h in range(day)]) for j, p in enumerate([day, 7 * day]))
        scale = np.mean(np.abs(history[7 * day:] - history[:-7 * day]))
        for rule, loss in (("one-step", lambda a: one_step(adjusted, a)), ("day-ahead", lambda a: day_ahead(adjusted, a, day))):
            alpha = GRID[np.argmin([loss(a) for a in GRID])]
            forecast = levels(adjusted, alpha)[-1] + ahead
            scores[rule].append(np.mean(np.abs(actual - forecast)) / scale)
            alphas[rule].append(alpha)
    print(column, "  ".join(f"{rule}: MASE {np.mean(scores[rule]):.3f} (median alpha {np.median(alphas[rule]):.4f})"
                            for rule in scores))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
