"""A Python replica of `peergrid backtest --calibration-days C [--aci-gamma G]` for the two seasonal baselines
(weekly seasonal naive, 4-week seasonal mean): split conformal from the C days of rolling origins before each
test day (absolute errors, two neighbouring steps pooled on each side), with adaptive conformal inference
(Gibbs and Candes 2021) moving the miscoverage level by G times (0.05 - the day's miss rate) after each test day.
It reproduces the Swift coverage on Taylor (0.994 / 0.978 at C = 28 without ACI). Run from the repository root:
    python3 Benchmarks/conformal_replica.py
"""
import csv, math

SERIES = [
    ("Datasets/taylor_england_wales_halfhourly_2000.csv", "demand_mw", 48, 28),
    ("Datasets/demo/history.csv", "h05_load_kw", 48, 28),
    ("Datasets/demo/history.csv", "h02_load_kw", 48, 28),
    ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b01_load_kw", 24, 14),
    ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b04_load_kw", 24, 14),
]


def coverage(x, day, model, C, gamma, test=14, pool=2, target=0.95):
    week, n = 7 * day, len(x)
    def forecast(o):
        if model == "seasonal-naive":
            return [x[o - week + h] for h in range(day)]
        return [sum(x[o - k * week + h] for k in range(1, 5)) / 4 for h in range(day)]
    first = n - (test + C) * day
    errors, covered, total, alpha = [], 0, 0, 1 - target
    for d in range(test + C):
        o = first + d * day
        f, y = forecast(o), x[o:o + day]
        if d >= C:
            level = min(0.999, max(0.5, 1 - alpha))
            misses = 0
            for h in range(day):
                r = sorted(abs(e[j]) for e in errors[-C:] for j in range(max(0, h - pool), min(day, h + pool + 1)))
                w = r[min(len(r), math.ceil((len(r) + 1) * level)) - 1]
                inside = f[h] - w <= y[h] <= f[h] + w
                covered += inside
                misses += not inside
                total += 1
            alpha += gamma * ((1 - target) - misses / day)
        errors.append([y[h] - f[h] for h in range(day)])
    return covered / total


for path, column, day, C in SERIES:
    x = [float(r[column]) for r in csv.DictReader(open(path))]
    for model in ["seasonal-naive", "seasonal-mean"]:
        print(f"{column:12s} {model:15s} C={C:2d}  " + "  ".join(f"G={g}: {coverage(x, day, model, C, g):.3f}" for g in [0, 0.05, 0.2, 0.5]))
