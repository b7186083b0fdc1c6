#!/usr/bin/env python3
"""How well could ANY spike detector do on metered household load? A supervised bound (2026-12-05).

`peergrid anomalies` reaches 0.9 precision and recall for injected spikes on national demand and derived loads, but
0.25-0.27 precision at 0.60-0.62 recall on the metered CityLearn homes' hourly load (`benchmark anomalies`). This
script asks whether a better rule could exist. It injects spikes as `peergrid anomalies --inject-rate` does (a reading
times 3-5, on readings of at least a fifth of the series' 95th percentile, 1 % of the readings, seeds 1-10; spikes
only) and trains a gradient-boosted classifier (scikit-learn's HistGradientBoostingClassifier) on what a detector can
see around each reading: its ratio to both neighbours, to the median of the same hour one and two weeks either side
(in robust scales and as a ratio), to the series' 95th percentile and to the third-largest other reading at that
hour, to the day's median, the hour, and the neighbours' own ratios to their references.

The classifier is given the injection labels, which no detector has. Two protocols:
- *other series*: trained on every other series of the same group, all seeds; scored on this one.
- *same series*: trained on this series' seeds 1-5, scored on its seeds 6-10 (it learns this home's own habits,
  and its natural spikes are the same readings in both: the most favourable case).
- *earlier weeks*: trained on the first half of this series (seeds 1-5), scored on the second half (seeds 6-10):
  a detector that learns a home from its history.
For each it reports the best precision at a recall of at least 0.9 and the best recall at a precision of at least
0.9, over every threshold of its score. If a labelled classifier tuned to the injection cannot reach 0.9 / 0.9, a
rule cannot. Caveat: the clean series' own spikes count as negatives, although some may be real faults.

    Benchmarks/.venv/bin/python Benchmarks/anomaly_spike_bound.py      (needs scikit-learn: pip install scikit-learn)
"""
import csv
import sys

import numpy as np

try:
    from sklearn.ensemble import HistGradientBoostingClassifier
except ImportError:  # pragma: no cover
    sys.exit("anomaly_spike_bound.py needs scikit-learn (Benchmarks/.venv/bin/pip install scikit-learn)")

SEEDS = range(1, 11)
RATE = 0.01

GROUPS = {
    "metered household load (CityLearn Fontana, hourly)": [
        ("Datasets/citylearn_fontana_2017q1_hourly.csv", f"b0{i}_load_kw", 24) for i in range(1, 6)
    ] + [("Datasets/citylearn_fontana_2016autumn_hourly.csv", f"b{i:02d}_load_kw", 24) for i in (6, 9, 10, 11)],
    "controls (national demand; derived household load)": [
        ("Datasets/taylor_england_wales_halfhourly_2000.csv", "demand_mw", 48),
        ("Datasets/demo/history.csv", "h03_load_kw", 48),
        ("Datasets/demo/history.csv", "h09_load_kw", 48),
    ],
}


def read(path, column):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return np.array([float(r[column]) for r in csv.DictReader(f)])


def inject(y, seed):
    """Spikes as `peergrid anomalies --inject-rate` places them: positions among readings >= P95 / 5, x 3-5."""
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(y >= np.percentile(y, 95) / 5)
    eligible = eligible[(eligible > 0) & (eligible < len(y) - 1)]
    n = max(1, int(round(RATE * len(y))))
    at = rng.choice(eligible, size=min(n, len(eligible)), replace=False)
    x = y.copy()
    x[at] *= rng.uniform(3, 5, size=len(at))
    label = np.zeros(len(y), bool)
    label[at] = True
    return x, label


def features(x, day):
    n = len(x)
    week = 7 * day
    refs = []
    for t in range(n):
        others = [x[t + k] for k in (-2 * week, -week, week, 2 * week) if 0 <= t + k < n]
        if len(others) < 2:
            others += [x[t + k] for k in (-2 * day, -day, day, 2 * day) if 0 <= t + k < n]
        refs.append(np.median(others))
    ref = np.array(refs)
    hour = np.arange(n) % day
    scale = np.array([1.4826 * np.median(np.abs(x[hour == h] - ref[hour == h])) for h in range(day)])[hour]
    p95 = np.percentile(x, 95)
    eps = 1e-3 * p95
    scale = np.maximum(scale, eps)
    prev = np.r_[x[0], x[:-1]]
    nxt = np.r_[x[1:], x[-1]]
    third = np.empty(n)
    for h in range(day):
        idx = np.flatnonzero(hour == h)
        vals = x[idx]
        for j, i in enumerate(idx):
            others = np.delete(vals, j)
            third[i] = np.sort(others)[-3] if len(others) >= 3 else others.max()
    day_median = np.repeat([np.median(x[d * day:(d + 1) * day]) for d in range((n + day - 1) // day)], day)[:n]
    ratio_ref = x / np.maximum(ref, eps)
    return np.column_stack([
        x / np.maximum(np.maximum(prev, nxt), eps),
        x / np.maximum(np.minimum(prev, nxt), eps),
        (x - ref) / scale,
        ratio_ref,
        x / p95,
        x / np.maximum(third, eps),
        x / np.maximum(day_median, eps),
        hour,
        np.r_[ratio_ref[0], ratio_ref[:-1]],
        np.r_[ratio_ref[1:], ratio_ref[-1]],
    ])


def bounds(score, label):
    """Best precision at recall >= 0.9 and best recall at precision >= 0.9 over every threshold."""
    order = np.argsort(-score, kind="stable")
    hits = np.cumsum(label[order])
    flagged = np.arange(1, len(order) + 1)
    precision = hits / flagged
    recall = hits / max(1, label.sum())
    p_at = precision[recall >= 0.9].max() if (recall >= 0.9).any() else 0.0
    r_at = recall[precision >= 0.9].max() if (precision >= 0.9).any() else 0.0
    return p_at, r_at


def model():
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=0)


def main():
    print("| series | same series: precision at recall 0.9 | recall at precision 0.9 | "
          "earlier weeks: precision at recall 0.9 | recall at precision 0.9 | "
          "other series: precision at recall 0.9 | recall at precision 0.9 |")
    print("|---|---|---|---|---|---|---|")
    for group, series in GROUPS.items():
        data = {}
        for path, column, day in series:
            y = read(path, column)
            data[column] = [(features(x, day), label) for x, label in (inject(y, s) for s in SEEDS)]
        for column in data:
            runs = data[column]
            same = model().fit(np.vstack([f for f, _ in runs[:5]]), np.concatenate([l for _, l in runs[:5]]))
            test_f = np.vstack([f for f, _ in runs[5:]])
            test_l = np.concatenate([l for _, l in runs[5:]])
            s_p, s_r = bounds(same.predict_proba(test_f)[:, 1], test_l)
            half = len(runs[0][1]) // 2
            early = model().fit(np.vstack([f[:half] for f, _ in runs[:5]]), np.concatenate([l[:half] for _, l in runs[:5]]))
            e_p, e_r = bounds(
                early.predict_proba(np.vstack([f[half:] for f, _ in runs[5:]]))[:, 1], np.concatenate([l[half:] for _, l in runs[5:]]))
            others = [r for c in data if c != column for r in data[c]]
            other = model().fit(np.vstack([f for f, _ in others]), np.concatenate([l for _, l in others]))
            all_f = np.vstack([f for f, _ in runs])
            all_l = np.concatenate([l for _, l in runs])
            o_p, o_r = bounds(other.predict_proba(all_f)[:, 1], all_l)
            print(f"| {column} ({group.split(' (')[0]}) | {s_p:.3f} | {s_r:.3f} | {e_p:.3f} | {e_r:.3f} | {o_p:.3f} | {o_r:.3f} |", flush=True)


if __name__ == "__main__":
    main()
