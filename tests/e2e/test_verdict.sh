#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: a BLOCK flow verdict stops an established TCP flow mid-transfer.
# Two rate-limited downloads run (IPv4 and IPv6, fixed client ports); a BLOCK
# verdict is written into the pinned LRU flow map for each 5-tuple, keyed as
# the client sees it (the map is canonical, so the server's direction matches
# too). The bytes received must stop growing well short of the file size,
# while a new connection between the same hosts still works. XDP runs in
# generic mode here (forced), native in the other tests.
# Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

SIZE=$((64 << 20))
PORT=8080

ew_require_root
ew_topology_up
ew_http_server "$PORT"
truncate -s "$SIZE" "$EW_TMP/www/big.bin"
# curl's --limit-rate reads slowly from the socket; keep the client's receive
# buffer small so what was buffered before the verdict drains in milliseconds.
cli sysctl -qw net.ipv4.tcp_rmem="4096 65536 131072"
# Generic (skb) XDP here, native in the other tests: both modes see traffic.
ew_agent_start --xdp-mode generic
ew status | grep -E '^  ew[cs] ' | tee "$EW_TMP/attached"
ew_expect_eq "interfaces in generic XDP mode" "$(grep -c 'xdp generic' "$EW_TMP/attached")" 2

# fsize FILE: bytes written so far (0 before the file exists).
fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }
# rxbytes PORT: bytes the client's TCP stack has received on the connection
# from local port PORT (ss bytes_received). Not the file size: curl's rate
# limiter may leave what arrived before the verdict in the socket buffer and
# write it out seconds later.
rxbytes()
{
	cli ss -tinH "sport = :$1" | grep -o 'bytes_received:[0-9]*' | head -n 1 |
		cut -d: -f2 | grep . || echo 0
}

ew_say "start two 64 MiB downloads at 2 MB/s (v4 port 40000, v6 port 40001)"
ew_bg "$EW_NC" curl -s -m 60 --limit-rate 2M --local-port 40000 \
	-o "$EW_TMP/dl4" "http://10.10.2.1:$PORT/big.bin"
ew_bg "$EW_NC" curl -s -m 60 --limit-rate 2M --local-port 40001 \
	-o "$EW_TMP/dl6" "http://[fd00:2::1]:$PORT/big.bin"
for i in $(seq 50); do
	[ "$(fsize "$EW_TMP/dl4")" -gt 1000000 ] && [ "$(fsize "$EW_TMP/dl6")" -gt 1000000 ] && break
	sleep 0.1
done
[ "$(fsize "$EW_TMP/dl4")" -gt 1000000 ] || ew_fail "IPv4 download did not start"
[ "$(fsize "$EW_TMP/dl6")" -gt 1000000 ] || ew_fail "IPv6 download did not start"
ew_ok "both downloads are flowing"

flow0=$(ew_counter DROP_FLOW)
hits0=$(ew_rule_hits 7)
ew_say "insert BLOCK verdicts (rule 7) for both established flows"
"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" verdict 10.10.1.1 40000 10.10.2.1 "$PORT" tcp block 7
"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" verdict fd00:1::1 40001 fd00:2::1 "$PORT" tcp block 7
# The reverse direction finds the same entry.
ew_expect_eq "verdict seen from the server side" \
	"$("$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" getverdict 10.10.2.1 "$PORT" 10.10.1.1 40000 tcp)" block

# Let what was already in flight arrive, then watch the TCP stacks.
sleep 1
a4=$(rxbytes 40000) a6=$(rxbytes 40001)
[ "$a4" -gt 0 ] && [ "$a6" -gt 0 ] || ew_fail "no TCP byte counts for the downloads ($a4, $a6)"
sleep 2
b4=$(rxbytes 40000) b6=$(rxbytes 40001)
ew_expect_eq "IPv4 bytes received during 2 s after the verdict" $((b4 - a4)) 0
ew_expect_eq "IPv6 bytes received during 2 s after the verdict" $((b6 - a6)) 0
[ "$b4" -lt $((SIZE / 4)) ] || ew_fail "IPv4 transfer got $b4 of $SIZE bytes: not stopped mid-way"
[ "$b6" -lt $((SIZE / 4)) ] || ew_fail "IPv6 transfer got $b6 of $SIZE bytes: not stopped mid-way"
ew_ok "stopped at $b4 (v4) and $b6 (v6) of $SIZE bytes"
# The blocked peers keep retransmitting, so the two counters are read
# between two equal reads of DROP_FLOW: no drop happened in between.
for _ in $(seq 20); do
	f1=$(ew_counter DROP_FLOW) hits=$(ew_rule_hits 7) f2=$(ew_counter DROP_FLOW)
	[ "$f1" = "$f2" ] && break
done
[ "$f1" = "$f2" ] || ew_fail "DROP_FLOW never held still for a consistent read"
flows=$((f1 - flow0))
[ "$flows" -gt 0 ] || ew_fail "DROP_FLOW did not grow"
ew_ok "DROP_FLOW grew by $flows"
ew_expect_eq "rule 7 hits growth (same drops)" $((hits - hits0)) "$flows"

ew_say "other flows between the same hosts are untouched"
ew_tcp_ok 10.10.2.1 "$PORT" || ew_fail "a new IPv4 connection failed"
ew_tcp_ok fd00:2::1 "$PORT" || ew_fail "a new IPv6 connection failed"
ew_ok "new connections on other client ports pass"
