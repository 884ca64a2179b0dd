#!/bin/sh
# bench-agent.sh — steady-state CPU of `vigil agent`: a server on loopback,
# an agent polling every second (firewall every 30 s, full report every
# 10 min) on the Debian
# root file system of the corpus; after the first report, utime+stime of
# the agent process are read from /proc/PID/stat over DURATION seconds.
#
#   VIGIL_CORPUS=... scripts/bench-agent.sh [VIGIL_BINARY] [DURATION] [netns]
#
# With "netns" (root needed) server and agent run in a network namespace of
# their own (the server on its loopback), so the agent sees only its own
# host's sockets; without it they run in the current namespace, where a
# busy machine's sockets come and go and each change is a report.
set -eu
VIGIL=${1:-./vigil}
DUR=${2:-60}
IN=""
NS=""
if [ "${3:-}" = netns ]; then
	NS=vg6agent$$
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	IN="ip netns exec $NS"
fi
ROOTFS=${VIGIL_CORPUS:?set VIGIL_CORPUS}/rootfs-debian
D=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	rm -rf "$D"
	[ -z "$NS" ] || ip netns del "$NS"
}
trap cleanup EXIT INT TERM
"$VIGIL" db import "$(dirname "$0")/../../shared/testdata/osv/Go/all.zip" --db-dir "$D/db" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADMIN=bench0000000000000000000000000000
VIGIL_BOOTSTRAP_TOKEN=$ADMIN $IN "$VIGIL" server --listen 127.0.0.1:$PORT --data-dir "$D/data" --db-dir "$D/db" \
	--update-interval 0 --rescan-interval 0 >"$D/server.log" 2>&1 &
PIDS="$PIDS $!"
until $IN curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
TOK=$($IN curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
	-d '{"name":"bench"}' "http://127.0.0.1:$PORT/v1/agent-enrollment-tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
$IN "$VIGIL" agent --server "http://127.0.0.1:$PORT" --enroll-token "$TOK" --state-dir "$D/state" --hostname bench \
	--root "$ROOTFS" --poll 1s --interval 10m --log-level info >"$D/agent.log" 2>&1 &
APID=$!
PIDS="$PIDS $APID"
until grep -q reported "$D/agent.log"; do sleep 0.2; done
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$APID/stat"; } # utime+stime, and of the waited-for children (nft, iptables-save)
t0=$(ticks)
s0=$(date +%s.%N)
sleep "$DUR"
t1=$(ticks)
s1=$(date +%s.%N)
echo "$t0 $t1 $s0 $s1 $HZ" | awk '{cpu=($2-$1)/$5; wall=$4-$3; printf "agent steady state: %.2f s CPU in %.1f s = %.2f%% of a core\n", cpu, wall, 100*cpu/wall}'
echo "reports: $(grep -c reported "$D/agent.log")"
