#!/usr/bin/env bash
# The experiment of docs/rl-experiments.md, *The own-days and pooled networks together*: for one demo prosumer and
# seed, trains a DQN on the own days (`--also-train-on none`) and one with the other homes' days (`all`), joins
# the two networks into one policy file of two members (their action values summed, as `--members 2` would), and
# prints each policy's share of the perfect-foresight savings on the validation fortnight (trained on the 35 days
# before the last 28, scored on the 14 after them) and on the held-out fortnight (trained on all days before it).
# With HELD_OUT_ONLY=1 it skips the validation fold; with POLICY=qlearning it joins two Q-tables (summed). Usage:
#
#   scripts/rl-own-and-pooled.sh h09 1
#   HELD_OUT_ONLY=1 scripts/rl-own-and-pooled.sh h09 6
#   POLICY=qlearning scripts/rl-own-and-pooled.sh h09 1
#
# After `make release`. About 30 s a run on one core for the DQN (20 s held out only), 10 s for Q-learning.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
P=$1 S=$2 POLICY=${POLICY:-dqn}
. scripts/rl-common.sh rl-own-and-pooled
folds=(h)
[ -n "${HELD_OUT_ONLY:-}" ] || folds=(v h)
for f in "${folds[@]}"; do
    window=()
    [ "$f" = h ] || window=(--test-days 28 --train-days 35)
    for m in none all; do
        "$BIN" rl train --community "$COMMUNITY" --prosumer "$P" --policy "$POLICY" --seed "$S" "${window[@]}" \
            --also-train-on $m --out "$DIR/$f-$m.json" > /dev/null
    done
    python3 - "$DIR/$f-none.json" "$DIR/$f-all.json" "$DIR/$f-both.json" <<'PY'
import json, sys
own, pooled = (json.load(open(p)) for p in sys.argv[1:3])
if "members" in own:
    own["members"] = own["members"] + pooled["members"]
else:
    own["table"] = [a + b for a, b in zip(own["table"], pooled["table"])]
json.dump(own, open(sys.argv[3], "w"))
PY
done
evaluate() { # fold, held-out days
    "$BIN" rl evaluate --community "$COMMUNITY" --prosumer "$P" --no-mpc --test-days "$2" \
        --policy "$DIR/$1-none.json" --policy "$DIR/$1-all.json" --policy "$DIR/$1-both.json"
}
evaluate h 14 > "$DIR/held.txt"
if [ -z "${HELD_OUT_ONLY:-}" ]; then
    evaluate v 28 > "$DIR/v28.txt"
    evaluate v 14 > "$DIR/v14.txt"
fi
python3 - "$DIR" "$P" "$S" "$POLICY" <<'PY'
import os, re, sys
d, p, s, kind = sys.argv[1:]
def costs(name):
    out = {}
    for line in open(os.path.join(d, name)):
        t = line.split()
        if t and t[0] in ("no-battery", "perfect-foresight"):
            out[t[0]] = float(t[1])
        elif len(t) > 2 and t[0] == kind and re.search(r"-(none|all|both)\.json$", t[1]):
            out[re.search(r"-(none|all|both)\.json$", t[1]).group(1)] = float(t[2])
    return out
def share(c, k):
    return (c["no-battery"] - c[k]) / (c["no-battery"] - c["perfect-foresight"])
held = costs("held.txt")
cells = []
for k in ("none", "all", "both"):
    cell = "%s: held out %.3f" % (k, share(held, k))
    if os.path.exists(os.path.join(d, "v28.txt")):
        a, b = costs("v28.txt"), costs("v14.txt")
        cell = "%s: validation %.3f, held out %.3f" % (k, share({x: a[x] - b[x] for x in a}, k), share(held, k))
    cells.append(cell)
print("%s %s seed %s: %s" % (p, kind, s, "; ".join(cells)))
PY
