#!/usr/bin/env python3
"""Chooses the shifted-day rule of `peergrid anomalies` on series that `benchmark anomalies` does not use.

A Python replica of the detector's shifted-profile test (Sources/Anomalies/Detector.swift): every day of each
series is scored as it is and shifted by 2, 3 and 4 h either way (the injector's shifts), against two references:
  W  the same-weekday reference (median of 7 and 14 days either side, after the first-pass cleaning);
  P  the 14-day profile (median of the same time of day on the 7 days either side).
A rule flags a day when the best shift's capped squared error is at most R times the unshifted one and the
unshifted one is above U per reading. The grid search runs on the tuning series only (fewest false flags on clean
days first, then the highest mean recall), and the chosen rules are then scored on the benchmark's series.

    python3 Benchmarks/shift_rules.py          # about 1 minute
"""
import csv
import itertools

import numpy as np

CL = 'Datasets/citylearn_fontana_2017q1_hourly.csv'
DM = 'Datasets/demo/history.csv'
TUNE = [(DM, f'h{i:02d}_load_kw', 48) for i in (1, 2, 4, 6, 7, 8, 10)] + [(DM, f'h{i:02d}_pv_kw', 48) for i in (2, 7)] + \
    [(CL, 'b02_load_kw', 24), (CL, 'b04_load_kw', 24), (CL, 'b05_load_kw', 24), (CL, 'b01_pv_kw', 24), (CL, 'b03_pv_kw', 24), (CL, 'b05_pv_kw', 24)]
EVAL = [('Datasets/taylor_england_wales_halfhourly_2000.csv', 'demand_mw', 48), (DM, 'h03_load_kw', 48), (DM, 'h03_pv_kw', 48),
        (CL, 'b01_load_kw', 24), (CL, 'b03_load_kw', 24), (CL, 'b02_pv_kw', 24), (CL, 'b04_pv_kw', 24)]


def load(f, c):
    return np.array([float(a[c]) for a in csv.DictReader(open(f))])


def med(v):
    return float(np.median(v))


def reference(x, day, weekly=True):
    n = len(x)
    out = [None] * n
    for t in range(n):
        def vals(lags):
            return [x[u] for k in lags for u in (t - k * day, t + k * day) if 0 <= u < n]
        sw = vals([7, 14]) if weekly else []
        if len(sw) >= 2:
            out[t] = med(sw)
            continue
        v = vals([1, 2, 7, 14])
        out[t] = med(v) if v else None
    return out


def profile(x, day, span=7):
    n = len(x)
    return [med(v) if (v := [x[t + k * day] for k in range(-span, span + 1) if k != 0 and 0 <= t + k * day < n]) else None for t in range(n)]


def scales(x, ref, day, floor):
    s = []
    for k in range(day):
        r = [abs(x[t] - ref[t]) for t in range(k, len(x), day) if ref[t] is not None]
        s.append(max(floor, 1.4826 * med(r)) if r else floor)
    return np.array(s)


def losses(x, ref, sc, d, day, maxs, cap=4):
    rng = range(d * day, (d + 1) * day)

    def loss(s):
        tot = 0.0
        for t in rng:
            r = ref[t - s]
            if r is None:
                return None
            e = min(cap, abs(x[t] - r) / sc[(t - s) % day])
            tot += e * e
        return tot
    return loss(0), min(loss(s) for s in range(-maxs, maxs + 1) if s != 0)


def features(f, c, day):
    x = load(f, c)
    n = len(x)
    step = 86400 / day
    maxs = int(round(4 * 3600 / step))
    floor = max(1e-9, 0.01 * np.sort(np.abs(x))[min(n - 1, int(0.95 * n))])
    rough = reference(x, day, False)
    rs = scales(x, rough, day, floor)
    cleaned = np.array([rough[t] if rough[t] is not None and abs(x[t] - rough[t]) > 6 * rs[t % day] else x[t] for t in range(n)])
    ref = reference(cleaned, day)
    sc = scales(x, ref, day, floor)
    pref = profile(x, day)
    psc = scales(x, pref, day, floor)
    rows = []
    for d in range(1, n // day - 1):
        if d * day - maxs < 0 or (d + 1) * day + maxs > n:
            continue
        for s in [0] + [k * int(round(3600 / step)) * sg for k in (2, 3, 4) for sg in (1, -1)]:
            y = x.copy()
            y[d * day:(d + 1) * day] = x[d * day - s:(d + 1) * day - s]
            rows.append((s != 0, *losses(y, ref, sc, d, day, maxs), *losses(y, pref, psc, d, day, maxs)))
    return day, np.array(rows, float)


def fire(R, day, rule, rw, uw, rp, up):
    w = (R[:, 2] <= rw * R[:, 1]) & (R[:, 1] > uw * day)
    p = (R[:, 4] <= rp * R[:, 3]) & (R[:, 3] > up * day)
    return {'W': w, 'P': p, 'W or P': w | p, 'W and P': w & p}[rule]


def score(data, rule):
    per = []
    for name, (day, R) in data.items():
        f = fire(R, day, *rule)
        pos = R[:, 0] == 1
        per.append((name, f[pos].mean(), int(f[~pos].sum())))
    return per


tune = {c: features(f, c, d) for f, c, d in TUNE}
evals = {c: features(f, c, d) for f, c, d in EVAL}
grid = []
for rule in ['W', 'P', 'W or P', 'W and P']:
    for rw, uw, rp, up in itertools.product([.3, .4, .5, .6], [0, 1, 2, 3], [.3, .4, .5, .6], [0, 1, 2, 3]):
        if (rule == 'W' and (rp, up) != (.3, 0)) or (rule == 'P' and (rw, uw) != (.3, 0)):
            continue
        per = score(tune, (rule, rw, uw, rp, up))
        grid.append((sum(p[2] for p in per), -np.mean([p[1] for p in per]), (rule, rw, uw, rp, up)))
grid.sort()
print('best rules on the tuning series (false flags on clean days, mean recall):')
for fp, r, rule in grid[:5]:
    print(f'  {rule}: {fp} false, recall {-r:.3f}')
for label, rule in [('before (W, R 0.5, U 3)', ('W', .5, 3, .3, 0)), ('PeerGrid now (W R 0.5 U 3, or P R 0.5 U 2)', ('W or P', .5, 3, .5, 2))]:
    for setname, data in [('tuning', tune), ('benchmark', evals)]:
        print(f'{label}, {setname} series: ' + ' '.join(f'{n}:{r:.2f}/{fp}' for n, r, fp in score(data, rule)) + '  (recall/false days)')
