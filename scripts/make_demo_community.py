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
import csv, json, random
from datetime import datetime, timedelta, timezone

rnd = random.Random(20001)
taylor = [(r["timestamp"], float(r["demand_mw"])) for r in csv.DictReader(open("Datasets/taylor_england_wales_halfhourly_2000.csv"))]
tmy = list(csv.DictReader(open("Datasets/tmy3_greensboro_nc_hourly.csv")))
ghi = {}
for r in tmy:  # key: (month, day, hour) of the TMY3 local standard time stamp
    ts = r["timestamp"]
    ghi[(int(ts[5:7]), int(ts[8:10]), int(ts[11:13]))] = float(r["ghi_wm2"])
peak = max(v for _, v in taylor)
national = [v / peak for _, v in taylor]
T = len(taylor)

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
    e, load = 0.0, []
    for t in range(T):
        e = 0.7 * e + rnd.gauss(0, 0.08)
        load.append(max(0.05, h["scale"] * national[(t + h["shift"]) % T] * (1 + e)))
    pv = []
    for ts, _ in taylor:
        month, day, hour = int(ts[5:7]), int(ts[8:10]), int(ts[11:13])
        pv.append(h["pv_kwp"] * ghi[(month, day, hour)] / 1000 * 0.8 * h["orientation"])
    columns[f"{h['id']}_load_kw"] = load
    columns[f"{h['id']}_pv_kw"] = pv

with open("Datasets/demo/history.csv", "w", newline="") as f:
    names = list(columns)
    f.write("timestamp," + ",".join(names) + "\n")
    for t, (ts, _) in enumerate(taylor):
        f.write(ts + "," + ",".join(f"{columns[n][t]:.3f}" for n in names) + "\n")

hours = list(range(24))
imp = [0.15 if h < 7 else (0.35 if 17 <= h < 21 else 0.25) for h in hours]
prosumers = []
for i, h in enumerate(homes):
    p = {"id": h["id"], "connection_kw": 17.0 if i in (1, 6) else 12.0,
         "load_kw": {"csv": "history.csv", "column": f"{h['id']}_load_kw"},
         "pv_kw": {"csv": "history.csv", "column": f"{h['id']}_pv_kw"}}
    if i in (1, 2, 4, 6, 8):
        cap = [0, 10, 5, 0, 13.5, 0, 10, 0, 5, 0][i]
        p["battery"] = {"capacity_kwh": cap, "power_kw": cap / 2, "charge_efficiency": 0.95, "discharge_efficiency": 0.95,
                        "initial_soc": 0.5, "min_soc": 0.1, "max_soc": 0.95, "final_min_soc": 0.5,
                        "degradation_cost_per_kwh": 0.02}
    if i in (1, 3, 6, 9):
        p["flexible_loads"] = [{"id": "ev", "power_kw": 7.4 if i in (1, 6) else 3.7, "run_periods": 3,
                                "earliest": 18, "latest": 23}]
    prosumers.append(p)

community = {
    "name": "demo-10",
    "provenance": [
        "Demo community bundled with PeerGrid (Datasets/demo/, made by scripts/make_demo_community.py).",
        "Household loads are derived from the real Taylor (2003) England and Wales national demand series (half-hourly, June-August 2000): normalized by its peak, shifted by up to one hour, scaled to a household size (1.6-4.2 kW) and multiplied by seeded AR(1) noise. They are not real household meters.",
        "PV is derived from real NREL TMY3 irradiance (Greensboro NC, global horizontal, same month and day, each hour held for both half-hours) times the household's PV size (0-8 kWp), a performance ratio 0.8 and an orientation factor 0.9-1.0.",
        "Tariffs, batteries, EVs, limits, shared storage and storage pricing caps are illustrative settings, not measurements.",
    ],
    "start": "2000-08-27T00:00:00Z",
    "period_minutes": 60,
    "periods": 24,
    "grid": {"import_price": imp, "export_price": [0.05] * 24, "import_limit_kw": 45.0, "export_limit_kw": 45.0},
    "p2p": {"enabled": True, "fee_per_kwh": 0.01},
    "shared_storage": {"capacity_kwh": 60.0, "power_kw": 15.0, "charge_efficiency": 0.95, "discharge_efficiency": 0.95,
                       "initial_soc": 0.5, "min_soc": 0.1, "max_soc": 0.95, "final_min_soc": 0.5,
                       "degradation_cost_per_kwh": 0.01},
    "pricing": {"mode": "personalized", "max_charge_price": 0.2, "max_discharge_price": 0.2,
                "operator_cost_per_kwh": 0.005, "partitions": "equal"},
    "prosumers": prosumers,
}
with open("Datasets/demo/community.json", "w") as f:
    json.dump(community, f, indent=1)
    f.write("\n")
print("wrote Datasets/demo/history.csv and Datasets/demo/community.json")
