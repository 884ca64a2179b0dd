#!/usr/bin/env bash
# bench-scan.sh — warm `vigil scan` of a 923-package npm lockfile against
# all of ../shared/testdata/osv, side by side with OSV-Scanner v2 offline on
# the same lockfile and the same OSV zips (issue: vigil scan, benchmark).
#
# Usage: scripts/bench-scan.sh [RUNS]   (default 21 runs each)
# Needs: go, python3; osv-scanner on PATH or in $VIGIL_OSV_SCANNER (built with
#   GOBIN=/tmp/osvbin go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0).
#
# Both tools run as built binaries, one after the other in alternation (so a
# change of machine load hits both alike), each with its output written and
# read in full. Every vigil run is a complete scan: it walks the directory,
# parses the lockfile, opens the database snapshot, loads the persisted
# match index and reads the matched records; nothing of one run is kept for
# the next (the index is built once per database snapshot, as in use).
# Printed: median wall time and median CPU time (user+sys) of each tool and
# their ratios, with the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
TD=$(realpath ../shared/testdata)
W=$(mktemp -d /tmp/vigil-bench-scan.XXXXXX)
trap 'rm -rf "$W"' EXIT

OSV=${VIGIL_OSV_SCANNER:-$(command -v osv-scanner || echo /tmp/osvbin/osv-scanner)}
[[ -x $OSV ]] || { echo "osv-scanner not found (set VIGIL_OSV_SCANNER)" >&2; exit 2; }

# Built as `make build` builds the shipped binary (static, pure Go).
CGO_ENABLED=0 go build -trimpath -o "$W/vigil" ./cmd/vigil

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

# OSV-Scanner: the same zips in its offline cache layout.
mkdir -p "$W/osvcache/osv-scalibr"
for z in "$TD"/osv/*/all.zip; do
  e=$(basename "$(dirname "$z")"); mkdir -p "$W/osvcache/osv-scalibr/$e"; cp "$z" "$W/osvcache/osv-scalibr/$e/"
done
export OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$W/osvcache
"$OSV" scan source --offline --offline-vulnerabilities --format json -L "$W/app/package-lock.json" >"$W/osv.json" 2>/dev/null || true

python3 - "$RUNS" "$W" "$OSV" <<'PY'
import json, os, resource, statistics, subprocess, sys, time
runs, w, osv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
v = json.load(open(f"{w}/vigil.json"))
o = json.load(open(f"{w}/osv.json"))
ovulns = {x["id"] for r in o.get("results", []) for p in r["packages"] for x in p.get("vulnerabilities", [])}
vvulns = {f["vulnerability"]["id"] for f in v["findings"]}
print(f"lockfile packages (vigil): {v['packages']}; distinct advisories matched: vigil {len(vvulns)} "
      f"({len(v['findings'])} findings), osv-scanner {len(ovulns)}")
cmds = {
    "vigil scan (warm)": [f"{w}/vigil", "scan", "fs", f"{w}/app", "--offline", "--format", "json"],
    "osv-scanner v2 offline": [osv, "scan", "source", "--offline", "--offline-vulnerabilities", "--format", "json",
                               "-L", f"{w}/app/package-lock.json"],
}
def once(argv):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
for argv in cmds.values():  # one unmeasured warm-up run each
    once(argv)
load0 = os.getloadavg()[0]
res = {k: ([], []) for k in cmds}
for _ in range(runs):  # alternate, so load changes hit both tools
    for k, argv in cmds.items():
        wall, cpu = once(argv)
        res[k][0].append(wall)
        res[k][1].append(cpu)
load1 = os.getloadavg()[0]
print(f"runs: {runs} each, alternating; load average (1 min) before {load0:.2f}, after {load1:.2f}")
print(f"{'tool':<26} {'median wall s':>13} {'min wall s':>10} {'median CPU s':>12}")
med = {}
for k, (walls, cpus) in res.items():
    med[k] = (statistics.median(walls), statistics.median(cpus))
    print(f"{k:<26} {med[k][0]:>13.4f} {min(walls):>10.4f} {med[k][1]:>12.4f}")
(vw, vc), (ow, oc) = med.values()
print(f"ratio vigil/osv-scanner: wall {vw / ow:.3f}, CPU {vc / oc:.3f} (target <= 0.200)")
PY
