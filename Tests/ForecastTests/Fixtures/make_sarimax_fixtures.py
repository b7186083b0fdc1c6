"""Generates sarimax_fixtures.json once (committed): series and statsmodels SARIMAX maximum-likelihood estimates
that ARIMAEstimationTests compare PeerGrid's exact ML with.

Run from the repository root with the benchmark venv: Benchmarks/.venv/bin/python Tests/ForecastTests/Fixtures/make_sarimax_fixtures.py
"""
import csv, json, warnings
import numpy as np
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.arima_process import arma_generate_sample
import statsmodels
from statsmodels.tsa.stattools import kpss

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20261125)
cases = []


def add(name, y, order, seasonal=(0, 0, 0, 0), constant=False, differenced=False):
    exog = np.ones(len(y)) if constant else None
    model = SARIMAX(y, exog=exog, order=order, seasonal_order=seasonal, simple_differencing=differenced)
    res = model.fit(disp=False, maxiter=500)
    names = model.param_names
    p = dict(zip(names, res.params))
    case = {"name": name, "y": [float(v) for v in y], "p": order[0], "d": order[1], "q": order[2],
            "P": seasonal[0], "D": seasonal[1], "Q": seasonal[2], "period": seasonal[3] or 1, "constant": constant,
            "ar": [p[k] for k in names if k.startswith("ar.L")], "sar": [p[k] for k in names if k.startswith("ar.S.L")],
            "ma": [p[k] for k in names if k.startswith("ma.L")], "sma": [p[k] for k in names if k.startswith("ma.S.L")],
            "beta": [p["const"]] if constant else [], "sigma2": p["sigma2"], "loglik": float(res.llf),
            "kpss": float(kpss(y, regression="c", nlags=int(3 * np.sqrt(len(y)) / 13))[0])}
    cases.append(case)


# ARMA(2,1) around a mean of 10.
y = 10 + arma_generate_sample([1, -0.6, 0.3], [1, 0.4], 600, scale=1.0, distrvs=rng.standard_normal)
add("arma21-mean", y, (2, 0, 1), constant=True)
# Seasonal AR: (1,0,0)(1,0,0)[12].
ar = np.convolve([1, -0.5], np.r_[1, np.zeros(11), -0.6])
y = arma_generate_sample(ar, [1], 600, scale=2.0, distrvs=rng.standard_normal)
add("sar-12", y, (1, 0, 0), (1, 0, 0, 12))
# Integrated MA: (0,1,1), estimated on the first differences (simple differencing).
e = rng.standard_normal(500)
y = np.cumsum(e + 0.5 * np.r_[0, e[:-1]])
add("ima11", y, (0, 1, 1), differenced=True)
# A fixed real series: weekly differences of the first six weeks of the Taylor data, (2,0,1) with a constant.
with open("Datasets/taylor_england_wales_halfhourly_2000.csv") as f:
    x = np.array([float(r["demand_mw"]) for r in csv.DictReader(f)])[:6 * 336]
w = x[336:] - x[:-336]
add("taylor-weekly-diff", w, (2, 0, 1), constant=True)

out = {"generator": "Tests/ForecastTests/Fixtures/make_sarimax_fixtures.py", "statsmodels": statsmodels.__version__, "cases": cases}
with open("Tests/ForecastTests/Fixtures/sarimax_fixtures.json", "w") as f:
    json.dump(out, f)
for c in cases:
    print(c["name"], c["ar"], c["sar"], c["ma"], c["sma"], c["beta"], c["sigma2"], c["loglik"])
