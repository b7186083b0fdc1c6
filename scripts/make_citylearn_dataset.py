#!/usr/bin/env python3
"""Extracts Datasets/citylearn_fontana_2017q1_hourly.csv from the CityLearn 2.1.2 wheel (MIT).

    pip download --no-deps CityLearn==2.1.2 -d /tmp/wheel
    python3 scripts/make_citylearn_dataset.py /tmp/wheel/CityLearn-2.1.2-py3-none-any.whl
    python3 scripts/make_citylearn_dataset.py /tmp/wheel/CityLearn-2.1.2-py3-none-any.whl \
        Datasets/citylearn_fontana_2016autumn_hourly.csv --buildings 6,7,8,9,10,11 --start 2016-08-01

Reads citylearn/data/citylearn_challenge_2022_phase_all/ (Building_N.csv, schema.json) and writes 12 weeks of
hourly metered household load and rooftop PV: by default homes 1..5 from Monday 2017-01-02 to Sunday 2017-03-26
(2016 rows); `--buildings` and `--start` (a Monday) choose other homes and weeks.
Deterministic; no value is changed except the PV unit (W per kW installed times the schema's nominal kW / 1000 =
kW). The weather file is left out (Datasets/README.md says why).
"""
import argparse, csv, io, json, sys, zipfile
from datetime import datetime, timedelta

ROOT = "citylearn/data/citylearn_challenge_2022_phase_all/"
BUILDINGS = [1, 2, 3, 4, 5]
# Row 0 is hour-ending 24:00 of Sunday 2016-07-31 (Month 7, Hour 24, Day Type 7): the hour 23:00-24:00.
FIRST = datetime(2016, 7, 31, 23)
START, WEEKS = datetime(2017, 1, 2), 12


def rows(z, name):
    return list(csv.DictReader(io.TextIOWrapper(z.open(ROOT + name), encoding="utf-8")))


def main(wheel, out, buildings=BUILDINGS, start=START):
    z = zipfile.ZipFile(wheel)
    schema = json.load(z.open(ROOT + "schema.json"))
    series = {}
    for b in buildings:
        r = rows(z, f"Building_{b}.csv")
        kwp = schema["buildings"][f"Building_{b}"]["pv"]["attributes"]["nominal_power"]
        series[f"b{b:02d}_load_kw"] = [float(x["Equipment Electric Power [kWh]"]) for x in r]
        series[f"b{b:02d}_pv_kw"] = [float(x["Solar Generation [W/kW]"]) * kwp / 1000 for x in r]
    first = int((start - FIRST).total_seconds() // 3600)
    count = WEEKS * 7 * 24
    names = list(series)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["timestamp"] + names)
        for k in range(first, first + count):
            t = FIRST + timedelta(hours=k)
            w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ")] + [f"{series[c][k]:.4f}".rstrip("0").rstrip(".") for c in names])
    print(f"wrote {count} rows x {len(names)} columns to {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("wheel")
    ap.add_argument("out", nargs="?", default="Datasets/citylearn_fontana_2017q1_hourly.csv")
    ap.add_argument("--buildings", default=",".join(map(str, BUILDINGS)), help="comma-separated home numbers (1..17)")
    ap.add_argument("--start", default=START.date().isoformat(), help="first day, a Monday (YYYY-MM-DD)")
    a = ap.parse_args()
    first_day = datetime.fromisoformat(a.start)
    if first_day.weekday() != 0:
        sys.exit(f"--start {a.start} is not a Monday")
    main(a.wheel, a.out, [int(b) for b in a.buildings.split(",")], first_day)
