#!/usr/bin/env bash
# bench-server.sh — the server benchmarks of issue 5, on SQLite:
#   1. BenchmarkServerPush: the real `vigil server` (built from this tree)
#      with every OSV feed of ../shared/testdata plus KEV and EPSS; N host
#      inventories (realistic mixes of the corpus's dpkg/apk databases and
#      lockfiles) pushed through the API by 64 clients (VIGIL_BENCH_PUSHERS)
#      and scanned by the server's workers. Reports inventories/s (first
#      push to last scan), pushes/s, server CPU ms and bytes written per
#      inventory and the server's peak RSS (VmHWM).
#   2. BenchmarkRematchAfterUpdate: N stored host inventories, then an
#      advisory update touching one package (lodash); reports the rematch
#      wall and CPU seconds.
#
# Usage: scripts/bench-server.sh [N]      (default 10000 for both)
#        VIGIL_BENCH_DIR=/big/disk scripts/bench-server.sh   (data elsewhere than $TMPDIR)
# Both print Go benchmark lines; the machine's load average is printed
# before and after, since wall figures on a shared machine measure it too.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
VIGIL_BENCH_RESOURCES=$N go test -run '^$' -bench 'ServerPush$' -benchtime 1x -timeout 2h -v ./internal/app/ |
	grep -E '^(Benchmark|ok|FAIL)|serverbench'
VIGIL_BENCH_INVENTORIES=$N go test -run '^$' -bench 'RematchAfterUpdate$' -benchtime 1x -timeout 1h ./internal/app/ |
	grep -E '^(Benchmark|ok|FAIL)'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
