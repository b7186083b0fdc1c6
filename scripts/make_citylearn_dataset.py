#!/usr/bin/env python3
"""Extracts Datasets/citylearn_fontana_2017q1_hourly.csv from the CityLearn 2.1.2 wheel (MIT).

    pip download --no-deps CityLearn==2.1.2 -d /tmp/wheel
    python3 scripts/make_citylearn_dataset.py /tmp/wheel/CityLearn-2.1.2-py3-none-any.whl

Reads citylearn/data/citylearn_challenge_2022_phase_all/ (Building_1..5.csv, weather.csv, schema.json) and writes
12 weeks (Monday 2017-01-02 .. Sunday 2017-03-26, 2016 rows) of hourly metered household load and rooftop PV
plus the irradiance and the 24-hour-ahead irradiance forecast that ship with the data. Deterministic; no
value is changed except the PV unit (W per kW installed times the schema's nominal kW / 1000 = kW).
"""
import csv, io, json, sys, zipfile
from datetime import datetime, timedelta

ROOT = "citylearn/data/citylearn_challenge_2022_phase_all/"
BUILDINGS = [1, 2, 3, 4, 5]
# Row 0 is hour-ending 24:00 of Sunday 2016-07-31 (Month 7, Hour 24, Day Type 7): the hour 23:00-24:00.
FIRST = datetime(2016, 7, 31, 23)
START, WEEKS = datetime(2017, 1, 2), 12


def rows(z, name):
    return list(csv.DictReader(io.TextIOWrapper(z.open(ROOT + name), encoding="utf-8")))


def main(wheel, out):
    z = zipfile.ZipFile(wheel)
    schema = json.load(z.open(ROOT + "schema.json"))
    weather = rows(z, "weather.csv")
    series = {}
    for b in BUILDINGS:
        r = rows(z, f"Building_{b}.csv")
        kwp = schema["buildings"][f"Building_{b}"]["pv"]["attributes"]["nominal_power"]
        series[f"b{b:02d}_load_kw"] = [float(x["Equipment Electric Power [kWh]"]) for x in r]
        series[f"b{b:02d}_pv_kw"] = [float(x["Solar Generation [W/kW]"]) * kwp / 1000 for x in r]
    series["diffuse_wm2"] = [float(x["Diffuse Solar Radiation [W/m2]"]) for x in weather]
    series["direct_wm2"] = [float(x["Direct Solar Radiation [W/m2]"]) for x in weather]
    # The forecast issued 24 h earlier for this hour: row t of the file's 24h-prediction column is for t + 24.
    n = len(weather)
    for col, name in (("24h Prediction Diffuse Solar Radiation [W/m2]", "diffuse_fc24_wm2"), ("24h Prediction Direct Solar Radiation [W/m2]", "direct_fc24_wm2")):
        v = [float(x[col]) for x in weather]
        series[name] = [float("nan")] * 24 + v[: n - 24]
    first = int((START - FIRST).total_seconds() // 3600)
    count = WEEKS * 7 * 24
    names = list(series)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["timestamp"] + names)
        for k in range(first, first + count):
            t = FIRST + timedelta(hours=k)
            w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ")] + [f"{series[c][k]:.4f}".rstrip("0").rstrip(".") if "wm2" not in c else f"{series[c][k]:.1f}" for c in names])
    print(f"wrote {count} rows x {len(names)} columns to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "Datasets/citylearn_fontana_2017q1_hourly.csv")
