#!/usr/bin/env bash
# bench-index.sh [CORPUS] - time vigil's index stage on the corpus "app" image
# (OCI layout, 4 layers) side by side with the floor (gzip -dc over the same
# layer blobs) and, when installed, syft. Peak RSS from /usr/bin/time -v.
#
#   CORPUS  a corpus built by /work/shared/tools/make-corpus.sh
#           (default $VIGIL_CORPUS, then /tmp/corpus)
#   RUNS    runs per tool, best wall time kept (default 3)
#
# vigil runs as `vigil sbom image oci-layout:DIR --cache-dir ""`: the index
# stage (no layer cache) plus writing a CycloneDX SBOM to /dev/null; no
# advisory database is involved.
set -euo pipefail
CORPUS=${1:-${VIGIL_CORPUS:-/tmp/corpus}}
OCI=$CORPUS/images/app.oci
RUNS=${RUNS:-3}
[[ -f $OCI/index.json ]] || { echo "no OCI layout at $OCI (build the corpus first)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq needed" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time needed (apt-get install time)" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/vigil" ./cmd/vigil)

blob() { echo "$OCI/blobs/${1/://}"; }
manifest=$(blob "$(jq -r '.manifests[0].digest' "$OCI/index.json")")
mapfile -t layers < <(jq -r '.layers[].digest' "$manifest" | while read -r d; do blob "$d"; done)
cat "${layers[@]}" >/dev/null   # warm the page cache

# measure NAME CMD...: best wall seconds and peak RSS (MB) over RUNS runs.
declare -A WALL RSS CPU
measure() {
  local name=$1 best="" peak=0 cpu="" i out w m c; shift
  for ((i = 0; i < RUNS; i++)); do
    out=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | tail -n 30)
    w=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' <<<"$out")
    m=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' <<<"$out")
    c=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' <<<"$out")
    [[ -z $best ]] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }' && best=$w
    [[ -z $cpu ]] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }' && cpu=$c
    ((m > peak)) && peak=$m
  done
  WALL[$name]=$best RSS[$name]=$peak CPU[$name]=$cpu
  printf '%-28s %8.2f s %8.2f s %8s MB\n' "$name" "$best" "$cpu" "$peak"
}

printf 'app image: %s layers, %s MB compressed, %s cores\n' "${#layers[@]}" \
  "$(du -cb "${layers[@]}" | tail -1 | awk '{ printf "%.1f", $1 / 1048576 }')" "$(nproc)"
printf '%-28s %10s %10s %11s\n' tool "wall(best)" "cpu(best)" "peak RSS"
measure "gzip -dc (layer blobs)" sh -c 'for b; do gzip -dc "$b"; done >/dev/null' sh "${layers[@]}"
measure "vigil index (sbom)" "$bin/vigil" sbom image "oci-layout:$OCI" --cache-dir "" -o /dev/null
"$bin/vigil" sbom image "oci-layout:$OCI" --cache-dir "$bin/cache" -o /dev/null   # fill the layer cache
measure "vigil, layer cache warm" "$bin/vigil" sbom image "oci-layout:$OCI" --cache-dir "$bin/cache" -o /dev/null
measure "vigil, docker archive" "$bin/vigil" sbom image "docker-archive:$CORPUS/images/app.docker.tar" --cache-dir "" -o /dev/null
syft=$(command -v syft || ls "$(go env GOPATH)/bin/syft" 2>/dev/null || true)
if [[ -n $syft ]]; then
  sv=$(go version -m "$syft" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/anchore/syft" { print $3 }')
  SYFT_CHECK_FOR_APP_UPDATE=false measure "syft ${sv:-?}" \
    env SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan "oci-dir:$OCI" -q -o json=/dev/null
fi
awk -v v="${WALL[vigil index (sbom)]}" -v g="${WALL[gzip -dc (layer blobs)]}" \
  'BEGIN { printf "vigil / gzip time: %.2fx (target <= 1.5x)\n", v / g }'
awk -v v="${CPU[vigil index (sbom)]}" -v g="${CPU[gzip -dc (layer blobs)]}" \
  'BEGIN { printf "vigil / gzip CPU time: %.2fx (vigil decompresses with klauspost/compress, layers in parallel)\n", v / g }'
if [[ -n $syft ]]; then
  for k in "${!WALL[@]}"; do [[ $k == syft* ]] && s=${WALL[$k]}; done
  for k in "${!CPU[@]}"; do [[ $k == syft* ]] && sc=${CPU[$k]}; done
  awk -v v="${WALL[vigil index (sbom)]}" -v s="$s" 'BEGIN { printf "syft / vigil time: %.2fx (target >= 3x)\n", s / v }'
  awk -v v="${CPU[vigil index (sbom)]}" -v s="$sc" 'BEGIN { printf "syft / vigil CPU time: %.2fx (steadier on a shared machine)\n", s / v }'
fi
printf 'vigil peak RSS: %s MB (target <= 150 MB)\n' "${RSS[vigil index (sbom)]}"
