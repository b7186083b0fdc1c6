# Sourced by scripts/rl-validation.sh and scripts/rl-seed-spread.sh (not run on its own): pins OpenBLAS to one
# thread, checks the release build, and makes a temporary directory removed on exit. Sets BIN, DIR and COMMUNITY.
# Its argument is the calling script's name, for the message when the build is missing.
export OPENBLAS_NUM_THREADS=1
BIN=.build/release/peergrid
[ -x "$BIN" ] || { echo "$1: $BIN is missing; run make release first" >&2; exit 2; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
COMMUNITY=Datasets/demo/community.json
