#!/usr/bin/env python3
"""Extracts two demand series from the MAPIE 1.6.0 source distribution on PyPI (BSD-3-Clause) into Datasets/.

    pip download --no-deps --no-binary :all: mapie==1.6.0 -d /tmp/mapie
    python3 scripts/make_mapie_datasets.py /tmp/mapie/mapie-1.6.0.tar.gz

- `examples/data/demand_temperature.csv`: hourly electricity demand (GW) and temperature (degC) of the state of
  Victoria, Australia, 2014-01-01 00:00 .. 2014-02-25 23:00 (1,344 rows, 8 weeks). Written unchanged as
  Datasets/victoria_demand_2014_hourly.csv (`timestamp,demand_gw,temperature_c`). The hours are labelled with
  +10:00: the source gives no zone; the National Electricity Market keeps Australian Eastern Standard Time all
  year, and the rows are evenly spaced across the span.
- `examples/data/zaffran2022_prices.csv.gz`: the French data of Zaffran et al. (2022), hourly 2016-01-08 ..
  2019-12-31 (34,896 rows, evenly spaced). Its `conso` column (MW; the authors describe it as the day-ahead
  forecast of the French consumption) for the last 12 weeks, 2019-10-09 00:00 .. 2019-12-31 23:00 (2,016 rows), is written unchanged as
  Datasets/france_consumption_2019q4_hourly.csv (`timestamp,consumption_mw`). The source gives no zone and 24
  rows on every day (also on the daylight-saving change of 2019-10-27), so the labels are nominal `Z`.
Deterministic; the standard library only.
"""
import csv
import gzip
import io
import sys
import tarfile
from datetime import datetime

ROOT = "mapie-1.6.0/examples/data/"


def member(archive, name):
    return archive.extractfile(ROOT + name).read()


def main(sdist, out):
    with tarfile.open(sdist) as archive:
        victoria = list(csv.reader(io.StringIO(member(archive, "demand_temperature.csv").decode("utf-8"))))
        france = list(csv.reader(io.StringIO(gzip.decompress(member(archive, "zaffran2022_prices.csv.gz")).decode("utf-8"))))
    if victoria[0] != ["", "Demand", "Temperature"] or len(victoria) != 1345:
        sys.exit("demand_temperature.csv: expected the header ,Demand,Temperature and 1344 rows")
    with open(f"{out}/victoria_demand_2014_hourly.csv", "w", newline="") as f:
        f.write("timestamp,demand_gw,temperature_c\n")
        for stamp, demand, temperature in victoria[1:]:
            t = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
            f.write(f"{t:%Y-%m-%dT%H:%M:%S}+10:00,{demand},{temperature}\n")
    header, body = france[0], france[1:]
    if len(body) != 34896:
        sys.exit(f"zaffran2022_prices.csv.gz: expected 34896 rows, found {len(body)}")
    date, conso = header.index("Date"), header.index("conso")
    rows = body[-12 * 7 * 24:]
    with open(f"{out}/france_consumption_2019q4_hourly.csv", "w", newline="") as f:
        f.write("timestamp,consumption_mw\n")
        for row in rows:
            t = datetime.strptime(row[date], "%Y-%m-%d %H:%M:%S")
            value = float(row[conso])
            f.write(f"{t:%Y-%m-%dT%H:%M:%S}Z,{value:.0f}\n" if value.is_integer() else f"{t:%Y-%m-%dT%H:%M:%S}Z,{row[conso]}\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1], "Datasets")
