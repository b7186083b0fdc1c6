#!/usr/bin/env bash
# Leak check of the solver bindings.
# 1. valgrind --leak-check=full on `peergrid solve` for every example model, both solvers, LP and MILP paths:
#    any "definitely lost" block fails. (The Swift runtime's "possibly lost" caches are not leaks.)
# 2. GLPK keeps its allocations on its own list, hidden from valgrind; the test LeakTests checks with
#    glp_mem_usage that every solve returns GLPK's block count to its baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug/peergrid
[ -x "$bin" ] || swift build
status=0
for model in Tests/SolverTests/Fixtures/mps/*.mps; do
  for solver in cbc glpk; do
    if valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 -q \
        "$bin" solve "$model" --solver "$solver" --json >/dev/null 2>/tmp/peergrid-leak.log; then :; else
      code=$?
      if [ "$code" -eq 99 ]; then echo "LEAK: $model with $solver"; grep -A12 "definitely lost" /tmp/peergrid-leak.log | head -40; status=1; fi
    fi
    echo "ok   $solver $(basename "$model")"
  done
done
swift test --skip-build --filter LeakTests
exit $status
