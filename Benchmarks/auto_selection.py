#!/usr/bin/env python3
"""Replays `auto`'s choice from a backtest's forecasts, and the rules it could use instead.

`auto` validates every candidate one day ahead from each of the last W days before an origin, each refitted
on the history before its day: exactly the outer backtest's forecasts at those origins. So a backtest over
K + W days (`peergrid backtest --forecasts FILE.csv`) lets this script replay, for each of the last K origins,
what a selection rule would have chosen, and score it on the day itself. It prints each model's MAE over the
last K days, and each rule's:
  - select-W: the lowest MAE over the W days before the origin (auto with validation W days),
  - top3-W: the mean forecast of the three lowest over the W days before,
  - near-R: the mean forecast of those of the three lowest whose MAE over the W days before is within a
    factor 1 + R of the lowest's (R = 0.02, 0.05, 0.10, 0.20): the top-3 mean when the three validate alike, the
    best alone when it stands out,
for W in 7, 14, with and without the neural models.

    peergrid backtest --data Datasets/citylearn_fontana_2017q1_hourly.csv --column b01_pv_kw --horizon 24 \
        --test-days 28 --models seasonal-naive,...,lstm,cnn --forecasts b01_pv.csv
    python3 Benchmarks/auto_selection.py 14 b01_pv.csv [more.csv ...]
"""
import csv
import sys
from collections import OrderedDict

import numpy as np

NEURAL = {"lstm", "cnn"}


def read(path):
    f = OrderedDict()  # model -> origin -> (actual, forecast)
    for r in csv.DictReader(open(path)):
        day = f.setdefault(r["model"], OrderedDict()).setdefault(r["origin"], ([], []))
        day[0].append(float(r["actual"]))
        day[1].append(float(r["forecast"]))
    return f


def main(k, paths):
    for path in paths:
        f = read(path)
        models = list(f)
        origins = list(f[models[0]])
        mae = {m: np.array([np.mean(np.abs(np.array(a) - np.array(p))) for a, p in f[m].values()]) for m in models}
        test = range(len(origins) - k, len(origins))
        print(f"## {path} (last {k} of {len(origins)} origins)")
        single = {m: mae[m][list(test)].mean() for m in models}
        best = min(single, key=single.get)
        print("models: " + ", ".join(f"{m} {v:.4f}" for m, v in single.items()) + f"; best single: {best}")
        for neural in (False, True):
            pool = [m for m in models if neural or m not in NEURAL]
            for w in (7, 14):
                if len(origins) - k < w:
                    continue
                sel, top = [], []
                for i in test:
                    score = {m: mae[m][i - w:i].mean() for m in pool}
                    ranked = sorted(pool, key=score.get)
                    sel.append(mae[ranked[0]][i])
                    a = np.array(f[pool[0]][origins[i]][0])
                    mean = np.mean([np.array(f[m][origins[i]][1]) for m in ranked[:3]], axis=0)
                    top.append(np.mean(np.abs(a - mean)))
                tag = "with lstm/cnn" if neural else "statistical"
                print(f"{tag:14s} W={w:2d}: select {np.mean(sel):.4f} ({np.mean(sel) / single[best]:.3f} x best), "
                      f"top3 {np.mean(top):.4f} ({np.mean(top) / single[best]:.3f} x best)")
                for r in (0.02, 0.05, 0.10, 0.20):
                    near = []
                    for i in test:
                        score = {m: mae[m][i - w:i].mean() for m in pool}
                        ranked = sorted(pool, key=score.get)
                        kept = [m for m in ranked[:3] if score[m] <= (1 + r) * score[ranked[0]]]
                        a = np.array(f[pool[0]][origins[i]][0])
                        mean = np.mean([np.array(f[m][origins[i]][1]) for m in kept], axis=0)
                        near.append(np.mean(np.abs(a - mean)))
                    print(f"{tag:14s} W={w:2d}: near-{r:.2f} {np.mean(near):.4f} ({np.mean(near) / single[best]:.3f} x best)")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
