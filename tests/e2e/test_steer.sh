#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: inline steering. `edgeward run --mode inline` on the edge,
# whose proxy takes the steered flows:
#
#  client ──SYN :80──▶ [ewc TC: sk_assign + mark] ─▶ proxy listener (127.0.0.1 / ::1)
#                                                     │ accept: local = server addr:80
#                                                     ▼ connect, bound to client addr:port
#  server ◀──────────────────────────────────────── upstream socket
#  server ──reply──▶ [ews TC: socket lookup, sk_assign + mark] ─▶ upstream socket
#
# (namespaces and addresses: tests/e2e/lib.sh). Checked: the routing rule
# and route edgeward sets up; over IPv4 and IPv6, downloads of 1 KB and
# 5 MB arrive byte-identical through the proxy, which counted every
# connection, and the server saw the client's own address and port; a flow
# to port 8080 (not inline) is not steered; with the agent killed new
# connections go straight through: no listener while the heartbeat is
# fresh, no steering once it is stale; strict rp_filter on the edge is no obstacle; a
# restart adds no second rule; tap mode steers nothing; detach removes
# edgeward's rules and routes and no one else's. ew_cleanup checks that
# detach leaves no rule, route, qdisc, program or pin.
. "$(dirname "$0")/lib.sh"

STALE=2
SOCK=		# the agent's control socket, once the topology's scratch exists

ew_require_root
ew_topology_up
SOCK=$EW_TMP/agent.sock
# Strict reverse-path filtering: steering must not need it loosened.
edge sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ewc.rp_filter=1 \
	net.ipv4.conf.ews.rp_filter=1

mkdir -p "$EW_TMP/www"
head -c 1024 /dev/urandom >"$EW_TMP/www/1k.bin"
head -c $((5 << 20)) /dev/urandom >"$EW_TMP/www/5m.bin"
echo "edgeward e2e" >"$EW_TMP/www/index.txt"
ew_bg "$EW_NS" "$EW_PY" "$EW_ROOT/tests/e2e/peerhttp.py" "$EW_TMP/www" "$EW_TMP/peers" 80 8080
for i in $(seq 50); do
	srv curl -s -o /dev/null http://127.0.0.1:8080/index.txt && break
	[ "$i" = 50 ] && ew_fail "http server did not start"
	sleep 0.1
done
: >"$EW_TMP/peers"

# Someone else's rule, and a route of theirs in edgeward's table: they
# must outlive edgeward's setup and detach untouched.
ip -n "$EW_NE" rule add pref 10 fwmark 0x1 lookup 100
ip -n "$EW_NE" route add blackhole 192.0.2.0/24 table 17751

ew_agent_start --mode inline --stale-after "$STALE" --control "$SOCK"

# proxied: connections the agent's proxy has taken so far
proxied() { ew status --control "$SOCK" | sed -n 's/^inline: connections [0-9]* open, \([0-9]*\) in all.*/\1/p'; }

ew_say "edgeward set up local delivery of marked packets"
for f in -4 -6; do
	grep -q "fwmark 0xe57 lookup 17751 proto 69" <<<"$(ip -n "$EW_NE" $f rule show)" ||
		ew_fail "no $f rule 'fwmark 0xe57 lookup 17751'"
	grep -q "local default dev lo proto 69" <<<"$(ip -n "$EW_NE" $f route show table 17751)" ||
		ew_fail "no $f route 'local default dev lo table 17751'"
done
ew_ok "rule and route for IPv4 and IPv6"

grep -q "listeners: IPv4 registered, IPv6 registered" <<<"$(ew status)" ||
	ew_fail "status does not show both listeners"
ew_ok "the proxy's listeners registered, shown by status"

# get URL FILE: downloads URL from the client into $EW_TMP/got and compares
# it with FILE; prints the client's "address port" as curl saw them.
get()
{
	local out

	out=$(cli curl -s -m 20 -w '%{local_ip} %{local_port}' -o "$EW_TMP/got" "$1") ||
		ew_fail "download of $1 failed"
	cmp -s "$EW_TMP/got" "$2" || ew_fail "$1 differs from $2"
	echo "$out"
}

# steered URL FILE: a download through the proxy, which counted it, and
# the server saw the client's own address and port.
steered()
{
	local me n0

	n0=$(proxied)
	me=$(get "$1" "$2")
	grep -qx "$me 80 /${1##*/}" <<<"$(tail -n 1 "$EW_TMP/peers")" ||
		ew_fail "server saw '$(tail -n 1 "$EW_TMP/peers")', the client is '$me'"
	[ "$(proxied)" = $((n0 + 1)) ] || ew_fail "the proxy did not take $1"
	ew_ok "$1: intact, proxied, server saw $me"
}

ew_say "downloads through the proxy, IPv4 and IPv6"
n0=$(ew_counter TC_STEER_NEW)
e0=$(ew_counter TC_STEER_EXISTING)
for f in 1k.bin 5m.bin; do
	steered "http://10.10.2.1/$f" "$EW_TMP/www/$f"
	steered "http://[fd00:2::1]/$f" "$EW_TMP/www/$f"
done
ew_expect_eq "TC_STEER_NEW growth (4 connections)" $(($(ew_counter TC_STEER_NEW) - n0)) 4
existing=$(($(ew_counter TC_STEER_EXISTING) - e0))
# every connection has 10 packets or more after its SYN, both ways
[ "$existing" -ge 40 ] || ew_fail "only $existing packets assigned to existing sockets"
ew_ok "TC_STEER_EXISTING grew by $existing"
ew_expect_eq "TC_STEER_FAILED" "$(ew_counter TC_STEER_FAILED)" 0
ew_expect_eq "connections proxied" "$(proxied)" 4

ew_say "port 8080 is not inline: not steered"
n0=$(ew_counter TC_STEER_NEW)
e0=$(ew_counter TC_STEER_EXISTING)
me=$(get "http://10.10.2.1:8080/1k.bin" "$EW_TMP/www/1k.bin")
grep -qx "$me 8080 /1k.bin" <<<"$(tail -n 1 "$EW_TMP/peers")" || ew_fail "server missed $me"
ew_expect_eq "TC_STEER_NEW growth" $(($(ew_counter TC_STEER_NEW) - n0)) 0
ew_expect_eq "TC_STEER_EXISTING growth" $(($(ew_counter TC_STEER_EXISTING) - e0)) 0
ew_expect_eq "connections proxied" "$(proxied)" 4

ew_say "kill -9 the agent: new connections go straight through at once"
ew_agent_kill KILL
grep -q "listeners: IPv4 none, IPv6 none" <<<"$(ew status)" ||
	ew_fail "listeners still registered after the agent died"
l0=$(ew_counter TC_STEER_NO_LISTENER)
n0=$(ew_counter TC_STEER_NEW)
for url in "http://10.10.2.1/1k.bin" "http://[fd00:2::1]/1k.bin"; do
	me=$(get "$url" "$EW_TMP/www/1k.bin")
	grep -qx "$me 80 /1k.bin" <<<"$(tail -n 1 "$EW_TMP/peers")" ||
		ew_fail "server missed $me"
done
ew_expect_eq "TC_STEER_NO_LISTENER growth (2 SYNs)" \
	$(($(ew_counter TC_STEER_NO_LISTENER) - l0)) 2
ew_expect_eq "TC_STEER_NEW growth" $(($(ew_counter TC_STEER_NEW) - n0)) 0

ew_say "wait until the dead agent's heartbeat is stale"
sleep $((STALE + 1))
s0=$(ew_counter TC_STALE)
l0=$(ew_counter TC_STEER_NO_LISTENER)
for url in "http://10.10.2.1/5m.bin" "http://[fd00:2::1]/5m.bin"; do
	get "$url" "$EW_TMP/www/5m.bin" >/dev/null
done
ew_expect_eq "TC_STEER_NO_LISTENER growth, agent stale" \
	$(($(ew_counter TC_STEER_NO_LISTENER) - l0)) 0
stale=$(($(ew_counter TC_STALE) - s0))
[ "$stale" -gt 0 ] || ew_fail "TC_STALE did not grow"
ew_ok "downloads intact; TC_STALE grew by $stale, nothing steered"
grep -q "lookup 17751" <<<"$(ip -n "$EW_NE" rule show)" ||
	ew_fail "the rule went with the agent (only detach removes it)"
ew_ok "rule still there: only detach removes it"

# routing: edgeward's rules and routes, and the others in its table.
routing()
{
	local f

	for f in -4 -6; do
		ip -n "$EW_NE" $f rule show
		ip -n "$EW_NE" $f route show table 17751
	done
}

ew_say "restart in inline mode: no rule or route added twice"
before=$(routing)
ew_agent_start --mode inline --stale-after "$STALE" --control "$SOCK"
[ "$(routing)" = "$before" ] || ew_fail "routing changed on restart: $(routing)"
ew_ok "$(grep -c 'proto 69' <<<"$before") rules and routes, the same"

ew_say "tap mode steers nothing"
ew_agent_kill TERM
ew_agent_start --mode tap --stale-after "$STALE" --control "$SOCK"
grep -q "steering: off" <<<"$(ew status)" || ew_fail "status does not say steering is off"
l0=$(ew_counter TC_STEER_NO_LISTENER)
t0=$(ew_counter TC_TAGGED)
get "http://10.10.2.1/1k.bin" "$EW_TMP/www/1k.bin" >/dev/null
ew_expect_eq "TC_STEER_NO_LISTENER growth, tap mode" \
	$(($(ew_counter TC_STEER_NO_LISTENER) - l0)) 0
ew_expect_eq "TC_TAGGED growth, tap mode (port 80 mirrored)" $(($(ew_counter TC_TAGGED) - t0)) 1

ew_say "detach removes edgeward's rules and routes, and no one else's"
ew_agent_kill TERM
ew detach >/dev/null
after=$(routing)
grep -q 'proto 69' <<<"$after" && ew_fail "left behind: $(grep 'proto 69' <<<"$after")"
grep -q "fwmark 0x1 lookup 100" <<<"$after" || ew_fail "someone else's rule is gone"
grep -q "blackhole 192.0.2.0/24" <<<"$after" || ew_fail "someone else's route is gone"
ew_ok "theirs kept, ours gone"
