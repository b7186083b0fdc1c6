"""Solves an exported pricing MILP (`peergrid price --export FILE.mps`) with HiGHS, as a reference for how hard
the KKT model is beyond CBC and GLPK: one thread, relative gap 1e-4, a time limit. Prints one JSON object:
status, incumbent, bound, gap, seconds and the incumbent's charge and discharge prices (uniform models).

    Benchmarks/.venv/bin/python Benchmarks/highs_pricing.py MODEL.mps [--time-limit 60]
"""
import argparse
import json
import sys
import time

import highspy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.setOptionValue("time_limit", args.time_limit)
    if h.readModel(args.model) != highspy.HighsStatus.kOk:
        print(f"{args.model}: HiGHS cannot read the model", file=sys.stderr)
        return 2
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    info = h.getInfo()
    lp = h.getLp()
    names = list(lp.col_names_)
    values = list(h.getSolution().col_value) if info.primal_solution_status >= 1 else []
    if len(values) != len(names):  # no incumbent (HiGHS may still report a status or a short vector)
        values = []

    def prices(prefix: str) -> list:
        if not values:
            return []
        found = [(int(n[len(prefix):]), values[j]) for j, n in enumerate(names)
                 if n.startswith(prefix) and n[len(prefix):].isdigit()]
        return [round(v, 6) for _, v in sorted(found)]

    print(json.dumps({
        "model": args.model, "solver": "highs " + h.version(),
        "status": h.modelStatusToString(h.getModelStatus()), "incumbent": info.objective_function_value if values else None,
        "bound": info.mip_dual_bound, "gap": info.mip_gap if values else None, "seconds": round(seconds, 2),
        "time_limit": args.time_limit, "charge_price": prices("charge_price_"), "discharge_price": prices("discharge_price_"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
