#!/usr/bin/env python3
"""Builds the bundled demo community (Datasets/demo/) from the real series in Datasets/.

Run once; its outputs are committed (the demo needs only Swift). Deterministic: same inputs, same bytes.
  python3 scripts/make_demo_community.py

Household load: the Taylor England & Wales national demand (half-hourly, 2000-06-05 .. 2000-08-27), divided by
its peak, shifted by up to +-1 hour per household, scaled to a household size and multiplied by (1 + e_t) with
e_t an AR(1) noise (phi 0.7, sigma 0.08) from a seeded generator, floored at 0.05 kW. So each household keeps the
national daily and weekly shape with its own size, timing and noise; none of them is a real meter.
PV: the TMY3 Greensboro NC global horizontal irradiance for the same month and day (TMY3 rows are typical
months from different years; the TMY3 local standard time clock is used as the community's clock), each hour
held for both half-hours, times the household's PV size (kWp) / 1000 W/m2 and a performance ratio 0.8 times an
orientation factor in [0.9, 1.0].
"""
import random
from synthetic_households import community, household_columns, read_series, storage, write_history, write_json

rnd = random.Random(20001)
taylor, national, ghi = read_series()

N = 10
homes = []
for i in range(N):
    homes.append({
        "id": f"h{i + 1:02d}",
        "scale": round(rnd.uniform(1.6, 4.2), 2),
        "shift": rnd.randint(-2, 2),
        "pv_kwp": [0, 3, 4, 5, 6, 0, 8, 3, 5, 0][i],
        "orientation": round(rnd.uniform(0.9, 1.0), 3),
    })

columns = {}
for h in homes:
    columns[f"{h['id']}_load_kw"], columns[f"{h['id']}_pv_kw"] = household_columns(h, taylor, national, ghi, rnd)
write_history("Datasets/demo/history.csv", taylor, columns)

hours = list(range(24))
imp = [0.15 if h < 7 else (0.35 if 17 <= h < 21 else 0.25) for h in hours]
prosumers = []
for i, h in enumerate(homes):
    p = {"id": h["id"], "connection_kw": 17.0 if i in (1, 6) else 12.0,
         "load_kw": {"csv": "history.csv", "column": f"{h['id']}_load_kw"},
         "pv_kw": {"csv": "history.csv", "column": f"{h['id']}_pv_kw"}}
    if i in (1, 2, 4, 6, 8):
        cap = [0, 10, 5, 0, 13.5, 0, 10, 0, 5, 0][i]
        p["battery"] = storage(cap, cap / 2, 0.02)
    if i in (1, 3, 6, 9):
        p["flexible_loads"] = [{"id": "ev", "power_kw": 7.4 if i in (1, 6) else 3.7, "run_periods": 3,
                                "earliest": 18, "latest": 23}]
    prosumers.append(p)

demo = community("demo-10", [
        "Demo community bundled with PeerGrid (Datasets/demo/, made by scripts/make_demo_community.py).",
        "Household loads are derived from the real Taylor (2003) England and Wales national demand series (half-hourly, June-August 2000): normalized by its peak, shifted by up to one hour, scaled to a household size (1.6-4.2 kW) and multiplied by seeded AR(1) noise. They are not real household meters.",
        "PV is derived from real NREL TMY3 irradiance (Greensboro NC, global horizontal, same month and day, each hour held for both half-hours) times the household's PV size (0-8 kWp), a performance ratio 0.8 and an orientation factor 0.9-1.0.",
        "Tariffs, batteries, EVs, limits, shared storage and storage pricing caps are illustrative settings, not measurements.",
    ],
                 imp, 0.05, 45.0, storage(60.0, 15.0, 0.01), prosumers)
write_json("Datasets/demo/community.json", demo)
print("wrote Datasets/demo/history.csv and Datasets/demo/community.json")
