"""The clear-sky variants the README mentions (MAE over the last 14 days, one day ahead): the envelope of 7 or
14 days, the clearness centred on its 28-day mean or median, or the last day's clearness alone, against yesterday.
Run from the repository root: python3 Benchmarks/clear_sky_variants.py
"""
import csv, statistics as st, sys
def load(path, col):
    r = list(csv.DictReader(open(path)))
    return [float(x[col]) for x in r]
def run(x, day, variant, env_days=14, c_days=28, test=14):
    n = len(x); errs = []; naive = []
    for d in range(test):
        origin = n - (test - d) * day
        h = x[:origin]
        whole = len(h) // day
        val = lambda dd, s: h[len(h) - (dd + 1) * day + s]
        e = min(env_days, whole)
        env = [max(val(dd, s) for dd in range(e)) for s in range(day)]
        tot = sum(env)
        c = min(c_days, whole)
        k = [sum(val(dd, s) for s in range(day)) / tot for dd in reversed(range(c))]
        mean = st.mean(k); med = st.median(k)
        center = med if variant in ('median',) else mean
        num = sum((k[i]-mean)*(k[i-1]-mean) for i in range(1, len(k))); den = sum((v-mean)**2 for v in k)
        phi = min(1, max(0, num/den)) if den > 0 else 0
        if variant == 'persist': kh = k[-1]
        else: kh = center + phi * (k[-1] - center)
        f = [kh * env[s] for s in range(day)]
        y = x[origin:origin+day]
        errs += [abs(a-b) for a,b in zip(y,f)]
        naive += [abs(a-b) for a,b in zip(y, h[-day:])]
    return st.mean(errs), st.mean(naive)
SERIES = [('Datasets/citylearn_fontana_2017q1_hourly.csv', 'b01_pv_kw', 24), ('Datasets/citylearn_fontana_2017q1_hourly.csv', 'b03_pv_kw', 24), ('Datasets/demo/history.csv', 'h03_pv_kw', 48), ('Datasets/citylearn_fontana_2017q1_hourly.csv', 'b05_pv_kw', 24)]
for path, col, day in SERIES:
    x = load(path, col)
    out = []
    for v in ['mean','median','persist']:
        for ed in [7, 14]:
            m, nv = run(x, day, v, env_days=ed)
            out.append(f"{v}/{ed}:{m:.4f}")
    print(col, 'yesterday', f"{nv:.4f}", ' '.join(out))
