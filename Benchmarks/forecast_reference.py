"""Reference forecasters for `benchmark forecast`: the same rolling-origin backtest as `peergrid backtest`
(last K days as origins, horizon H, refit at every origin) with statsmodels and statsforecast.

Usage: forecast_reference.py CSV COLUMN HORIZON TEST_DAYS OUT.json [--autoarima-limit SECONDS]

Models
- sarimax-weekly: statsmodels SARIMAX(2,0,1) with a constant on the weekly differences (336 half-hours),
  exact ML (the issue's reference); forecasts are undifferenced with the last week.
- statsforecast-mstl: statsforecast MSTL(season_length=[48, 336]) (trend by its default AutoETS).
- statsforecast-autoarima: statsforecast AutoARIMA(season_length=48), run in a child process under a time limit
  for ONE fit; when it does not finish, the result says so and no scores are given.
Timing: fit (and forecast) seconds summed over the origins, wall clock, in this process.
"""
import json, sys, time, math, multiprocessing as mp, warnings
import numpy as np

warnings.filterwarnings("ignore")


def load(path, column):
    import csv
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r[column]) for r in rows])


def scores(name, y, origins, horizon, forecasts, lowers, uppers, seconds, week):
    actual, pred, lo, hi, scaled, scaled_is = [], [], [], [], [], []
    for o, f, l, u in zip(origins, forecasts, lowers, uppers):
        a = y[o:o + horizon]
        scale = np.mean(np.abs(y[week:o] - y[:o - week]))
        actual += list(a); pred += list(f[:len(a)])
        if l is not None:
            l, u = np.asarray(l[:len(a)]), np.asarray(u[:len(a)])
            lo += list(l); hi += list(u)
            # The interval score of the 95 % interval (M4's MSIS): width plus 2 / 0.05 times each miss's size.
            scaled_is += list(((u - l) + 40 * np.maximum(0, l - a) + 40 * np.maximum(0, a - u)) / scale)
        scaled += list(np.abs(a - f[:len(a)]) / scale)
    actual, pred = np.array(actual), np.array(pred)
    # MAPE skips zero actuals (as PeerGrid's backtest does) and is null when every actual is zero.
    nonzero = actual != 0
    mape = float(100 * np.mean(np.abs((actual[nonzero] - pred[nonzero]) / actual[nonzero]))) if nonzero.any() else None
    out = {"name": name, "mae": float(np.mean(np.abs(actual - pred))),
           "rmse": float(np.sqrt(np.mean((actual - pred) ** 2))),
           "mape": mape, "mase": float(np.mean(scaled)),
           "fit_seconds": seconds}
    out["coverage"] = float(np.mean((actual >= np.array(lo)) & (actual <= np.array(hi)))) if lo else None
    out["msis"] = float(np.mean(scaled_is)) if scaled_is else None
    return out


def sarimax_weekly(y, origins, horizon, week):
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    fs, ls, us, total = [], [], [], 0.0
    for o in origins:
        t0 = time.perf_counter()
        w = y[week:o] - y[:o - week]
        res = SARIMAX(w, order=(2, 0, 1), trend="c").fit(disp=False)
        fc = res.get_forecast(horizon)
        total += time.perf_counter() - t0
        base = y[o - week:o - week + horizon]
        mean = fc.predicted_mean + base
        ci = fc.conf_int(alpha=0.05)
        fs.append(mean); ls.append(ci[:, 0] + base); us.append(ci[:, 1] + base)
    return fs, ls, us, total


def mstl(y, origins, horizon, day, week):
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL
    fs, ls, us, total = [], [], [], 0.0
    for o in origins:
        df = pd.DataFrame({"unique_id": "x", "ds": np.arange(o), "y": y[:o]})
        t0 = time.perf_counter()
        # A daily series has no daily season (length 1, which MSTL cannot take): the weekly one alone.
        sf = StatsForecast(models=[MSTL(season_length=[m for m in (day, week) if m > 1])], freq=1)
        out = sf.forecast(df=df, h=horizon, level=[95])
        total += time.perf_counter() - t0
        fs.append(out["MSTL"].to_numpy()); ls.append(out["MSTL-lo-95"].to_numpy()); us.append(out["MSTL-hi-95"].to_numpy())
    return fs, ls, us, total


def _autoarima_child(y, horizon, day, queue):
    from statsforecast.models import AutoARIMA
    t0 = time.perf_counter()
    m = AutoARIMA(season_length=day)
    m.fit(y)
    f = m.predict(horizon, level=[95])
    queue.put((time.perf_counter() - t0, f["mean"].tolist(), f["lo-95"].tolist(), f["hi-95"].tolist()))


def autoarima(y, origins, horizon, day, limit):
    """Fits the first origin in a child process; when that fit exceeds `limit` seconds, stops and reports."""
    fs, ls, us, total = [], [], [], 0.0
    for o in origins:
        q = mp.Queue()
        p = mp.Process(target=_autoarima_child, args=(y[:o], horizon, day, q))
        p.start(); p.join(limit)
        if p.is_alive():
            p.terminate(); p.join()
            return None, f"one fit did not finish within {limit:.0f} s (stopped)"
        secs, f, l, u = q.get()
        total += secs
        fs.append(np.array(f)); ls.append(np.array(l)); us.append(np.array(u))
    return (fs, ls, us, total), None


def main():
    args = sys.argv[1:]
    limit = 600.0
    if "--autoarima-limit" in args:
        i = args.index("--autoarima-limit"); limit = float(args[i + 1]); del args[i:i + 2]
    day = 48  # observations per day (half-hourly by default; --periods-per-day 24 for hourly series)
    if "--periods-per-day" in args:
        i = args.index("--periods-per-day"); day = int(args[i + 1]); del args[i:i + 2]
    path, column, horizon, test_days, out = args[0], args[1], int(args[2]), int(args[3]), args[4]
    y = load(path, column)
    week = 7 * day
    origins = [len(y) - (test_days - d) * day for d in range(test_days)]
    import statsmodels, statsforecast
    result = {"horizon": horizon, "test_days": test_days, "versions": {"statsmodels": statsmodels.__version__,
              "statsforecast": statsforecast.__version__, "numpy": np.__version__}, "models": [], "notes": []}
    fs, ls, us, secs = sarimax_weekly(y, origins, horizon, week)
    result["models"].append(scores("statsmodels SARIMAX(2,0,1) weekly diff", y, origins, horizon, fs, ls, us, secs, week))
    print(f"sarimax done in {secs:.2f} s", file=sys.stderr)
    fs, ls, us, secs = mstl(y, origins, horizon, day, week)
    result["models"].append(scores("statsforecast MSTL", y, origins, horizon, fs, ls, us, secs, week))
    print(f"mstl done in {secs:.2f} s", file=sys.stderr)
    if limit > 0:
        res, note = autoarima(y, origins, horizon, day, limit)
        if res is None:
            result["notes"].append(f"statsforecast AutoARIMA(season_length=48): {note}")
        else:
            fs, ls, us, secs = res
            result["models"].append(scores("statsforecast AutoARIMA", y, origins, horizon, fs, ls, us, secs, week))
    with open(out + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    import os
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
