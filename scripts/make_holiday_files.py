#!/usr/bin/env python3
"""Writes Datasets/holidays/*.csv (date,name) from the `holidays` package on PyPI.

    python3 -m venv /tmp/hv && /tmp/hv/bin/pip install holidays==0.109
    /tmp/hv/bin/python scripts/make_holiday_files.py

Deterministic for a given package version; the files in the repository were written with holidays 0.109.
"""
import os
import sys

import holidays

FILES = [
    # (country, subdivision, years, file): the calendars of the bundled demand series.
    ("GB", "ENG", [2000], "england_wales_2000"),  # Taylor: England and Wales have the same bank holidays
    ("FR", None, [2019], "france_2019"),
    ("AU", "VIC", [2014], "victoria_2014"),
    ("US", None, [2016, 2017], "united_states_2016_2017"),  # federal holidays, for the CityLearn homes
    ("DE", None, [2016], "germany_2016"),  # national holidays, for the SimBench profiles
]


def main() -> int:
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Datasets", "holidays")
    os.makedirs(root, exist_ok=True)
    for country, subdiv, years, name in FILES:
        days = holidays.country_holidays(country, subdiv=subdiv, years=years)
        with open(os.path.join(root, name + ".csv"), "w", newline="\n") as out:
            out.write("date,name\n")
            for day, label in sorted(days.items()):
                out.write(f"{day.isoformat()},{label}\n")
        print(f"{name}.csv: {len(days)} dates ({country}{'-' + subdiv if subdiv else ''} {years}, holidays {holidays.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
