#!/usr/bin/env python3
"""Which integer rules make a community schedule hard to prove optimal: the MILP with each family relaxed.

`peergrid schedule --export M.mps --build-only` writes the first round's model (the meter binaries `*_draws_*`
and the flexible loads' `*_on_*`; battery-direction binaries are added lazily and are not in it). This script
solves, with HiGHS (highspy, in Benchmarks/.venv; an independent solver, not PeerGrid's), the LP relaxation, the
MILP with only the meter binaries relaxed, the MILP with only the flexible loads relaxed, and the whole MILP, each
to a relative gap of 1e-4 with one thread. A family whose relaxation leaves the LP bound unchanged is not where
the integrality gap is; the other one is. With a period K, it also keeps the meter binaries integer before period
K only, and from period K only (where in the day the gap is).

    .build/release/peergrid schedule --community Datasets/communities/example-10x96.json --out /tmp/x \\
        --export /tmp/x/model.mps --build-only
    Benchmarks/.venv/bin/python Benchmarks/schedule_gap_sources.py /tmp/x/model.mps [K]
"""
import sys
import time

import highspy


def solve(path, relax, gap=1e-4, limit=300.0):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("threads", 1)
    lp = h.getLp()
    relaxed = 0
    for j in range(lp.num_col_):
        if lp.integrality_ and lp.integrality_[j] != highspy.HighsVarType.kContinuous and relax(h.getColName(j)[1]):
            h.changeColIntegrality(j, highspy.HighsVarType.kContinuous)
            relaxed += 1
    start = time.time()
    h.run()
    seconds = time.time() - start
    info = h.getInfo()
    bound = info.mip_dual_bound if relaxed < sum(1 for k in lp.integrality_ if k != highspy.HighsVarType.kContinuous) else info.objective_function_value
    return relaxed, h.modelStatusToString(h.getModelStatus()), info.objective_function_value, bound, seconds


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    path = sys.argv[1]
    split = int(sys.argv[2]) if len(sys.argv) == 3 else None

    def period(name):
        return int(name.rsplit("_", 1)[1])
    cases = [
        ("LP relaxation (every binary relaxed)", lambda name: True),
        ("meter binaries relaxed, flexible loads integer", lambda name: "_draws_" in name),
        ("flexible loads relaxed, meter binaries integer", lambda name: "_on_" in name),
        ("the whole MILP", lambda name: False),
    ]
    if split is not None:
        cases += [
            (f"meter binaries integer before period {split} only", lambda name: not ("_draws_" in name and period(name) < split)),
            (f"meter binaries integer from period {split} only", lambda name: not ("_draws_" in name and period(name) >= split)),
        ]
    print(f"{'case':50} {'relaxed':>7} {'status':>8} {'objective':>12} {'bound':>12} {'seconds':>8}")
    for label, relax in cases:
        relaxed, status, objective, bound, seconds = solve(path, relax)
        print(f"{label:50} {relaxed:7d} {status:>8} {objective:12.6f} {bound:12.6f} {seconds:8.1f}")


if __name__ == "__main__":
    main()
