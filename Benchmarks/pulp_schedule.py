#!/usr/bin/env python3
"""Reference for `benchmark schedule`: the community MILP of spec/community.md built with PuLP.

Builds the same formulation as PeerGrid's Optimize/ScheduleModel.swift (same variables, rows and binaries:
tight big-M meter binaries with the convex-hull feed-mode rows, fixed modes where the data decide them, flexible
load binaries, batteries, pool, shared storage, community limits), writes it as MPS the way PuLP hands models to
CBC, and optionally solves it with PuLP's bundled cbc binary.

  pulp_schedule.py COMMUNITY.json [--solve] [--time-limit S] [--gap G]
Prints one JSON object: build_seconds, write_seconds, solve_seconds, status, objective, variables, constraints.
"""
import argparse, json, os, sys, tempfile, time

import pulp


def build(c):
    T = c["periods"]; dt = c["period_minutes"] / 60.0; g = c["grid"]
    pool = c.get("p2p", {}).get("enabled", False); fee = c.get("p2p", {}).get("fee_per_kwh", 0.0)
    prob = pulp.LpProblem("community", pulp.LpMinimize)
    cost = []
    imp_sum = [[] for _ in range(T)]; exp_sum = [[] for _ in range(T)]; pool_bal = [[] for _ in range(T)]
    V = pulp.LpVariable

    def storage(s, name):
        bc = [V(f"{name}_charge_{t}", 0, s["power_kw"]) for t in range(T)]
        bd = [V(f"{name}_discharge_{t}", 0, s["power_kw"]) for t in range(T)]
        cap = s["capacity_kwh"]
        e = [V(f"{name}_soc_{t}", s["min_soc"] * cap, s["max_soc"] * cap) for t in range(T)]
        for t in range(T):
            prev = e[t - 1] if t > 0 else s["initial_soc"] * cap
            prob.addConstraint(e[t] == prev + dt * s["charge_efficiency"] * bc[t] - dt / s["discharge_efficiency"] * bd[t], f"{name}_energy_{t}")
            cost.append(dt * s["degradation_cost_per_kwh"] * (bc[t] + bd[t]))
        prob.addConstraint(e[T - 1] >= max(s["final_min_soc"], s["min_soc"]) * cap, f"{name}_final")
        return bc, bd, e

    for p in c["prosumers"]:
        pid = p["id"]; C = p["connection_kw"]; load = p["load_kw"]; pv = p["pv_kw"]
        gi = [V(f"{pid}_import_{t}", 0, C) for t in range(T)]
        ge = [V(f"{pid}_export_{t}", 0, C) for t in range(T)]
        pb = [V(f"{pid}_pool_buy_{t}", 0, C if pool else 0) for t in range(T)]
        ps = [V(f"{pid}_pool_sell_{t}", 0, C if pool else 0) for t in range(T)]
        cu = [V(f"{pid}_curtail_{t}", 0, pv[t]) for t in range(T)]
        bat = storage(p["battery"], f"{pid}_battery") if p.get("battery") else None
        flex = []
        for k, f in enumerate(p.get("flexible_loads") or []):
            u = {t: V(f"{pid}_{f['id']}_{k}_on_{t}", cat="Binary") for t in range(f["earliest"], f["latest"] + 1)}
            prob += pulp.lpSum(u.values()) == f["run_periods"], f"{pid}_{k}_runs"
            flex.append((f, u))
        P = p["battery"]["power_kw"] if p.get("battery") else 0.0
        for t in range(T):
            active = [(f, u[t]) for f, u in flex if t in u]
            bal = -cu[t] + gi[t] + pb[t] - ge[t] - ps[t] - pulp.lpSum(f["power_kw"] * x for f, x in active)
            if bat: bal += bat[1][t] - bat[0][t]
            prob += bal == load[t] - pv[t], f"{pid}_balance_{t}"
            if pool:
                prob += gi[t] + pb[t] <= C, f"{pid}_draw_{t}"
                prob += ge[t] + ps[t] <= C, f"{pid}_feed_{t}"
            flex_max = sum(f["power_kw"] for f, _ in active)
            draw_max = min(C, load[t] + flex_max + P); feed_max = min(C, pv[t] + P)
            mode_known = bat is None and (flex_max == 0 or pv[t] <= load[t])
            if mode_known:
                if pv[t] > load[t]: gi[t].upBound = 0; pb[t].upBound = 0
                else: ge[t].upBound = 0; ps[t].upBound = 0
            if not (not mode_known and draw_max > 0 and feed_max > 0):
                if draw_max < C: prob += gi[t] + pb[t] <= draw_max, f"{pid}_draw_max_{t}"
                if feed_max < C: prob += ge[t] + ps[t] <= feed_max, f"{pid}_feed_max_{t}"
            else:
                z = V(f"{pid}_draws_{t}", cat="Binary")
                prob += gi[t] + pb[t] - draw_max * z <= 0, f"{pid}_mz1_{t}"
                prob += ge[t] + ps[t] + feed_max * z <= feed_max, f"{pid}_mz2_{t}"
                feed = [ge[t], ps[t]]
                def split(x, bound, coef, label):
                    xf = V(f"{pid}_{label}F_{t}", 0, bound)
                    prob.addConstraint(xf + bound * z <= bound, f"{pid}_{label}F1_{t}")
                    prob.addConstraint(x - xf - bound * z <= 0, f"{pid}_{label}F2_{t}")
                    prob.addConstraint(xf - x <= 0, f"{pid}_{label}F3_{t}")
                    feed.append(coef * xf)
                if pv[t] > 0: split(cu[t], pv[t], 1, "curtail")
                if bat:
                    split(bat[0][t], P, 1, "charge"); split(bat[1][t], P, -1, "discharge")
                for k, (f, x) in enumerate(active):
                    if f["power_kw"] > 0: split(x, 1, f["power_kw"], f"flex{k}")
                prob += pulp.lpSum(feed) + (pv[t] - load[t]) * z == pv[t] - load[t], f"{pid}_feed_mode_{t}"
            cost.append(dt * g["import_price"][t] * gi[t] - dt * g["export_price"][t] * ge[t])
            if pool: cost.append(dt * fee * pb[t])
            imp_sum[t].append(gi[t]); exp_sum[t].append(ge[t])
            if pool: pool_bal[t] += [ps[t], -pb[t]]
    s = c.get("shared_storage")
    if s:
        sc, sd, _ = storage(s, "shared")
        for t in range(T):
            if not pool: sc[t].upBound = 0; sd[t].upBound = 0
            else: pool_bal[t] += [sd[t], -sc[t]]
    for t in range(T):
        if pool: prob += pulp.lpSum(pool_bal[t]) == 0, f"pool_{t}"
        prob += pulp.lpSum(imp_sum[t]) <= g["import_limit_kw"], f"import_limit_{t}"
        prob += pulp.lpSum(exp_sum[t]) <= g["export_limit_kw"], f"export_limit_{t}"
    prob += pulp.lpSum(cost)
    return prob


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("community"); ap.add_argument("--solve", action="store_true")
    ap.add_argument("--time-limit", type=float, default=60); ap.add_argument("--gap", type=float, default=1e-4)
    a = ap.parse_args()
    c = json.load(open(a.community))
    t0 = time.perf_counter(); prob = build(c); t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.mps")
        prob.writeMPS(path); t2 = time.perf_counter()
        out = {"build_seconds": t1 - t0, "write_seconds": t2 - t1, "variables": len(prob.variables()),
               "constraints": len(prob.constraints), "pulp": pulp.__version__}
        if a.solve:
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=a.time_limit, gapRel=a.gap)
            t3 = time.perf_counter(); prob.solve(solver); t4 = time.perf_counter()
            out.update({"solve_seconds": t4 - t3, "status": pulp.LpStatus[prob.status], "objective": pulp.value(prob.objective)})
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
