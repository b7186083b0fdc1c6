#!/usr/bin/env bash
# The validation fold behind docs/rl-experiments.md (*The DQN's settings on a validation fold*, *Training on the
# other homes' days*): for one demo prosumer and seed, trains a DQN on the 35 days before the last 28 and prints
# its share of the perfect-foresight savings on the 14 days after them (the costs of `rl evaluate --test-days 28`
# minus those of `--test-days 14`); then trains on all days before the held-out fortnight and prints the share
# there. Extra options go to both `rl train` runs; POLICY=qlearning scores Q-learning instead. Usage (after
# `make release`):
#
#   scripts/rl-validation.sh PROSUMER SEED [extra rl train options...]
#   scripts/rl-validation.sh h09 1
#   scripts/rl-validation.sh h09 1 --also-train-on all
#   scripts/rl-validation.sh h09 1 --also-train-on none     (own days: `rl train`'s default is auto)
#   POLICY=qlearning scripts/rl-validation.sh h09 1
#
# About 25 s a run on one core with --also-train-on none, about 80 s with auto (Q-learning: about 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
P=$1 S=$2 POLICY=${POLICY:-dqn}
shift 2
. scripts/rl-common.sh rl-validation
C=$COMMUNITY
"$BIN" rl train --community $C --prosumer "$P" --policy "$POLICY" --seed "$S" --test-days 28 --train-days 35 --out "$DIR/v.json" "$@" > /dev/null
"$BIN" rl train --community $C --prosumer "$P" --policy "$POLICY" --seed "$S" --out "$DIR/h.json" "$@" > /dev/null
e28=$("$BIN" rl evaluate --community $C --prosumer "$P" --policy "$DIR/v.json" --no-mpc --test-days 28)
e14=$("$BIN" rl evaluate --community $C --prosumer "$P" --policy "$DIR/v.json" --no-mpc --test-days 14)
held=$("$BIN" rl evaluate --community $C --prosumer "$P" --policy "$DIR/h.json" --no-mpc --test-days 14 | awk -v k="$POLICY" '$1 == k { print $3 }')
python3 - "$e28" "$e14" "$held" "$P" "$S" "$POLICY" <<'PY'
import sys
def costs(text):
    return {l.split()[0]: float(l.split()[1]) for l in text.splitlines()
            if l.split() and l.split()[0] in ("no-battery", "perfect-foresight", sys.argv[6])}
a, b = costs(sys.argv[1]), costs(sys.argv[2])
d = {k: a[k] - b[k] for k in a}
share = (d["no-battery"] - d[sys.argv[6]]) / (d["no-battery"] - d["perfect-foresight"])
print("%s seed %s: validation %.3f, held out %s" % (sys.argv[4], sys.argv[5], share, sys.argv[3]))
PY
