#!/usr/bin/env python3
"""Derives the test series the README's checks of 2026-12-06 ran on, from the bundled datasets.

    python3 scripts/derive_series.py daily   Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw daily.csv
    python3 scripts/derive_series.py standby Datasets/citylearn_fontana_2017q1_hourly.csv b01_pv_kw -0.004 pvneg.csv
    python3 scripts/derive_series.py date-time Datasets/taylor_england_wales_halfhourly_2000.csv 40 dt.csv
    python3 scripts/derive_series.py means Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw 4 t2h.csv
    python3 scripts/derive_series.py sum Datasets/simbench_households_2016_15min.csv _load_pu feeder.csv

daily: the sum of each whole UTC day's readings times the step in hours (energy a day), one row per date
(`date,<column>`; dates alone, as a daily export writes them). standby: the column with every 0 replaced by the
given value (a PV meter that reads its inverter's standby draw at night), as `timestamp,pv`. date-time: the first
days of a one-column file as a spreadsheet exports them, `Date,Time,Demand` with CRLF line ends, the clock time
without a zone. means: the means of each run of K readings (4 half-hours: a 2-hourly series), stamped at the
run's first reading, as `timestamp,demand`. sum: the sum of every column whose name ends with the given suffix
(the five SimBench households as one small feeder; the six autumn CityLearn homes with `_load_kw`), as
`timestamp,load`.
"""
import csv
import sys
from datetime import datetime


def read(path, column):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    return [r["timestamp"] for r in rows], [float(r[column]) for r in rows]


def daily(path, column, out):
    stamps, values = read(path, column)
    step = (datetime.fromisoformat(stamps[1].replace("Z", "+00:00")) - datetime.fromisoformat(stamps[0].replace("Z", "+00:00"))).total_seconds()
    per_day = int(round(86400 / step))
    with open(out, "w") as f:
        f.write("date,%s\n" % column)
        for d in range(len(values) // per_day):
            f.write("%s,%.1f\n" % (stamps[d * per_day][:10], sum(values[d * per_day:(d + 1) * per_day]) * step / 3600))


def standby(path, column, value, out):
    stamps, values = read(path, column)
    with open(out, "w") as f:
        f.write("timestamp,pv\n")
        for t, v in zip(stamps, values):
            f.write("%s,%.4f\n" % (t, value if v == 0 else v))


def date_time(path, days, out):
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))[1:]
    step = (datetime.fromisoformat(rows[1][0].replace("Z", "+00:00")) - datetime.fromisoformat(rows[0][0].replace("Z", "+00:00"))).total_seconds()
    with open(out, "w", newline="") as f:
        f.write("Date,Time,Demand\r\n")
        for r in rows[:days * int(round(86400 / step))]:
            f.write("%s,%s,%s\r\n" % (r[0][:10], r[0][11:16], r[1]))


def means(path, column, k, out):
    stamps, values = read(path, column)
    with open(out, "w") as f:
        f.write("timestamp,demand\n")
        for i in range(0, len(values) - k + 1, k):
            f.write("%s,%.1f\n" % (stamps[i], sum(values[i:i + k]) / k))


def total(path, suffix, out):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    columns = [c for c in rows[0] if c.endswith(suffix)]
    if not columns:
        sys.exit("%s: no column ends with %s" % (path, suffix))
    with open(out, "w") as f:
        f.write("timestamp,load\n")
        for r in rows:
            f.write("%s,%.6f\n" % (r["timestamp"], sum(float(r[c]) for c in columns)))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "daily":
        daily(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "standby":
        standby(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 6 and sys.argv[1] == "means":
        means(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 5 and sys.argv[1] == "sum":
        total(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "date-time":
        date_time(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)
