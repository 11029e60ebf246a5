#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the data path outlives the agent. With the agent killed (-9)
# traffic keeps flowing and the blocklist still drops; once the heartbeat is
# older than --stale-after, TC stops tagging and mirroring (TC_STALE grows,
# TC_TAGGED and TC_MIRRORED do not); a restarted agent reuses the pinned maps
# (the blocked prefix is still there) and resumes tagging. A 100 pkt/s ping
# runs across the kill and the restart and must lose nothing.
# Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

STALE=2	# seconds; the agent beats every second

ew_require_root
ew_topology_up
ew_http_server 80
ew_agent_start --mode tap --stale-after "$STALE"
ew block 10.10.2.2/32 >/dev/null

# tagged_get: one tagged HTTP flow on port 80; prints TAGGED's growth.
tagged_get()
{
	local t0

	t0=$(ew_counter TC_TAGGED)
	ew_tcp_ok 10.10.2.1 80 || ew_fail "HTTP GET to 10.10.2.1:80 failed"
	echo $(($(ew_counter TC_TAGGED) - t0))
}

ew_say "agent alive: a port-80 flow is tagged, the blocked prefix drops"
ew_expect_eq "TC_TAGGED growth for one flow" "$(tagged_get)" 1
ew_ping_lost 10.10.2.2 2 || ew_fail "10.10.2.2 answered while blocked"
ew_ok "10.10.2.2 blocked"

ew_say "continuous ping (2400 packets, 5 ms apart) across kill and restart"
ew_bg "$EW_NC" ping -n -q -c 2400 -i 0.005 10.10.2.1 >"$EW_TMP/flood" 2>&1
ping_pid=${EW_PIDS[-1]}
sleep 1

ew_say "kill -9 the agent"
ew_agent_kill KILL
ew_attached ewc && ew_attached ews || ew_fail "programs detached when the agent died"
ew_ok "XDP and TC still attached on ewc and ews"
ew_tcp_ok 10.10.2.1 80 || ew_fail "traffic stopped with the agent"
ew_ok "HTTP still passes"
d0=$(ew_counter DROP_PREFIX)
ew_ping_lost 10.10.2.2 2 || ew_fail "blocklist not enforced without the agent"
ew_expect_eq "DROP_PREFIX growth without agent" $(($(ew_counter DROP_PREFIX) - d0)) 2

ew_say "after the stale limit ($STALE s) tagging and mirroring stop"
sleep $((STALE + 1))
s0=$(ew_counter TC_STALE)
m0=$(ew_counter TC_MIRRORED)
ew_expect_eq "TC_TAGGED growth for one flow, agent stale" "$(tagged_get)" 0
ew_expect_eq "TC_MIRRORED growth, agent stale" $(($(ew_counter TC_MIRRORED) - m0)) 0
stale=$(($(ew_counter TC_STALE) - s0))
[ "$stale" -gt 0 ] || ew_fail "TC_STALE did not grow"
ew_ok "TC_STALE grew by $stale"

ew_say "restart the agent: pinned maps reused, tagging resumes"
ew_agent_start --mode tap --stale-after "$STALE"
ew_expect_eq "block --list after restart" \
	"$(ew block --list | grep -oE '[0-9a-f.:]+/[0-9]+' | tr '\n' ' ')" "10.10.2.2/32 "
ew_ping_lost 10.10.2.2 2 || ew_fail "10.10.2.2 answered after restart"
ew_ok "10.10.2.2 still blocked"
ew_expect_eq "TC_TAGGED growth for one flow, agent back" "$(tagged_get)" 1
kill -0 "$ping_pid" 2>/dev/null || ew_fail "the ping ended before the restart was checked"

ew_say "the ping ran through all of it"
wait "$ping_pid" || true
cat "$EW_TMP/flood"
grep -q '2400 packets transmitted, 2400 received' "$EW_TMP/flood" ||
	ew_fail "packets lost across agent kill/restart"
ew_ok "2400 of 2400 echo replies"
