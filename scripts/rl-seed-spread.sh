#!/usr/bin/env bash
# The seed spread behind the README's *How much does the seed matter?* (`peergrid rl`): trains one policy per seed
# for one demo prosumer and prints each one's share of the perfect-foresight savings on the 14 held-out days, then
# the range and the mean. Usage (after `make release`):
#
#   scripts/rl-seed-spread.sh PROSUMER POLICY FIRST LAST [extra rl train options...]
#   scripts/rl-seed-spread.sh h09 dqn 1 15
#   scripts/rl-seed-spread.sh h09 dqn 1 5 --members 5 --also-train-on none
#   scripts/rl-seed-spread.sh h09 qlearning 1 15
#
# `rl train`'s default is --also-train-on auto (three trainings); the README's own-days rows need --also-train-on none.
# About 32 s a seed for the DQN (9 s with --also-train-on none, 45 s with that and --members 5) and 5 s for
# Q-learning, on one core. The DQN's shares depend on OpenBLAS's kernels (README, *Same seed, different CPU*);
# OPENBLAS_CORETYPE picks them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
PROSUMER=$1 POLICY=$2 FIRST=$3 LAST=$4
shift 4
. scripts/rl-common.sh rl-seed-spread
shares=()
for seed in $(seq "$FIRST" "$LAST"); do
    "$BIN" rl train --community "$COMMUNITY" --prosumer "$PROSUMER" --policy "$POLICY" --seed "$seed" "$@" \
        --out "$DIR/p.json" > /dev/null
    share=$("$BIN" rl evaluate --community "$COMMUNITY" --prosumer "$PROSUMER" --policy "$DIR/p.json" --no-mpc |
        awk -v k="$POLICY" '$1 == k { print $3 }')
    echo "$PROSUMER $POLICY seed $seed: share $share"
    shares+=("$share")
done
printf '%s\n' "${shares[@]}" | awk -v p="$PROSUMER" -v k="$POLICY" '
    { s += $1; n += 1; if (n == 1 || $1 < lo) lo = $1; if (n == 1 || $1 > hi) hi = $1 }
    END { printf "%s %s: %d seeds, share %.3f-%.3f, mean %.3f\n", p, k, n, lo, hi, s / n }'
