#!/usr/bin/env python3
"""Seeded sweep of generated communities through `peergrid price` (CBC, GLPK), checked by an independent solve.

Each case is a `Benchmarks/tools/community.py make` instance (2-8 prosumers, 24 x 60, 48 x 30 or 96 x 15 minutes)
with a `pricing` section drawn at random (personalized, or uniform for the small ones; the price caps, the
operator's cost, equal or unequal partitions, some prosumers without one) and at most one variation the generator
does not make (negative export prices in some periods (pricing refuses negative import prices), export price equal to import price, a lossless storage, an
empty or full storage at the start, an operator cost above the price caps). For every answer it checks, with its
own follower LPs solved by SciPy's HiGHS (none of PeerGrid's code):

- the profit: every prosumer re-solved at the prices of `prices.csv`, its leader-best optimal answer taken (the
  spec's optimistic convention), the operator's revenue less its cost recomputed;
- the bills with and without the storage of `pricing.json`;
- optimality where PeerGrid says "optimal": no price vector near the answer (each period's price moved up or down,
  one at a time, and the whole path scaled) and none of a few random ones earns more than the reported bound;
- CBC and GLPK's profits agree within their gaps, and `peergrid price --prices` gives the recomputed profit.

    python3 scripts/pricing-sweep.py --seed 5 --cases 30 --work /tmp/pricing-sweep

Needs the release build (`swift build -c release`) and SciPy (Debian: python3-scipy). Exit 1 when a check fails.
"""
import csv
import importlib.util
import json
import os
import random
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("schedule_sweep", os.path.join(ROOT, "scripts", "schedule-sweep.py"))
schedule_sweep = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(schedule_sweep)
PEERGRID = schedule_sweep.PEERGRID
VARIATIONS = ["none", "negative-export", "equal-prices", "lossless", "empty-start", "full-start", "costly-operator"]


def add_pricing(path, rng, kind, mode):
    """Adds a random pricing section and the variation `kind` to the community file at `path`."""
    d = json.load(open(path))
    T, g, s = d["periods"], d["grid"], d["shared_storage"]
    top = max(g["import_price"])
    pricing = {"mode": mode, "max_charge_price": round(rng.choice([0.02, 0.1, 0.2, 0.5]) * top / 0.3, 3),
               "max_discharge_price": round(rng.choice([0.02, 0.1, 0.2, 0.5]) * top / 0.3, 3),
               "operator_cost_per_kwh": rng.choice([0.0, 0.005, 0.02]), "partitions": "equal"}
    if rng.random() < 0.5:  # unequal partitions, one prosumer (of three or more) without one
        ids = [p["id"] for p in d["prosumers"]]
        left = [] if len(ids) < 3 else [rng.choice(ids)]
        shares = [rng.random() for _ in ids]
        total = sum(shares)
        pricing["partitions"] = {i: {"capacity_kwh": round(s["capacity_kwh"] * w / total * 0.95, 2),
                                     "power_kw": round(s["power_kw"] * w / total * 0.95, 2)}
                                 for i, w in zip(ids, shares) if i not in left}
    if kind == "negative-export":
        for t in range(T):
            if rng.random() < 0.3:
                g["export_price"][t] = -0.05
    elif kind == "equal-prices":
        g["export_price"] = list(g["import_price"])
    elif kind == "lossless":
        s.update(charge_efficiency=1.0, discharge_efficiency=1.0)
    elif kind == "empty-start":
        s.update(initial_soc=s["min_soc"], final_min_soc=s["min_soc"])
    elif kind == "full-start":
        s.update(initial_soc=s["max_soc"])
    elif kind == "costly-operator":
        pricing["operator_cost_per_kwh"] = round(1.5 * max(pricing["max_charge_price"], pricing["max_discharge_price"]), 4)
    d["pricing"] = pricing
    json.dump(d, open(path, "w"))
    return d


def partition(d, pid):
    s, parts = d["shared_storage"], d["pricing"]["partitions"]
    if parts == "equal":
        n = len(d["prosumers"])
        return s["capacity_kwh"] / n, s["power_kw"] / n
    p = parts.get(pid)
    return (p["capacity_kwh"], p["power_kw"]) if p else (0.0, 0.0)


def follower(d, p, pc, pd, cap, power):
    """Prosumer p's answer to prices (pc, pd) with a partition (cap, power), as spec/pricing.md states it: the
    least bill, then among the answers within 1e-7 of it the one that pays the operator most.
    Returns (bill, charged kWh, discharged kWh, operator's revenue less cost)."""
    T, dt, g, s = d["periods"], d["period_minutes"] / 60.0, d["grid"], d["shared_storage"]
    k = d["pricing"]["operator_cost_per_kwh"]
    # columns per period: gi, ge, cu, c, dis, e
    n = 6 * T
    col = lambda t, j: 6 * t + j
    a_eq, b_eq = lil_matrix((2 * T, n)), np.zeros(2 * T)
    bounds = []
    for t in range(T):
        pv, load = p["pv_kw"][t], p["load_kw"][t]
        conn = p["connection_kw"]
        bounds += [(0, conn), (0, conn), (0, pv), (0, power), (0, power),
                   (s["min_soc"] * cap, s["max_soc"] * cap if t < T - 1 else s["max_soc"] * cap)]
        # pv - cu + gi + dis - ge - c = load
        a_eq[2 * t, col(t, 0)], a_eq[2 * t, col(t, 1)], a_eq[2 * t, col(t, 2)] = 1, -1, -1
        a_eq[2 * t, col(t, 3)], a_eq[2 * t, col(t, 4)] = -1, 1
        b_eq[2 * t] = load - pv
        # e_t - e_{t-1} - dt*(eta_c c - dis/eta_d) = 0
        a_eq[2 * t + 1, col(t, 5)] = 1
        a_eq[2 * t + 1, col(t, 3)] = -dt * s["charge_efficiency"]
        a_eq[2 * t + 1, col(t, 4)] = dt / s["discharge_efficiency"]
        if t > 0:
            a_eq[2 * t + 1, col(t - 1, 5)] = -1
        else:
            b_eq[1] = s["initial_soc"] * cap
    lo, hi = bounds[col(T - 1, 5)]
    bounds[col(T - 1, 5)] = (max(lo, s["final_min_soc"] * cap), hi)
    bill = np.zeros(n)
    revenue = np.zeros(n)
    for t in range(T):
        bill[col(t, 0)], bill[col(t, 1)] = dt * g["import_price"][t], -dt * g["export_price"][t]
        bill[col(t, 3)], bill[col(t, 4)] = dt * pc[t], dt * pd[t]
        revenue[col(t, 3)], revenue[col(t, 4)] = dt * (pc[t] - k), dt * (pd[t] - k)
    a_eq = a_eq.tocsr()
    first = linprog(bill, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if first.status != 0:
        raise RuntimeError(f"follower {p['id']}: {first.message}")
    best = first.fun
    second = linprog(-revenue, A_ub=bill.reshape(1, -1), b_ub=[best + 1e-7 * max(1.0, abs(best))], A_eq=a_eq,
                     b_eq=b_eq, bounds=bounds, method="highs")
    x = second.x if second.status == 0 else first.x
    charged = dt * sum(x[col(t, 3)] for t in range(T))
    discharged = dt * sum(x[col(t, 4)] for t in range(T))
    return float(bill @ x), charged, discharged, float(revenue @ x)


def read_prices(path, d):
    """prices.csv as {prosumer id: (charge path, discharge path)}; a uniform file's one path for every prosumer."""
    T = d["periods"]
    paths = {}
    for r in csv.DictReader(open(path)):
        pid = r.get("prosumer", "")
        pc, pd = paths.setdefault(pid, ([0.0] * T, [0.0] * T))
        pc[int(r["period"])], pd[int(r["period"])] = float(r["charge_price"]), float(r["discharge_price"])
    if "" in paths:
        return {p["id"]: paths[""] for p in d["prosumers"]}
    return paths


def profit_at(d, paths, ids=None):
    """The operator's profit when the prosumers in `ids` (all by default) answer `paths`."""
    return sum(follower(d, p, *paths[p["id"]], *partition(d, p["id"]))[3] for p in d["prosumers"]
               if ids is None or p["id"] in ids)


def probes(d, pc, pd, rng, count):
    """Price paths near (pc, pd) and a few random ones, all within the caps."""
    T, pr = d["periods"], d["pricing"]
    caps = (pr["max_charge_price"], pr["max_discharge_price"])
    out = []
    for which, path in ((0, pc), (1, pd)):
        for t in range(T):
            for step in (-0.1 * caps[which], 0.1 * caps[which]):
                moved = list(path)
                moved[t] = min(caps[which], max(0.0, moved[t] + step))
                if moved[t] != path[t]:
                    out.append((moved, pd) if which == 0 else (pc, moved))
    for f in (0.9, 0.97, 1.03, 1.1):
        out.append(([min(caps[0], f * v) for v in pc], [min(caps[1], f * v) for v in pd]))
    for _ in range(count):
        out.append(([rng.uniform(0, caps[0]) for _ in range(T)], [rng.uniform(0, caps[1]) for _ in range(T)]))
    return out


def run(community, out, extra, limit):
    r, seconds = schedule_sweep.run_peergrid("price", community, out, extra, limit)
    if r.returncode != 0:
        return {"exit": r.returncode, "seconds": seconds, "message": (r.stdout + r.stderr).strip()[-300:]}
    result = json.load(open(os.path.join(out, "pricing.json")))
    result.update(exit=0, seconds=seconds)
    return result


def check_answer(d, name, r, out, rng, label, failures):
    """The independent checks of one solver's answer; returns the recomputed profit."""
    tol = lambda x: 1e-4 * max(1.0, abs(x))
    paths = read_prices(os.path.join(out, "prices.csv"), d)
    recomputed, rows = 0.0, {row["id"]: row for row in r["prosumers"]}
    for p in d["prosumers"]:
        bill, charged, discharged, profit = follower(d, p, *paths[p["id"]], *partition(d, p["id"]))
        alone = follower(d, p, [0.0] * d["periods"], [0.0] * d["periods"], 0.0, 0.0)[0]
        recomputed += profit
        row = rows[p["id"]]
        if abs(bill - row["bill_with_storage"]) > tol(bill):
            failures.append(f"{label}: {name}: {p['id']}'s bill with storage {row['bill_with_storage']:.6f}, "
                            f"recomputed {bill:.6f}")
        if abs(alone - row["bill_without_storage"]) > tol(alone):
            failures.append(f"{label}: {name}: {p['id']}'s bill without storage {row['bill_without_storage']:.6f}, "
                            f"recomputed {alone:.6f}")
    if abs(recomputed - r["profit"]) > tol(recomputed):
        failures.append(f"{label}: {name}: profit {r['profit']:.6f}, recomputed {recomputed:.6f}")
    if not r["check"]["passed"]:
        failures.append(f"{label}: {name}: its own check failed ({r['check']})")
    if r["status"] == "optimal":
        bound = r["best_bound"]
        if d["pricing"]["mode"] == "personalized":
            per = {row["id"]: row["profit"] for row in r["prosumers"]}
            for p in d["prosumers"]:
                pc, pd = paths[p["id"]]
                for qc, qd in probes(d, pc, pd, rng, 3):
                    earned = follower(d, p, qc, qd, *partition(d, p["id"]))[3]
                    if earned > per[p["id"]] + tol(per[p["id"]]) + 1e-4 * max(1.0, abs(bound)):
                        failures.append(f"{label}: {name}: {p['id']} pays {earned:.6f} at other prices, "
                                        f"'optimal' {per[p['id']]:.6f}")
                        break
        else:
            pc, pd = next(iter(paths.values()))
            for qc, qd in probes(d, pc, pd, rng, 3):
                earned = profit_at(d, {p["id"]: (qc, qd) for p in d["prosumers"]})
                if earned > bound + tol(bound):
                    failures.append(f"{label}: {name}: profit {earned:.6f} at other prices, bound {bound:.6f}")
                    break
    return recomputed


def main():
    args, rng = schedule_sweep.sweep_arguments(__doc__.splitlines()[0], 5, "/tmp/peergrid-pricing-sweep")
    failures, stopped = [], []
    for i in range(args.cases):
        n, (periods, minutes) = rng.choice([2, 3, 5, 8]), rng.choice([(24, 60), (48, 30), (96, 15)])
        seed, factor, kind = rng.randint(1, 999), rng.choice([0.6, 1.0, 1.5]), rng.choice(VARIATIONS)
        mode = "uniform" if n <= 3 and periods == 24 and rng.random() < 0.7 else "personalized"
        community = os.path.join(args.work, f"case{i}.json")
        schedule_sweep.make(community, n, periods, minutes, seed, factor)
        d = add_pricing(community, rng, kind, mode)
        parts = "equal" if d["pricing"]["partitions"] == "equal" else f"{len(d['pricing']['partitions'])} partitions"
        label = f"case {i}: {n} x {periods}, seed {seed}, {mode}, {parts}, {kind}"
        runs = {name: run(community, os.path.join(args.work, f"case{i}-{name}"), extra, args.time_limit)
                for name, extra in [("cbc", []), ("glpk", ["--solver", "glpk"])]}
        shown = []
        for name, r in runs.items():
            out = os.path.join(args.work, f"case{i}-{name}")
            if r["exit"] != 0:
                shown.append(f"{name} exit {r['exit']} ({r['seconds']:.1f} s)")
                failures.append(f"{label}: {name} exit {r['exit']}: {r['message']}")
                continue
            # The probes draw from their own generator, so that the cases drawn do not depend on the answers.
            probe_rng = random.Random(f"{args.seed}-{i}-{name}")
            r["recomputed"] = check_answer(d, name, r, out, probe_rng, label, failures)
            gap = "-" if r["gap"] is None else f"{r['gap']:.1e}"
            shown.append(f"{name} {r['status']} {r['profit']:.4f} gap {gap} ({r['seconds']:.1f} s)")
            if r["status"] != "optimal":
                stopped.append(f"{label}: {name} {r['status']}, gap {gap}")
        print(f"{label}: " + "; ".join(shown), flush=True)
        done = [r for r in runs.values() if r["exit"] == 0]
        if len(done) == 2:
            best = max(r["profit"] for r in done)
            for name, r in runs.items():
                if r["status"] == "optimal" and best - r["profit"] > 1.01e-4 * max(1.0, abs(best)):
                    failures.append(f"{label}: {name} 'optimal' at {r['profit']:.6f}, the other found {best:.6f}")
            bounds = [r["best_bound"] for r in done if r["best_bound"] is not None]
            if bounds and best > min(bounds) + 1e-4 * max(1.0, abs(min(bounds))):
                failures.append(f"{label}: a profit {best:.6f} above a bound {min(bounds):.6f}")
            cbc_out = os.path.join(args.work, f"case{i}-cbc")
            evaluated = run(community, cbc_out + "-eval", ["--prices", os.path.join(cbc_out, "prices.csv")],
                            args.time_limit)
            if evaluated["exit"] != 0 or abs(evaluated["profit"] - runs["cbc"]["recomputed"]) > 1e-4 * max(
                    1.0, abs(evaluated["profit"])):
                failures.append(f"{label}: `--prices` gives {evaluated.get('profit', evaluated['exit'])}, "
                                f"recomputed {runs['cbc']['recomputed']:.6f}")
    print()
    print(f"stopped before proving optimality (not a failed check): {len(stopped)}")
    for s in stopped:
        print("  " + s)
    schedule_sweep.report_failures(failures)


if __name__ == "__main__":
    main()
