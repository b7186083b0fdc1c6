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
import csv, json, random

rnd = random.Random(2016)
taylor = [(r["timestamp"], float(r["demand_mw"])) for r in csv.DictReader(open("Datasets/taylor_england_wales_halfhourly_2000.csv"))]
ghi = {}
for r in csv.DictReader(open("Datasets/tmy3_greensboro_nc_hourly.csv")):
    ts = r["timestamp"]
    ghi[(int(ts[5:7]), int(ts[8:10]), int(ts[11:13]))] = float(r["ghi_wm2"])
peak = max(v for _, v in taylor)
national = [v / peak for _, v in taylor]
T = len(taylor)

N, N_PV = 50, 16                      # about 50 homes, a minority (16, 32 %) with rooftop PV
pv_homes = set(rnd.sample(range(N), N_PV))
homes = []
for i in range(N):
    homes.append({"id": f"b{i + 1:02d}", "scale": round(rnd.uniform(1.2, 3.8), 2), "shift": rnd.randint(-2, 2),
                  "pv_kwp": round(rnd.uniform(3, 9), 1) if i in pv_homes else 0,
                  "orientation": round(rnd.uniform(0.85, 1.0), 3)})

columns = {}
for h in homes:
    e, load = 0.0, []
    for t in range(T):
        e = 0.7 * e + rnd.gauss(0, 0.08)
        load.append(max(0.05, h["scale"] * national[(t + h["shift"]) % T] * (1 + e)))
    columns[f"{h['id']}_load_kw"] = load
    columns[f"{h['id']}_pv_kw"] = [h["pv_kwp"] * ghi[(int(ts[5:7]), int(ts[8:10]), int(ts[11:13]))] / 1000 * 0.8 * h["orientation"]
                                   for ts, _ in taylor]   # all zero for the homes without PV

with open("Datasets/case-study/history.csv", "w", newline="") as f:
    names = list(columns)
    f.write("timestamp," + ",".join(names) + "\n")
    for t, (ts, _) in enumerate(taylor):
        f.write(ts + "," + ",".join(f"{columns[n][t]:.3f}" for n in names) + "\n")

imp = [0.14 if h < 7 else (0.32 if 16 <= h < 21 else 0.22) for h in range(24)]   # time-of-use, currency per kWh
prosumers = []
for h in homes:
    p = {"id": h["id"], "connection_kw": 12.0, "load_kw": {"csv": "history.csv", "column": f"{h['id']}_load_kw"}}
    p["pv_kw"] = {"csv": "history.csv", "column": f"{h['id']}_pv_kw"}
    prosumers.append(p)

community = {
    "name": "brooklyn-style-50",
    "provenance": [
        "Case-study community bundled with PeerGrid (Datasets/case-study/, made by scripts/make_case_study_community.py): a Brooklyn-Microgrid-style neighbourhood of 50 homes, 16 with rooftop PV, and a community battery.",
        "Household loads are derived from the real Taylor (2003) England and Wales national demand series (normalized, shifted, scaled to 1.2-3.8 kW, seeded AR(1) noise); PV from real NREL TMY3 irradiance (Greensboro NC) times 3-9 kWp. They are not real meters of Brooklyn homes.",
        "Tariffs, the battery and the limits are illustrative settings, not measurements.",
    ],
    "start": "2000-08-27T00:00:00Z",
    "period_minutes": 60,
    "periods": 24,
    "grid": {"import_price": imp, "export_price": [0.04] * 24, "import_limit_kw": 150.0, "export_limit_kw": 150.0},
    "p2p": {"enabled": True, "fee_per_kwh": 0.01},
    "shared_storage": {"capacity_kwh": 100.0, "power_kw": 25.0, "charge_efficiency": 0.95, "discharge_efficiency": 0.95,
                       "initial_soc": 0.5, "min_soc": 0.1, "max_soc": 0.95, "final_min_soc": 0.5,
                       "degradation_cost_per_kwh": 0.01},
    "pricing": {"mode": "personalized", "max_charge_price": 0.2, "max_discharge_price": 0.2,
                "operator_cost_per_kwh": 0.005, "partitions": "equal"},
    "prosumers": prosumers,
}
with open("Datasets/case-study/community.json", "w") as f:
    json.dump(community, f, indent=1)
    f.write("\n")
print(f"wrote Datasets/case-study/history.csv and community.json: {N} homes, {N_PV} with PV")
