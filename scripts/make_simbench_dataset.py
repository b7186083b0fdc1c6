#!/usr/bin/env python3
"""Extracts Datasets/simbench_households_2016_15min.csv from the simbench 1.6.3 wheel (data ODbL 1.0 / DbCL 1.0).

    pip download --no-deps simbench==1.6.3 -d /tmp/wheel
    python3 scripts/make_simbench_dataset.py /tmp/wheel/simbench-1.6.3-py3-none-any.whl

Reads simbench/networks/1-complete_data-mixed-all-0-sw/LoadProfile.csv (the household active-power profiles
H0-A, H0-B, H0-C, H0-G, H0-L) and RESProfile.csv (the PV profiles PV1, PV3, PV5) and writes 12 weeks (Monday
2016-05-02 .. Sunday 2016-07-24, 8064 rows) at 15 minutes. Values are copied unchanged (per unit, see
Datasets/README.md). The source's labels are German local clock time (they jump 75 minutes on 2016-03-27 and step
back 45 minutes on 2016-10-30) while its 35,136 rows are evenly spaced (366 x 96; the PV's midday centroid does not
move at either change), so the rows are relabelled on a uniform 15-minute grid: row k of the year is
2016-01-01T00:00 + 15k minutes, written with a nominal `Z`. Deterministic.
"""
import csv, io, os, sys, zipfile
from datetime import datetime, timedelta

ROOT = "simbench/networks/1-complete_data-mixed-all-0-sw/"
LOADS = ["H0-A", "H0-B", "H0-C", "H0-G", "H0-L"]
PVS = ["PV1", "PV3", "PV5"]
YEAR_START, START, WEEKS, STEP = datetime(2016, 1, 1), datetime(2016, 5, 2), 12, timedelta(minutes=15)


def table(z, name):
    rows = list(csv.reader(io.TextIOWrapper(z.open(ROOT + name), encoding="utf-8"), delimiter=";"))
    header, body = rows[0], rows[1:]
    if len(body) != 366 * 96:
        sys.exit(f"{name}: expected 35136 rows (2016 at 15 minutes), found {len(body)}")
    return header, body


def main(wheel, out):
    z = zipfile.ZipFile(wheel)
    series = {}
    header, body = table(z, "LoadProfile.csv")
    for p in LOADS:
        i = header.index(f"{p}_pload")
        series[p.lower().replace("-", "") + "_load_pu"] = [row[i] for row in body]
    header, body = table(z, "RESProfile.csv")
    for p in PVS:
        i = header.index(p)
        series[p.lower() + "_pv_pu"] = [row[i] for row in body]
    first = int((START - YEAR_START) / STEP)
    count = WEEKS * 7 * 96
    names = list(series)
    # Written beside the target and renamed, so an interrupted run leaves the old file or the new one.
    with open(out + ".tmp", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["timestamp"] + names)
        for k in range(first, first + count):
            stamp = (YEAR_START + k * STEP).strftime("%Y-%m-%dT%H:%M:%SZ")
            w.writerow([stamp] + [series[n][k] for n in names])
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1], "Datasets/simbench_households_2016_15min.csv")
