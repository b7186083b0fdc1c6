#!/usr/bin/env python3
"""Taylor's double seasonal Holt-Winters against and beside `mstl-arima` (issue 21's 0.85 % target on Taylor).

Taylor (2003, "Short-term electricity demand forecasting using double seasonal exponential smoothing", JORS 54)
built this method for the very series PeerGrid bundles. It is not one of PeerGrid's models; this replica asks
whether it would help the ensemble reach 0.85 % MAPE. No trend (Taylor drops it for intraday data); level alpha,
daily delta, weekly omega and an AR(1) adjustment phi of the one-step error, all in [0, 1], fitted by
Nelder-Mead on the one-step sum of squares; seasonal states start from the first week's means.

For each of the last K days of the series it fits on everything before the day and forecasts its 48 half-hours,
as `backtest --horizon 48` does. Then it reads a `backtest --forecasts` file over the same days (at least) and
prints the MAPE of DSHW, of each model there, of the equal mean of each with DSHW, the correlation of their
errors, and mstl-arima / DSHW mixes.

    peergrid backtest --data Datasets/taylor_england_wales_halfhourly_2000.csv --column demand_mw --horizon 48 \
        --test-days 14 --models seasonal-naive,ar-weekly,arima,mstl-arima --forecasts taylor-f.csv
    python3 Benchmarks/dshw_replica.py Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw taylor-f.csv 14

Needs numpy, scipy and pandas (Benchmarks/requirements.txt); about 3 minutes for 14 days.
"""
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize

S1, S2 = 48, 336  # half-hours a day, a week


def run(y, p, horizon=0):
    """One-step SSE of DSHW with parameters p over y (horizon 0), or the forecast of the next `horizon` values."""
    alpha, delta, omega, phi = p
    n = len(y)
    level = np.mean(y[:S2])
    daily0 = np.array([np.mean(y[j:S2:S1]) for j in range(S1)]) - level
    D = [0.0] * (n + horizon)
    W = [0.0] * (n + horizon)
    for t in range(S2):
        W[t] = y[t] - level - daily0[t % S1]
    for t in range(S2 - S1, S2):
        D[t] = daily0[t % S1]
    sse, e = 0.0, 0.0
    for t in range(S2, n):
        f = level + D[t - S1] + W[t - S2]
        r = y[t] - f - phi * e
        sse += r * r
        e = y[t] - f
        new_level = alpha * (y[t] - D[t - S1] - W[t - S2]) + (1 - alpha) * level
        D[t] = delta * (y[t] - new_level - W[t - S2]) + (1 - delta) * D[t - S1]
        W[t] = omega * (y[t] - new_level - D[t - S1]) + (1 - omega) * W[t - S2]
        level = new_level
    if horizon == 0:
        return sse
    out = []
    for k in range(1, horizon + 1):
        t = n + k - 1
        daily = D[t - S1] if t - S1 < n else D[t - 2 * S1]
        out.append(level + daily + W[t - S2] + phi**k * e)
    return np.array(out)


def fit(y):
    best = None
    for x0 in ([0.1, 0.2, 0.2, 0.9], [0.02, 0.1, 0.1, 0.95]):
        r = minimize(lambda q: run(y, np.clip(q, 0, 1)), x0, method="Nelder-Mead",
                     options=dict(xatol=1e-4, fatol=1e-3 * len(y), maxiter=600))
        if best is None or r.fun < best.fun:
            best = r
    return np.clip(best.x, 0, 1)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    data, column, forecasts, days = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    y = pd.read_csv(data)[column].to_numpy(float)
    n = len(y)
    dshw, actual = [], []
    for k in range(days, 0, -1):
        origin = n - k * S1
        p = fit(y[:origin])
        dshw.append(run(y[:origin], p, horizon=S1))
        actual.append(y[origin:origin + S1])
        print(f"origin {origin}: alpha {p[0]:.4f} delta {p[1]:.4f} omega {p[2]:.4f} phi {p[3]:.4f}", flush=True)
    dshw, actual = np.array(dshw), np.array(actual)

    def mape(f):
        return np.mean(np.abs(actual - f) / actual) * 100

    print(f"dshw                 MAPE {mape(dshw):.3f} %")
    table = pd.read_csv(forecasts)
    models = {}
    for model, rows in table.groupby("model", sort=False):
        f = rows.forecast.to_numpy().reshape(-1, S1)
        a = rows.actual.to_numpy().reshape(-1, S1)
        if len(f) < days or np.abs(a[-days:] - actual).max() > 1e-6:
            sys.exit(f"{forecasts}: {model} does not cover the last {days} days of {data}")
        models[model] = f[-days:]
    for model, f in models.items():
        corr = np.corrcoef((actual - f).ravel(), (actual - dshw).ravel())[0, 1]
        print(f"{model:20s} MAPE {mape(f):.3f} %, equal mean with dshw {mape((f + dshw) / 2):.3f} %, "
              f"error correlation {corr:.2f}")
    if "mstl-arima" in models:
        for w in (0.1, 0.2, 0.3, 0.5):
            print(f"{1 - w:.1f} mstl-arima + {w:.1f} dshw: MAPE {mape((1 - w) * models['mstl-arima'] + w * dshw):.3f} %")
        e1, e2 = actual - models["mstl-arima"], actual - dshw
        m1, m2 = e1.mean(axis=1, keepdims=True), e2.mean(axis=1, keepdims=True)
        print(f"mstl-arima: the days' mean errors are {np.mean(m1 ** 2) / np.mean(e1 ** 2):.2f} of its squared error; "
              f"correlation with dshw of the days' mean errors {np.corrcoef(m1.ravel(), m2.ravel())[0, 1]:.2f}, "
              f"of the errors within the day {np.corrcoef((e1 - m1).ravel(), (e2 - m2).ravel())[0, 1]:.2f}")


if __name__ == "__main__":
    main()
