#!/bin/bash
# What a compute node needs to run peergrid: lists the shared libraries the binary cannot find there, with the
# Debian package that provides each. Exit 0 when nothing is missing.
#   scripts/check-node.sh [BINARY]        (default: .build-static/release/peergrid, else .build/release/peergrid)
# On a cluster: srun scripts/check-node.sh /path/to/peergrid
set -euo pipefail
bin=${1:-}
if [[ -z "$bin" ]]; then
  for c in .build-static/release/peergrid .build/release/peergrid; do [[ -x "$c" ]] && { bin=$c; break; }; done
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "check-node: no peergrid binary (make cluster-binary)" >&2; exit 2; }
declare -A package=(
  [libglpk.so.40]=libglpk40 [libCbcSolver.so.3]=coinor-libcbc3.1 [libCbc.so.3]=coinor-libcbc3.1
  [libopenblas.so.0]=libopenblas0 [libsqlite3.so.0]=libsqlite3-0 [libstdc++.so.6]=libstdc++6 [libmpi.so.40]=libopenmpi3
)
missing=$(ldd "$bin" | awk '/not found/ { print $1 }')
swift=$(ldd "$bin" | awk '/libswiftCore|libFoundation/ { print $1 }')
if [[ -n "$swift" ]]; then
  echo "check-node: $bin needs the Swift runtime ($(echo $swift | tr '\n' ' ')); build it with make cluster-binary (--static-swift-stdlib)"
fi
if [[ -z "$missing" ]]; then
  echo "check-node: $bin finds every library it needs on $(hostname)"
  exit 0
fi
echo "check-node: missing on $(hostname):"
for lib in $missing; do echo "  $lib (Debian package ${package[$lib]:-unknown; see ldd})"; done
exit 1
