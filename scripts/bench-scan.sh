#!/usr/bin/env bash
# bench-scan.sh — warm `vigil scan` of a ~1,100-package npm lockfile against
# all of ../shared/testdata/osv, side by side with OSV-Scanner v2 offline on
# the same lockfile and the same OSV zips (issue: vigil scan, benchmark).
#
# Usage: scripts/bench-scan.sh [RUNS]   (default 10 runs each; prints a table)
# Needs: go; osv-scanner on PATH or in $VIGIL_OSV_SCANNER (built with
#   GOBIN=/tmp/osvbin go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
TD=$(realpath ../shared/testdata)
W=$(mktemp -d /tmp/vigil-bench-scan.XXXXXX)
trap 'rm -rf "$W"' EXIT

OSV=${VIGIL_OSV_SCANNER:-$(command -v osv-scanner || echo /tmp/osvbin/osv-scanner)}
[[ -x $OSV ]] || { echo "osv-scanner not found (set VIGIL_OSV_SCANNER)" >&2; exit 2; }

go build -o "$W/vigil" ./cmd/vigil

# The lockfile: the two large real lockfiles of pkgdb/npm merged into one
# lockfileVersion 1 project (package names and versions are real).
mkdir -p "$W/app"
python3 - "$TD/pkgdb/npm/collapse-white-space.package-lock.json" "$TD/pkgdb/npm/wrappy.package-lock.json" "$W/app/package-lock.json" <<'PY'
import json, sys
a, b, out = sys.argv[1:]
la, lb = json.load(open(a)), json.load(open(b))
deps = dict(la.get("dependencies", {}))
for k, v in lb.get("dependencies", {}).items():
    deps.setdefault(k, v)
la["dependencies"] = deps
la["name"] = "bench-app"
json.dump(la, open(out, "w"), indent=2)
PY

# vigil: import once, then one warm-up scan builds the persisted match index.
export VIGIL_DB_DIR=$W/db VIGIL_CACHE_DIR=$W/cache
"$W/vigil" --quiet db import "$TD/osv" >/dev/null
"$W/vigil" scan fs "$W/app" --offline --format json >"$W/vigil.json"
PKGS=$(python3 -c "import json;print(json.load(open('$W/vigil.json'))['packages'])")

# OSV-Scanner: the same zips in its offline cache layout.
mkdir -p "$W/osvcache/osv-scalibr"
for z in "$TD"/osv/*/all.zip; do
  e=$(basename "$(dirname "$z")"); mkdir -p "$W/osvcache/osv-scalibr/$e"; cp "$z" "$W/osvcache/osv-scalibr/$e/"
done
export OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$W/osvcache
"$OSV" scan source --offline --offline-vulnerabilities --format json -L "$W/app/package-lock.json" >"$W/osv.json" 2>/dev/null || true

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timeit() { # timeit CMD... -> seconds, RUNS times
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}
V=$(timeit "$W/vigil" scan fs "$W/app" --offline --format json)
O=$(timeit "$OSV" scan source --offline --offline-vulnerabilities --format json -L "$W/app/package-lock.json")
printf 'lockfile packages (vigil): %s\n' "$PKGS"
printf '%-28s %8s\n' tool "median s"
printf '%-28s %8.3f\n' "vigil scan (warm)" "$V" "osv-scanner v2 offline" "$O"
printf 'ratio vigil/osv-scanner: %.3f (target <= 0.200)\n' "$(echo "$V / $O" | bc -l)"
