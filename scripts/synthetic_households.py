"""Shared by scripts/make_demo_community.py and scripts/make_case_study_community.py: synthetic households derived
from the real series in Datasets/ (see Datasets/README.md), the history CSV and the community file's common parts.
Run from the repository root."""
import csv, json

TAYLOR = "Datasets/taylor_england_wales_halfhourly_2000.csv"
TMY3 = "Datasets/tmy3_greensboro_nc_hourly.csv"


def read_series():
    """(taylor rows as (timestamp, MW), national demand divided by its peak, GHI by (month, day, hour) of TMY3)."""
    taylor = [(r["timestamp"], float(r["demand_mw"])) for r in csv.DictReader(open(TAYLOR))]
    ghi = {}
    for r in csv.DictReader(open(TMY3)):  # key: (month, day, hour) of the TMY3 local standard time stamp
        ts = r["timestamp"]
        ghi[(int(ts[5:7]), int(ts[8:10]), int(ts[11:13]))] = float(r["ghi_wm2"])
    peak = max(v for _, v in taylor)
    return taylor, [v / peak for _, v in taylor], ghi


def household_columns(home, taylor, national, ghi, rnd):
    """Load: national shape shifted and scaled, times (1 + AR(1) noise), floored at 0.05 kW. PV: GHI of the same
    month, day and hour times kWp / 1000, a performance ratio 0.8 and the orientation factor."""
    T = len(taylor)
    e, load = 0.0, []
    for t in range(T):
        e = 0.7 * e + rnd.gauss(0, 0.08)
        load.append(max(0.05, home["scale"] * national[(t + home["shift"]) % T] * (1 + e)))
    pv = [home["pv_kwp"] * ghi[(int(ts[5:7]), int(ts[8:10]), int(ts[11:13]))] / 1000 * 0.8 * home["orientation"]
          for ts, _ in taylor]
    return load, pv


def write_history(path, taylor, columns):
    with open(path, "w", newline="") as f:
        names = list(columns)
        f.write("timestamp," + ",".join(names) + "\n")
        for t, (ts, _) in enumerate(taylor):
            f.write(ts + "," + ",".join(f"{columns[n][t]:.3f}" for n in names) + "\n")


def storage(capacity_kwh, power_kw, degradation):
    return {"capacity_kwh": capacity_kwh, "power_kw": power_kw, "charge_efficiency": 0.95, "discharge_efficiency": 0.95,
            "initial_soc": 0.5, "min_soc": 0.1, "max_soc": 0.95, "final_min_soc": 0.5,
            "degradation_cost_per_kwh": degradation}


def community(name, provenance, import_price, export_price, limit_kw, shared_storage, prosumers):
    """A one-day hourly community on 2000-08-27 with a 0.01 pool fee and personalized storage pricing."""
    return {
        "name": name,
        "provenance": provenance,
        "start": "2000-08-27T00:00:00Z",
        "period_minutes": 60,
        "periods": 24,
        "grid": {"import_price": import_price, "export_price": [export_price] * 24, "import_limit_kw": limit_kw,
                 "export_limit_kw": limit_kw},
        "p2p": {"enabled": True, "fee_per_kwh": 0.01},
        "shared_storage": shared_storage,
        "pricing": {"mode": "personalized", "max_charge_price": 0.2, "max_discharge_price": 0.2,
                    "operator_cost_per_kwh": 0.005, "partitions": "equal"},
        "prosumers": prosumers,
    }


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
