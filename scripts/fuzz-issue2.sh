#!/usr/bin/env bash
# fuzz-issue2.sh — runs the OSV record parser's and every version parser's
# fuzz target for FUZZTIME each (default 60s), one after the other, and
# prints one line per target. Figures go to BENCHMARKS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
T=${FUZZTIME:-60s}
run() { # run PKG TARGET
  local out
  out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$T" -fuzzminimizetime 1s "$1" 2>&1)
  local rc=$?
  printf '%-24s %-22s rc=%d  %s\n' "$1" "$2" "$rc" "$(grep -Eo 'execs: [0-9]+' <<<"$out" | tail -1)"
  [[ $rc -eq 0 ]] || { echo "$out" | tail -30; }
}
run ./internal/osv FuzzParse
for f in FuzzDpkg FuzzRPM FuzzAPK FuzzPEP440 FuzzSemVer FuzzGo FuzzMaven FuzzRubyGems FuzzNuGet FuzzPackagist FuzzParseGoToolchain; do
  run ./internal/version "$f"
done
