#!/bin/bash
# make slurm-test: the shipped Slurm deploy files, run on a real one-node Slurm cluster on localhost.
# Installs slurmctld, slurmd, the Slurm client and munge when missing (apt; root or sudo), starts munged when it
# is not running, starts slurmctld and slurmd with deploy/slurm/test/slurm.conf.in (state under a temporary
# directory; both stopped afterwards by PID), then checks:
#   1. deploy/slurm/submit.sh on the demo manifest (array of 2 tasks + afterany merge) merges to the same
#      batch.csv as an unsharded run;
#   2. resubmitting one task (--array=1) and the whole array with another size (3 tasks) recompute nothing and
#      record no run twice;
#   3. a manifest with a failing entry: the merge still runs and names the entry;
#   4. deploy/slurm/clear-mpi.sbatch: the clearing on 2 MPI ranks started by srun gives a one-process run's schedule.
# PEERGRID: the binary to test (default: the static release build, `make cluster-binary`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PEERGRID:-$root/.build-static/release/peergrid}
[[ -x "$bin" ]] || { echo "slurm-test: no $bin (make cluster-binary)" >&2; exit 2; }
SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO=sudo
missing=""
for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [[ -n "$missing" ]]; then
  echo "installing:$missing"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# munged: started when no munge daemon answers (as the munge user, as Debian's service does).
if ! munge -n >/dev/null 2>&1; then
  [[ -f /etc/munge/munge.key ]] || $SUDO mungekey --create --keyfile=/etc/munge/munge.key
  $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
  $SUDO chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
  $SUDO chmod 0700 /etc/munge
  $SUDO chmod 0400 /etc/munge/munge.key
  if [[ -z "$SUDO" ]]; then runuser -u munge -- munged || munged --force; else sudo -u munge munged || sudo munged --force; fi
  for _ in $(seq 40); do munge -n >/dev/null 2>&1 && break; sleep 0.5; done
  munge -n >/dev/null 2>&1 || { echo "slurm-test: munged does not answer" >&2; exit 1; }
fi

state=$(mktemp -d /tmp/peergrid-slurm.XXXXXX)
chmod 755 "$state"
mkdir -p "$state/ctld" "$state/spool" "$state/submit"
conf=$state/slurm.conf
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
sed -e "s#@STATE@#$state#g; s#@USER@#$(id -un)#g; s#@CPUS@#$(nproc)#; s#@MEMORY@#$mem#; s#@CTLDPORT@#${SLURM_TEST_PORT:-16817}#; s#@DPORT@#$(( ${SLURM_TEST_PORT:-16817} + 1 ))#" \
  "$root/deploy/slurm/test/slurm.conf.in" > "$conf"
export SLURM_CONF=$conf
stop() {
  for d in slurmd slurmctld; do
    [[ -f "$state/$d.pid" ]] && $SUDO kill "$(cat "$state/$d.pid")" 2>/dev/null || true
  done
  sleep 1
}
fail() {
  echo "slurm-test: FAILED: $*" >&2
  echo "--- logs (state kept in $state)" >&2
  tail -n 20 "$state"/submit/logs/* "$state"/slurmctld.log "$state"/slurmd.log >&2 2>/dev/null || true
  stop
  exit 1
}
trap 'stop' EXIT
$SUDO slurmctld -f "$conf"
$SUDO slurmd -f "$conf"
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %T | grep -q idle || fail "the node did not come up"
echo "slurm-test: one-node cluster up ($(sinfo -h -o '%P %D %T'))"

wait_for() {  # job ids...: until none is queued or running
  for _ in $(seq 900); do
    [[ -z "$(squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null)" ]] && return 0
    sleep 1
  done
  fail "jobs $* did not finish within 15 minutes"
}
manifest=$root/Datasets/demo/manifest.csv
export PEERGRID=$bin PEERGRID_OUT=$state/out PEERGRID_ARGS="--model seasonal-naive --pricing-time-limit 30"
cd "$state/submit"

# 1. The shipped array job and its merge against an unsharded run.
"$root/deploy/slurm/submit.sh" "$manifest" 2
read -r array merge < logs/last-submission
wait_for "$array" "$merge"
grep -q "merged 3 of 3" logs/peergrid-merge-"$merge".out || fail "the merge did not merge 3 of 3"
# shellcheck disable=SC2086
"$bin" batch --manifest "$manifest" --out "$state/reference" --store none --time-limit 300 --pricing-time-limit 120 $PEERGRID_ARGS > "$state/reference.log"
"$bin" batch merge --manifest "$manifest" --out "$state/reference" > /dev/null
cmp "$state/out/batch.csv" "$state/reference/batch.csv" || fail "the merged batch.csv differs from an unsharded run"
cmp "$state/out/batch.html" "$state/reference/batch.html" || fail "the merged batch.html differs from an unsharded run"
runs() { sqlite3 "$state/out/peergrid.sqlite" "select count(*) from run" 2>/dev/null || python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from run').fetchone()[0])" "$state/out/peergrid.sqlite"; }
[[ "$(runs)" == 3 ]] || fail "the merged store has $(runs) runs, not 3"
sed 's/^/  /' logs/peergrid-day-ahead-"$array"_*.out logs/peergrid-merge-"$merge".out
echo "slurm-test: array of 2 + merge: batch.csv and batch.html equal the unsharded run's, 3 runs in the store"

# 2. Resubmitting one task, then the whole array with another size: nothing recomputed, nothing counted twice.
one=$(sbatch --parsable --array=1 --output=logs/resubmit-%A_%a.out "$root/deploy/slurm/day-ahead-array.sbatch" "$manifest")
wait_for "$one"
grep -q ": 0 done, " logs/resubmit-"$one"_1.out || fail "resubmitting task 1 recomputed work: $(tail -n 1 logs/resubmit-"$one"_1.out)"
"$root/deploy/slurm/submit.sh" "$manifest" 3
read -r array merge < logs/last-submission
wait_for "$array" "$merge"
for t in 0 1 2; do
  grep -q ": 0 done, 1 skipped" logs/peergrid-day-ahead-"$array"_"$t".out || fail "task $t of the 3-task array recomputed work"
done
grep -q "0 runs added, 3 there already" logs/peergrid-merge-"$merge".out || fail "the second merge counted runs twice"
[[ "$(runs)" == 3 ]] || fail "the store has $(runs) runs after resubmission, not 3"
echo "slurm-test: resubmitting task 1 and a 3-task array recomputed nothing; still 3 runs"

# 3. A failing entry: its task fails, the merge still runs and names it.
{ cat "$manifest"; echo "$root/Datasets/demo/no-such-community.json,,2000-08-27,"; } > "$state/failing.csv"
sed -i "s#^community.json#$root/Datasets/demo/community.json#" "$state/failing.csv"
PEERGRID_OUT=$state/out-failing "$root/deploy/slurm/submit.sh" "$state/failing.csv" 2
read -r array merge < logs/last-submission
wait_for "$array" "$merge"
grep -q "merged 3 of 4" logs/peergrid-merge-"$merge".out || fail "the merge after a failed task did not run or merge 3 of 4"
grep -q "line 6: .*bad-input" logs/peergrid-merge-"$merge".out || fail "the merge did not name the failed entry"
sed 's/^/  /' logs/peergrid-merge-"$merge".out
echo "slurm-test: a failing entry: its task failed, the merge ran and named it (line 6)"
# 4. The decentralized clearing over MPI: srun starts 2 ranks of peergrid (Slurm's PMIx plugin), each opening only its
#    own prosumer files; the schedule equals a one-process run's.
agents=$state/agents
mkdir -p logs
python3 - "$root/Datasets/communities/example-3x24.json" "$agents" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1])); d = sys.argv[2]; os.makedirs(d + "/prosumers", exist_ok=True)
ps = c.pop("prosumers"); json.dump(c, open(d + "/community.json", "w"))
for p in ps: json.dump(p, open(f"{d}/prosumers/{p['id']}.json", "w"))
PY
job=$(sbatch --parsable --ntasks=2 --output=logs/clear-mpi-%j.out "$root/deploy/slurm/clear-mpi.sbatch" "$agents" "$state/clear-mpi")
wait_for "$job"
[[ -f "$state/clear-mpi/schedule.csv" ]] || fail "the MPI clearing wrote no schedule: $(tail -n 20 logs/clear-mpi-"$job".out)"
"$bin" clear --agents-dir "$agents" --out "$state/clear-one" > /dev/null
cmp "$state/clear-mpi/schedule.csv" "$state/clear-one/schedule.csv" || fail "the 2-rank schedule differs from a one-process run"
[[ "$(grep -c '^community ' logs/clear-mpi-"$job".out)" == 1 ]] || fail "the 2 tasks did not form one MPI world (each cleared alone)"
sed 's/^/  /' logs/clear-mpi-"$job".out
echo "slurm-test: the clearing over 2 MPI ranks (srun): the same schedule as one process"
echo "slurm-test: passed"
trap - EXIT
stop
rm -rf "$state"
