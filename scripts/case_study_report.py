#!/usr/bin/env python3
"""Writes Reports/case-study/README.md from what scripts/case-study.sh ran (its logs and the commands' own files).
Every number in the report is read from those outputs."""
import json, os, sys

out, community_file, day = sys.argv[1], sys.argv[2], sys.argv[3]
log = lambda name: open(os.path.join(out, "logs", name + ".txt")).read().rstrip()
rc = lambda name: int(open(os.path.join(out, "logs", name + ".rc")).read())
community = json.load(open(community_file))
plan = json.load(open(os.path.join(out, community["name"], day, "summary.json")))
settled = json.load(open(os.path.join(out, "settlement", "summary.json")))
pricing = json.load(open(os.path.join(out, "settlement", "pricing.json")))
import csv
history = csv.DictReader(open(os.path.join(os.path.dirname(community_file), "history.csv")))
pv_total = {}
for row in history:
    for k, v in row.items():
        if k.endswith("_pv_kw"):
            pv_total[k] = pv_total.get(k, 0) + float(v)
pv_homes = sum(1 for v in pv_total.values() if v > 0)
s, m = plan["schedule"], plan["market"]

def block(name, head=None, tail=4):
    lines = log(name).splitlines()
    if head is not None and len(lines) > head + tail + 1:
        lines = lines[:head] + [f"... ({len(lines) - head - tail} lines, all in logs/{name}.txt)"] + lines[-tail:]
    body = "\n".join(lines)
    return f"```\n$ {commands[name]}\n{body}\n(exit {rc(name)})\n```\n"

# The commands as the script ran them, for the reader (paths as in the script).
commands = {
    "day-ahead": f"peergrid day-ahead --community {community_file} --date {day} --model mstl-arima --method agents --market huang --out {out} --ledger {out}/ledger.db --ledger-key operator.key",
    "settle-pool": f"peergrid schedule --community {community_file} --method agents --out {out}/settlement --ledger {out}/ledger.db --ledger-key operator.key --clearing settlement/{day}/pool",
    "settle-storage": f"peergrid price --community {community_file} --out {out}/settlement --ledger {out}/ledger.db --ledger-key storage.key --operator-key operator.key --clearing settlement/{day}/storage",
    "verify": f"peergrid ledger verify --ledger {out}/ledger.db --operator-key {out}/operator.key.pub",
    "replay": f"peergrid ledger replay --ledger {out}/ledger.db --operator-key {out}/operator.key.pub --bills",
    "verify-proof-entry": f"peergrid ledger verify-proof --proof {out}/proof-entry-1000.json --operator-key {out}/operator.key.pub",
    "verify-proof-consistency": f"peergrid ledger verify-proof --proof {out}/proof-consistency.json --operator-key {out}/operator.key.pub",
    "sync": f"peergrid ledger sync --from {out}/ledger.db --to {out}/replica.db",
    "verify-tampered": f"peergrid ledger verify --ledger tampered.db --operator-key {out}/operator.key.pub",
    "sync-tampered": f"peergrid ledger sync --from tampered.db --to {out}/replica.db",
    "sync-fork": f"peergrid ledger sync --from {out}/ledger.db --to fork.db",
    "python-verifier": f"python3 Benchmarks/ledger_verify.py verify {out}/ledger.db --proof {out}/proof-entry-1000.json --proof {out}/proof-consistency.json",
}

# Ledger bills of the settlement clearing against the schedule's own (floating-point) bills.
ledger_bills, current = {}, None
for line in log("replay").splitlines():
    if line.startswith("replayed"):
        current = line.split()[1].rstrip(":")
    elif current and line.startswith("          ") and line.split():
        party, amount = line.split()
        ledger_bills.setdefault(current, {})[party] = float(amount)
pool = ledger_bills.get(f"settlement/{day}/pool", {})
rows = []
for pid, bill in list(settled["bills"].items())[:12]:
    rows.append(f"| {pid} | {bill:.6f} | {pool.get(pid, 0):.6f} | {pool.get(pid, 0) - bill:+.6f} |")
max_diff = max(abs(pool.get(pid, 0) - b) for pid, b in settled["bills"].items())

text = f"""# Case study: a Brooklyn-Microgrid-style neighbourhood, end to end

Made by `make case-study` (`scripts/case-study.sh`, then `scripts/case_study_report.py` writes this file from the
commands' outputs; nothing here is typed in by hand). Rerun it to reproduce every number; the keys are made anew,
so signatures and roots differ from run to run, the money does not.

## The neighbourhood
The Brooklyn Microgrid (LO3 Energy, Park Slope and Gowanus, Brooklyn, from 2016) let about 50 homes trade
locally produced solar energy with their neighbours; a minority of them had rooftop PV, and trades were recorded
on a private blockchain (Mengelkamp et al. 2018, *Designing microgrid energy markets: A case study: The Brooklyn
Microgrid*, Applied Energy 210, 870-880). This case study keeps that shape: **{len(community['prosumers'])} homes,
{pv_homes} with rooftop PV**, plus a **{community['shared_storage']['capacity_kwh']:.0f} kWh community battery**
(the issue's addition). The households are synthetic, derived from the real series bundled in `Datasets/`
(`Datasets/case-study/`, made by `scripts/make_case_study_community.py`): loads from the Taylor England and Wales
demand, PV from NREL TMY3 irradiance. They are not Brooklyn meters. Tariffs and sizes are illustrative.

What replaces the blockchain here is an append-only Merkle log with signed entries and signed checkpoints
(RFC 6962, as Certificate Transparency and Sigstore's Rekor do), specified in `docs/ledger-spec.md`.

## 1. The day ahead ({day})
Every home's load and PV for the day are forecast from the eleven weeks before (MSTL + ARIMA per series; total
load MAPE against the day's meter readings **{plan['forecast']['total_load_mape_vs_actual']:.2f} %**). The community
is scheduled on the forecasts (cost **{s['objective']:.2f}** against **{s['standalone_cost']:.2f}** for every home
alone: savings {s['savings']:.2f}), the community battery's operator prices its storage service (personalized
Stackelberg prices, profit {plan['pricing']['profit']:.2f}, check {"passed" if plan['pricing']['check']['passed'] else "FAILED"}),
and a P2P market clears the bids each home derived from its own optimization, with its own data: the market sees
bids only (Huang's auction: {m['bids']} bids, {m['trades']} trades, {m['volume_kwh']:.2f} kWh, welfare
{100 * m['welfare_share']:.1f} % of the optimum). The pool trades, the storage service and the market trades are
appended to the ledger as three clearings, each signed by the community operator.

{block("day-ahead")}
The full day-ahead report: [`{community['name']}/{day}/report.html`]({community['name']}/{day}/report.html).

The pool schedule is cleared in a decentralized way (`--method agents`, README "peergrid clear"): every home's
agent keeps its own load and PV forecast and answers the coordinator's draw and feed prices with its own plan; the
coordinator sees per-period draw and feed only. Day ahead: {s['rounds']} price updates (solver "{s['solver']}"), cost
**{s['objective']:.4f}**, certified lower bound **{s['best_bound']:.4f}** (gap {s['gap']:.2e}). Settlement:
{settled['rounds']} price updates, cost {settled['objective']:.4f}, bound {settled['best_bound']:.4f}
(gap {settled['gap']:.2e}). The market is the part where each home decides alone, on bids.

## 2. Settlement of the metered day
After the day, the community operator re-runs the schedule on the day's metered load and PV and settles the pool
on it, and the storage operator prices and settles its service on the same readings; each signs its own clearing
with its own key (the operator signs the checkpoints).
Metered-day cost **{settled['objective']:.2f}** (stand-alone {settled['standalone_cost']:.2f}); storage operator
profit {pricing['profit']:.2f}.

{block("settle-pool")}
{block("settle-storage", head=8)}
## 3. Anyone can check: verify, replay, proofs
`verify` recomputes every hash and node and checks every signature and checkpoint with the operator's public key:

{block("verify")}
`replay` is the "smart contract": it recomputes every bill from the logged trades and tariffs with settlement
rule 1 (integer Wh and micro-units, `docs/ledger-spec.md`) and requires it to equal the logged bill. Bills of a
clearing add up to exactly zero (the grid, the pool and the storage operator are parties too).

{block("replay", head=14)}
The ledger's bills of the settlement clearing against the schedule's own bills (floating point, which also
counts battery degradation; here no home has a battery, so they differ only by the rounding to whole Wh and
micro-units): largest difference over all {len(settled['bills'])} homes **{max_diff:.6f}**.

| home | schedule bill | ledger bill | difference |
|---|---|---|---|
""" + "\n".join(rows) + f"""

An inclusion proof shows one trade is in the signed log without the log itself; a consistency proof shows the
log only grew between two signed checkpoints:

{block("verify-proof-entry")}
{block("verify-proof-consistency")}
## 4. Replicas, a tampered copy and a fork
{block("sync")}
One bit of the price of entry 1000, changed in a copy behind the ledger's back:

{block("verify-tampered")}
{block("sync-tampered")}
A copy taken after the day-ahead run, to which a different history was appended (a MUDA market clearing instead of
the settlement, signed with the same operator key): its first entries are the operator's, but from there the two
histories differ, so the real ledger is refused as an update of that replica (and the other way round).

{block("sync-fork")}
## 5. The independent verifier
`Benchmarks/ledger_verify.py`, written from `docs/ledger-spec.md` alone (Python's `hashlib`, `sqlite3` and
`cryptography`), recomputes the tree heads, checks every signature, the proofs and the settlement rule:

{block("python-verifier")}
Files: `ledger.db` (the ledger), `replica.db`, `operator.key.pub`, `storage.key.pub`, the proofs, `settlement/`
(schedule and pricing of the metered day), `logs/` (every command's output and exit code).
"""
open(os.path.join(out, "README.md"), "w").write(text)
print(f"wrote {out}/README.md")
