#!/usr/bin/env python3
"""Replays `auto` (the mean of the three candidates with the lowest MAE over the 7 days before each origin) with
and without an extra candidate, from a backtest's `--forecasts` file that holds every candidate over 7 more days
than are scored (see `auto_selection.py` for how). Prints, per file, `auto`'s MAE over the last 14 days as a ratio
to the best single default candidate of those days, for the default candidates and with the extra one.

    python3 Benchmarks/auto_candidates.py mstl-ets F.csv [more.csv ...]

Candidates missing from a file are left out of both pools (Taylor's file has no clear-sky, say).
"""
import sys

import numpy as np

from auto_selection import read

DEFAULT = ["seasonal-naive", "seasonal-naive-day", "seasonal-mean", "seasonal-mean-day", "ar-weekly", "arima",
           "mstl-arima", "clear-sky"]
K, W = 14, 7


def top3(f, mae, origins, pool):
    out = []
    for i in range(len(origins) - K, len(origins)):
        score = {m: mae[m][i - W:i].mean() for m in pool}
        ranked = sorted(pool, key=score.get)
        actual = np.array(f[pool[0]][origins[i]][0])
        mean = np.mean([np.array(f[m][origins[i]][1]) for m in ranked[:3]], axis=0)
        out.append(np.mean(np.abs(actual - mean)))
    return np.mean(out)


def main(extra, paths):
    print(f"| series | auto | auto + {extra} |")
    print("|---|---|---|")
    before, after = [], []
    for path in paths:
        f = read(path)
        models = list(f)
        origins = list(f[models[0]])
        mae = {m: np.array([np.mean(np.abs(np.array(a) - np.array(p))) for a, p in f[m].values()]) for m in models}
        pool = [m for m in DEFAULT if m in f]
        best = min(mae[m][len(origins) - K:].mean() for m in pool)
        b, a = top3(f, mae, origins, pool) / best, top3(f, mae, origins, pool + [extra]) / best
        before.append(b)
        after.append(a)
        print(f"| {path.split('/')[-1]} | {b:.3f} | {a:.3f} |")
    print(f"geometric mean {np.exp(np.mean(np.log(before))):.3f} -> {np.exp(np.mean(np.log(after))):.3f}; "
          f"better with {extra} on {sum(x < y for y, x in zip(before, after))} of {len(before)}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
