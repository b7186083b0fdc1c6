#!/usr/bin/env python3
"""Builds the case-study community (Datasets/case-study/): a Brooklyn-Microgrid-style neighbourhood.

Public facts it follows (sources in the README's case-study section): the Brooklyn Microgrid pilot (LO3 Energy,
Park Slope and Gowanus, Brooklyn, from 2016) had about 50 participating homes; a minority of them had rooftop PV
and sold their surplus to neighbours through a local market on a private blockchain (Mengelkamp et al. 2018). The
community battery is this case study's addition (the issue's "community battery"), as are all tariffs and sizes.

Everything else is derived from the real series in Datasets/, as for the demo community: household load from the
Taylor England & Wales national demand (normalized, shifted by up to 2 half-hours, scaled to 1.2-3.8 kW, times
seeded AR(1) noise), PV from TMY3 global horizontal irradiance times 3-9 kWp. None of it is a real meter.
Deterministic: run from the repository root, `python3 scripts/make_case_study_community.py`.
"""
import random
from synthetic_households import community, household_columns, read_series, storage, write_history, write_json

rnd = random.Random(2016)
taylor, national, ghi = read_series()

N, N_PV = 50, 16                      # about 50 homes, a minority (16, 32 %) with rooftop PV
pv_homes = set(rnd.sample(range(N), N_PV))
homes = []
for i in range(N):
    homes.append({"id": f"b{i + 1:02d}", "scale": round(rnd.uniform(1.2, 3.8), 2), "shift": rnd.randint(-2, 2),
                  "pv_kwp": round(rnd.uniform(3, 9), 1) if i in pv_homes else 0,
                  "orientation": round(rnd.uniform(0.85, 1.0), 3)})

columns = {}
for h in homes:   # the PV columns of the homes without PV are all zero
    columns[f"{h['id']}_load_kw"], columns[f"{h['id']}_pv_kw"] = household_columns(h, taylor, national, ghi, rnd)
write_history("Datasets/case-study/history.csv", taylor, columns)

imp = [0.14 if h < 7 else (0.32 if 16 <= h < 21 else 0.22) for h in range(24)]   # time-of-use, currency per kWh
prosumers = []
for h in homes:
    p = {"id": h["id"], "connection_kw": 12.0, "load_kw": {"csv": "history.csv", "column": f"{h['id']}_load_kw"}}
    p["pv_kw"] = {"csv": "history.csv", "column": f"{h['id']}_pv_kw"}
    prosumers.append(p)

case_study = community("brooklyn-style-50", [
        "Case-study community bundled with PeerGrid (Datasets/case-study/, made by scripts/make_case_study_community.py): a Brooklyn-Microgrid-style neighbourhood of 50 homes, 16 with rooftop PV, and a community battery.",
        "Household loads are derived from the real Taylor (2003) England and Wales national demand series (normalized, shifted, scaled to 1.2-3.8 kW, seeded AR(1) noise); PV from real NREL TMY3 irradiance (Greensboro NC) times 3-9 kWp. They are not real meters of Brooklyn homes.",
        "Tariffs, the battery and the limits are illustrative settings, not measurements.",
    ],
                       imp, 0.04, 150.0, storage(100.0, 25.0, 0.01), prosumers)
write_json("Datasets/case-study/community.json", case_study)
print(f"wrote Datasets/case-study/history.csv and community.json: {N} homes, {N_PV} with PV")
