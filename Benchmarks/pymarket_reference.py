"""pymarket 0.7.6 on PeerGrid's bids, for `benchmark market`: Huang and MUDA, period by period.

Usage: pymarket_reference.py BIDS.csv SPLIT.csv OUT.json [--repeats N]

BIDS.csv is PeerGrid's bid file (bidder,period,side,quantity_kwh,price_per_kwh,divisible); SPLIT.csv
(period,bidder,left) is the MUDA split PeerGrid drew, handed to pymarket through the `r` argument of its `muda`
(pymarket draws `r.rand() > 0.5` once per bid), so both run the same random halves. Writes, per mechanism, each bid's
traded quantity and price (by row of BIDS.csv), MUDA's fees per bidder, and the median clearing time over all periods.
"""
import csv
import json
import sys
import time

import numpy as np
import pymarket as pm
from pymarket.mechanisms.huang_auction import huang_auction
from pymarket.mechanisms.muda_auction import muda


class FixedSplit:
    """Stands in for numpy's RandomState: returns 1.0 for a bid of the left half, 0.0 for the right."""

    def __init__(self, values):
        self.values = iter(values)

    def rand(self):
        return next(self.values)


def main():
    bids_path, split_path, out_path = sys.argv[1:4]
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
    rows = list(csv.DictReader(open(bids_path, encoding="utf-8-sig")))
    left = {(int(r["period"]), r["bidder"]): r["left"] == "1" for r in csv.DictReader(open(split_path))}
    periods = sorted({int(r["period"]) for r in rows})
    markets = []
    for t in periods:
        bm = pm.BidManager()
        users, index, split = {}, [], []
        for i, r in enumerate(rows):
            if int(r["period"]) != t:
                continue
            user = users.setdefault(r["bidder"], len(users))
            bm.add_bid(float(r["quantity_kwh"]), float(r["price_per_kwh"]), user, r["side"] == "buy", t,
                       r["divisible"] == "true")
            index.append(i)
            split.append(1.0 if left[(t, r["bidder"])] else 0.0)
        markets.append((t, bm.get_df(), index, split, {u: name for name, u in users.items()}))

    out = {"pymarket": pm.__version__ if hasattr(pm, "__version__") else "0.7.6"}
    for name in ["huang", "muda"]:
        seconds, results, fees = [], None, None
        for _ in range(repeats):
            results, fees = {}, {}
            start = time.perf_counter()
            for t, df, index, split, names in markets:
                if name == "huang":
                    trans, extra = huang_auction(df)
                else:
                    trans, extra = muda(df, r=FixedSplit(split))
                    for u, f in enumerate(extra["fees"]):
                        if f > 0:
                            fees[names[u]] = fees.get(names[u], 0.0) + float(f)
                tdf = trans.get_df()
                for _, tr in tdf.iterrows():
                    row = index[int(tr["bid"])]
                    q, p = results.get(row, (0.0, None))
                    results[row] = (q + float(tr["quantity"]), float(tr["price"]))
            seconds.append(time.perf_counter() - start)
        out[name] = {
            "seconds": float(np.median(seconds)),
            "bids": {str(k): {"quantity": v[0], "price": v[1]} for k, v in sorted(results.items())},
            "fees": fees,
        }
    json.dump(out, open(out_path, "w"), indent=1)


if __name__ == "__main__":
    main()
