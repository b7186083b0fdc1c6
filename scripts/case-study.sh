#!/usr/bin/env bash
# `make case-study`: a Brooklyn-Microgrid-style neighbourhood end to end (README, "Case study"). Day-ahead
# forecasts and plan with a P2P market, ex-post settlement on the metered day, a signed ledger of every trade and
# bill, replay of the settlement rule, proofs, a replica, a tampered copy and a fork, and the independent Python
# verifier. Writes Reports/case-study/ (README.md is the report). Keys are made anew in .build/case-study-keys/
# (private keys never go into Reports/).
set -euo pipefail
cd "$(dirname "$0")/.."
P=.build/release/peergrid
OUT=Reports/case-study
KEYS=.build/case-study-keys
COMMUNITY=Datasets/case-study/community.json
DAY=2000-08-27
rm -rf "$OUT" "$KEYS"
mkdir -p "$OUT/logs" "$KEYS"
run() {  # run NAME CMD...: print, run, keep the output in logs/NAME.txt; the exit code in logs/NAME.rc
  local name=$1; shift
  echo "== $*"
  set +e
  "$@" >"$OUT/logs/$name.txt" 2>&1
  local rc=$?
  set -e
  echo "$rc" >"$OUT/logs/$name.rc"
  sed 's/^/   /' "$OUT/logs/$name.txt" | tail -n 12
  echo "   (exit $rc)"
}

run keygen-operator $P ledger keygen --party community-operator --out $KEYS/operator.key
run keygen-storage $P ledger keygen --party storage-operator --out $KEYS/storage.key
cp $KEYS/operator.key.pub $KEYS/storage.key.pub "$OUT/"

# 1. Day-ahead: forecasts from the eleven weeks before, the community plan, storage prices, a Huang P2P market on
#    the bids every home derives from its own plan; every money flow goes to the ledger, signed by the operator.
run day-ahead $P day-ahead --community $COMMUNITY --date $DAY --model mstl-arima --method agents --market huang --out "$OUT" \
    --ledger "$OUT/ledger.db" --ledger-key $KEYS/operator.key
cp "$OUT/ledger.db" "$OUT/fork.db"        # a copy taken now becomes a fork below
# 2. Ex-post settlement on the metered day: the operator settles the pool, the storage operator its own service.
run settle-pool $P schedule --community $COMMUNITY --method agents --out "$OUT/settlement" --ledger "$OUT/ledger.db" \
    --ledger-key $KEYS/operator.key --clearing settlement/$DAY/pool
run settle-storage $P price --community $COMMUNITY --out "$OUT/settlement" --ledger "$OUT/ledger.db" \
    --ledger-key $KEYS/storage.key --operator-key $KEYS/operator.key --clearing settlement/$DAY/storage
# 3. Anyone with the operator's public key: verify, replay, proofs.
run verify $P ledger verify --ledger "$OUT/ledger.db" --operator-key "$OUT/operator.key.pub"
run replay $P ledger replay --ledger "$OUT/ledger.db" --operator-key "$OUT/operator.key.pub" --bills
run prove-entry $P ledger prove --ledger "$OUT/ledger.db" --entry 1000 --out "$OUT/proof-entry-1000.json"
run verify-proof-entry $P ledger verify-proof --proof "$OUT/proof-entry-1000.json" --operator-key "$OUT/operator.key.pub"
FIRST=$(sqlite3 "$OUT/ledger.db" "SELECT MIN(size) FROM ledger_checkpoint" 2>/dev/null || python3 -c "import sqlite3;print(sqlite3.connect('$OUT/ledger.db').execute('SELECT MIN(size) FROM ledger_checkpoint').fetchone()[0])")
run prove-consistency $P ledger prove --ledger "$OUT/ledger.db" --from "$FIRST" --out "$OUT/proof-consistency.json"
run verify-proof-consistency $P ledger verify-proof --proof "$OUT/proof-consistency.json" --operator-key "$OUT/operator.key.pub"
# 4. A second replica, then a tampered copy and a fork.
run sync $P ledger sync --from "$OUT/ledger.db" --to "$OUT/replica.db"
cp "$OUT/ledger.db" "$OUT/tampered.db"
python3 - "$OUT/tampered.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
body = bytearray(db.execute("SELECT body FROM ledger_entry WHERE idx = 1000").fetchone()[0])
body[-1] ^= 0x01                      # one bit of the price of trade 1000
db.execute("UPDATE ledger_entry SET body = ? WHERE idx = 1000", (bytes(body),))
db.commit()
PY
run verify-tampered $P ledger verify --ledger "$OUT/tampered.db" --operator-key "$OUT/operator.key.pub"
run sync-tampered $P ledger sync --from "$OUT/tampered.db" --to "$OUT/replica.db"
run fork-append $P market clear --community $COMMUNITY --mechanism muda --out "$OUT/fork-market" --ledger "$OUT/fork.db" \
    --ledger-key $KEYS/operator.key --clearing rewritten-history
run sync-fork $P ledger sync --from "$OUT/ledger.db" --to "$OUT/fork.db"
# 5. The independent verifier (Python: hashlib, sqlite3, cryptography), written from docs/ledger-spec.md.
run python-verifier python3 Benchmarks/ledger_verify.py verify "$OUT/ledger.db" --proof "$OUT/proof-entry-1000.json" \
    --proof "$OUT/proof-consistency.json"
rm -f "$OUT/fork.db" "$OUT/tampered.db" "$OUT"/peergrid.sqlite*
# Fold the write-ahead logs into the database files that stay in Reports/ (a checkpoint, not a deletion).
python3 -c "import sqlite3,sys; [sqlite3.connect(p).execute('PRAGMA journal_mode=DELETE').fetchall() for p in sys.argv[1:]]" \
    "$OUT/ledger.db" "$OUT/replica.db"
python3 scripts/case_study_report.py "$OUT" "$COMMUNITY" "$DAY"
echo
echo "Report: $OUT/README.md (day-ahead report: $OUT/brooklyn-style-50/$DAY/report.html)"
