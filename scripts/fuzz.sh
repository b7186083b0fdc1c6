#!/bin/bash
# make fuzz: every libFuzzer target of Fuzz/ for SECONDS each (default 100: 11.7 minutes for the seven), starting from
# the committed seed corpus (Fuzz/corpus/<target>/; what a run finds is kept in .build-fuzz/corpus/<target>/, not
# committed). Prints executions, coverage and features per target; fails on a crash, a hang (-timeout) or a
# sanitizer report, leaving the input that triggered it in .build-fuzz/.
set -euo pipefail
seconds=${1:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/Fuzz/.build/release
work=$root/.build-fuzz
mkdir -p "$work"
printf '%-16s %10s %12s %10s %10s %s\n' target seconds executions "exec/s" coverage features
status=0
for target in FuzzCommunity FuzzTimeSeries FuzzMPS FuzzLP FuzzModelFile FuzzBids FuzzLedger; do
  corpus=$work/corpus/$target
  mkdir -p "$corpus"
  log=$work/$target.log
  if ! "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/$target-" "$corpus" "$root/Fuzz/corpus/$target" > "$log" 2>&1; then
    echo "$target: FAILED (crash, hang or sanitizer report); see $log and $work/$target-*" >&2
    tail -n 30 "$log" >&2
    status=1
  fi
  runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{ print $2 }')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | awk '{ print $2 }')
  rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
  printf '%-16s %10s %12s %10s %10s %s\n' "$target" "$seconds" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
done
exit $status
