#!/usr/bin/env python3
"""Demand on the Sunday before a Monday holiday against the three Sundays (and Saturdays) before it, by quarter of
the day, in the three bundled demand series (README, *Public holidays*: is there an eve-of-holiday effect?).

    python3 scripts/holiday_eves.py

Standard library only. Days are local: Victoria's stamps are read at UTC+10, the others' `Z` is nominal local time.
"""
import csv
import datetime as dt
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Datasets")
CASES = [
    ("taylor_england_wales_halfhourly_2000.csv", "demand_mw", 0, dt.date(2000, 8, 27), "the eve of the summer bank holiday"),
    ("victoria_demand_2014_hourly.csv", "demand_gw", 10, dt.date(2014, 1, 26), "the eve of Australia Day"),
    ("france_consumption_2019q4_hourly.csv", "consumption_mw", 0, dt.date(2019, 11, 10), "the eve of Armistice Day"),
]


def load(path, column, shift):
    zone = dt.timezone(dt.timedelta(hours=shift))
    series = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t = dt.datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")).astimezone(zone).replace(tzinfo=None)
            series[t] = float(row[column])
    return series


def day_values(series, day):
    return [v for t, v in sorted(series.items()) if t.date() == day]


def main():
    print(f"{'series':40s} {'day':10s}  quarter  actual/Sundays  Saturdays/Sundays")
    for name, column, shift, day, what in CASES:
        s = load(os.path.join(ROOT, name), column, shift)
        actual = day_values(s, day)
        sundays = [day_values(s, day - dt.timedelta(days=7 * k)) for k in (1, 2, 3)]
        saturdays = [day_values(s, day - dt.timedelta(days=7 * k + 1)) for k in (0, 1, 2)]
        q = len(actual) // 4
        for i, label in enumerate(["0-6 h", "6-12 h", "12-18 h", "18-24 h"]):
            a = sum(actual[i * q:(i + 1) * q])
            su = sum(sum(x[i * q:(i + 1) * q]) for x in sundays) / 3
            sa = sum(sum(x[i * q:(i + 1) * q]) for x in saturdays) / 3
            print(f"{name[:40]:40s} {day.isoformat()}  {label:7s}  {a / su:14.3f}  {sa / su:17.3f}")
        print(f"  ({what})")


if __name__ == "__main__":
    main()
