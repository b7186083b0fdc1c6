#!/usr/bin/env bash
# `make examples`: every community example with both solvers, checked against EXPECTED.md; when ../shared exists,
# also through the independent checker `../shared/tools/community.py check`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/peergrid
checker=../shared/tools/community.py
out=$(mktemp -d)
status=0
expect() {  # file -> expected cost (from Datasets/communities/EXPECTED.md)
  grep "^| $1 |" Datasets/communities/EXPECTED.md | awk -F'|' '{gsub(/ /,"",$4); print $4}'
}
for f in example-3x24.json example-10x96.json example-infeasible-4x24.json; do
  for s in cbc glpk; do
    dir="$out/${f%.json}-$s"
    # 10 x 96: CBC on 2 threads no longer reaches the 1e-4 gap in 120 s (measured 2026-12-02); GLPK with its cuts
    # reaches it in about 260 s (2026-12-07; before its cuts were on, not in minutes, and it was skipped here).
    limit=120; [ "$f" = example-10x96.json ] && limit=600
    "$bin" schedule --community "Datasets/communities/$f" --solver "$s" --threads 2 --time-limit "$limit" --out "$dir" --no-standalone > "$dir.log" 2>&1
    code=$?
    want=$(expect "$f")
    if [ "$want" = "—" ]; then
      if [ "$code" -eq 3 ] && grep -q "diagnosis import limit" "$dir.log"; then echo "ok   $f $s: infeasible, $(grep diagnosis "$dir.log")"
      else echo "FAIL $f $s: exit $code"; status=1; fi
      continue
    fi
    got=$(python3 -c "import json;print(json.load(open('$dir/summary.json'))['objective'])" 2>/dev/null)
    verdict=$(python3 -c "g=$got;w=$want;print('ok  ' if g<=w*(1+1e-4) and g>=w*(1-1e-4) else 'FAIL')" 2>/dev/null || echo FAIL)
    [ "$verdict" = "FAIL" ] && status=1
    line="$verdict $f $s: cost $got (expected $want)"
    if [ -f "$checker" ]; then
      line="$line, shared checker: $(python3 "$checker" check "Datasets/communities/$f" "$dir/schedule.csv" "$dir/summary.json" | python3 -c 'import json,sys;d=json.load(sys.stdin);print("feasible" if d["feasible"] else d["errors"])')"
    fi
    echo "$line"
  done
done
rm -rf "$out"
exit $status
