#!/bin/sh
# bench-probe.sh — times `vigil probe` against `nmap -sT` on a full 1–65535
# TCP sweep of a host in a network namespace this script creates (root
# needed), and checks that both find the same open ports.
#
#   scripts/bench-probe.sh [VIGIL_BINARY]
#
# The namespaced host (10.231.77.2, veth to 10.231.77.1 in the root
# namespace) runs five listeners; closed ports answer with a reset, so the
# sweep measures connection handling, not timeouts. Prints wall and CPU
# seconds (user+sys) of each tool; everything is removed on exit.
set -eu
VIGIL=${1:-./vigil}
NS=vg6bench$$
A=vg6b$$a
B=vg6b$$b
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	ip link del "$A" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$NS"
ip link add "$A" type veth peer name "$B"
ip link set "$B" netns "$NS"
ip addr add 10.231.77.1/24 dev "$A"
ip link set "$A" up
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip addr add 10.231.77.2/24 dev "$B"
ip netns exec "$NS" ip link set "$B" up
for p in 22 80 443 8080 50000; do
	ip netns exec "$NS" python3 -m http.server --bind 0.0.0.0 "$p" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
for p in 22 80 443 8080 50000; do # wait until every listener accepts
	until python3 -c "import socket,sys; socket.create_connection(('10.231.77.2', $p), 1)" 2>/dev/null; do sleep 0.2; done
done
T=$(mktemp -d)
/usr/bin/time -f "%e %U %S" -o "$T/vigil.time" "$VIGIL" probe 10.231.77.2 --ports 1-65535 --rate 0 --no-banners --format json >"$T/vigil.json"
/usr/bin/time -f "%e %U %S" -o "$T/nmap.time" nmap -sT -n -Pn -p- --open -oG "$T/nmap.txt" 10.231.77.2 >/dev/null
vopen=$(python3 -c "import json,sys; print(' '.join(str(o['port']) for o in json.load(open('$T/vigil.json'))['open']))")
nopen=$(grep -o '[0-9]*/open/tcp' "$T/nmap.txt" | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//')
read -r vw vu vs <"$T/vigil.time"
read -r nw nu ns <"$T/nmap.time"
echo "vigil probe: wall ${vw}s cpu $(echo "$vu + $vs" | bc)s (user ${vu}s sys ${vs}s) open: $vopen"
echo "nmap -sT:    wall ${nw}s cpu $(echo "$nu + $ns" | bc)s (user ${nu}s sys ${ns}s) open: $nopen"
if [ "$vopen" = "$nopen" ]; then echo "open ports agree"; else echo "OPEN PORTS DIFFER"; exit 1; fi
rm -rf "$T"
