#!/bin/bash
# Submits a PeerGrid batch to Slurm from the current directory: the day-ahead array and its merge.
#   deploy/slurm/submit.sh MANIFEST.csv [TASKS]
# TASKS defaults to the number of manifest entries, at most 16. Logs go to ./logs/ (created here: Slurm does not
# create an output file's directory, and a task whose log cannot be opened fails before it starts). The merge
# job depends on the array with afterany: it runs when every task has ended and reports the entries that failed.
# PEERGRID, PEERGRID_OUT and PEERGRID_ARGS are passed to the jobs (see day-ahead-array.sbatch).
set -euo pipefail
manifest=${1:?usage: deploy/slurm/submit.sh MANIFEST.csv [TASKS]}
[[ -f "$manifest" ]] || { echo "submit.sh: no manifest $manifest" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
entries=$(grep -v -e '^\s*#' -e '^\s*$' "$manifest" | tail -n +2 | wc -l)
tasks=${2:-$(( entries < 16 ? (entries > 0 ? entries : 1) : 16 ))}
mkdir -p logs
array=$(sbatch --parsable --array=0-$((tasks - 1)) --output=logs/peergrid-day-ahead-%A_%a.out \
  "$here/day-ahead-array.sbatch" "$manifest")
merge=$(sbatch --parsable --dependency=afterany:"$array" --kill-on-invalid-dep=no --output=logs/peergrid-merge-%j.out \
  "$here/merge.sbatch" "$manifest")
echo "submitted array job $array ($tasks tasks, $entries entries) and merge job $merge; logs in $(pwd)/logs/"
echo "$array $merge" > logs/last-submission
