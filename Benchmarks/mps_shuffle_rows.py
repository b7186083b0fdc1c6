#!/usr/bin/env python3
"""Writes an MPS file with the rows of its ROWS section in a seeded random order (the objective row first, the
columns, right-hand sides and bounds unchanged): the same model, which a solver sees in another order.

    python3 Benchmarks/mps_shuffle_rows.py IN.mps SEED OUT.mps

Used to measure how much CBC's branch and bound time depends on the row order alone (README, `peergrid schedule`,
*Is the binary faster, though?*): `cbc OUT.mps -ratio 1e-4 -threads 1 -solve -quit` with seeds 1 and 2.
"""
import random
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().split("\n\n")[1].strip())
    source, seed, target = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        seed = int(seed)
    except ValueError:
        sys.exit("mps_shuffle_rows.py: SEED must be an integer, got %r" % seed)
    with open(source, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        first = lines.index("ROWS") + 1
    except ValueError:
        sys.exit("%s: no ROWS section (free-format MPS expected)" % source)
    last = first
    while last < len(lines) and lines[last].startswith(" "):
        last += 1
    rows = lines[first:last]
    objective = [r for r in rows if r.split()[0] == "N"]
    others = [r for r in rows if r.split()[0] != "N"]
    random.Random(seed).shuffle(others)
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines[:first] + objective + others + lines[last:]))
    print("%s: %d rows shuffled with seed %d -> %s" % (source, len(others), seed, target))


if __name__ == "__main__":
    main()
