#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: DNS queries for blocked names are answered by the edge's TC
# program, with the rule's answer and an Extended DNS Error, before they
# reach the real server (Debian's dnsmasq in the server namespace); allowed
# names and other groups' queries reach it and resolve. The client asks
# with dig, which parses the answers itself. Every answer TC sent is a
# block event in the agent's log (reason dns), with the name as asked.
# DNS over TCP cut over segments, or pipelined, goes through the agent's
# proxy (tcp/53 is steered there, inline.dns_tcp), which answers blocked
# names with the very bytes TC sends over UDP (tests/e2e/dnstcp.py).
#
#   client 10.10.1.1, fd00:1::1: group 1 (minors)   ──▶ edge ──▶ dnsmasq
#   client 10.10.1.2:            group 0 (default)        TC answers   10.10.2.1
#                                                         blocked      fd00:2::1
#                                                         names
# Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

TEXT="Blocked for minors; contact help@isp.test"

ew_require_root
command -v dig >/dev/null || { echo "skipped: dig is not installed (bind9-dnsutils)"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: python3 is not installed"; exit 77; }
ew_topology_up
ip -n "$EW_NC" addr add 10.10.1.2/24 dev veth0
ew_dns_server --address=/allowed.test/10.10.2.1 --address=/allowed.test/fd00:2::1 \
	--address=/blocked.test/10.10.2.1 --address=/court.test/10.10.2.1
ew_agent_start --log "$EW_TMP/events.jsonl"
ew_domains <<EOF
group 10.10.1.1/32 1
group fd00:1::1/128 1
rule 7 notice a=10.10.2.2 aaaa=fd00:2::2 ede=17 ttl=300 text=$TEXT
rule 8 nxdomain ede=16 text=Court order 42
name 1 blocked.test 7
name 1 *.blocked.test 7
name 0 court.test 8
name 1 court.test 8
EOF

# q ARGS...: dig from the client, its whole output kept in $EW_TMP/dig.
q() { cli dig +time=2 +tries=1 "$@" >"$EW_TMP/dig" 2>&1 || true; cat "$EW_TMP/dig" >>"$EW_TMP/digs"; }
status() { grep -o 'status: [A-Z]*' "$EW_TMP/dig" | cut -d' ' -f2; }
answer() { awk '/^;; ANSWER SECTION:/ { a = 1; next } /^$/ { a = 0 } a { print $NF }' "$EW_TMP/dig" | tr '\n' ' ' | sed 's/ $//'; }
ede() { grep -o '; EDE: .*' "$EW_TMP/dig" || echo none; }
asked() { grep -c "query\[.*\] $1 from $2\$" "$EW_TMP/dnsmasq.log" || true; }

notice0=$(ew_counter DNS_NOTICE) nx0=$(ew_counter DNS_NXDOMAIN) ede0=$(ew_counter DNS_EDE)

ew_say "minors client, blocked name: the notice server's address with EDE 17, dnsmasq never asked"
q @10.10.2.1 blocked.test A
ew_expect_eq "status" "$(status)" NOERROR
ew_expect_eq "answer" "$(answer)" 10.10.2.2
ew_expect_eq "EDE" "$(ede)" "; EDE: 17 (Filtered): ($TEXT)"
grep -q 'blocked.test.*300.*IN.*A.*10.10.2.2' "$EW_TMP/dig" || ew_fail "no TTL 300: $(cat "$EW_TMP/dig")"
q @fd00:2::1 www.BLOCKED.test AAAA
ew_expect_eq "IPv6, below the suffix, any case: answer" "$(answer)" fd00:2::2
ew_expect_eq "IPv6: EDE" "$(ede)" "; EDE: 17 (Filtered): ($TEXT)"
grep -qi 'www.BLOCKED.test.*IN.*AAAA' "$EW_TMP/dig" || ew_fail "question not echoed as asked"
q @10.10.2.1 blocked.test MX
ew_expect_eq "MX: status" "$(status)" NOERROR
ew_expect_eq "MX: no record" "$(answer)" ""
ew_expect_eq "MX: EDE" "$(ede)" "; EDE: 17 (Filtered): ($TEXT)"
q @10.10.2.1 +noedns blocked.test A
ew_expect_eq "without EDNS: answer" "$(answer)" 10.10.2.2
ew_expect_eq "without EDNS: no EDE" "$(ede)" none
q @10.10.2.1 court.test A
ew_expect_eq "court order: status" "$(status)" NXDOMAIN
ew_expect_eq "court order: EDE" "$(ede)" "; EDE: 16 (Censored): (Court order 42)"

ew_say "DNS over TCP: answered at the hook too, the client's next segments get resets"
reset0=$(ew_counter RESET_TX)
q @10.10.2.1 +tcp blocked.test A
ew_expect_eq "TCP: answer" "$(answer)" 10.10.2.2
ew_expect_eq "TCP: EDE" "$(ede)" "; EDE: 17 (Filtered): ($TEXT)"
q @fd00:2::1 +tcp court.test AAAA
ew_expect_eq "TCP over IPv6: status" "$(status)" NXDOMAIN
[ $(($(ew_counter RESET_TX) - reset0)) -ge 2 ] ||
	ew_fail "no resets for the clients' segments after the TCP answers"
ew_ok "resets sent for what the clients sent after the answers"
ew_expect_eq "the server was never asked for blocked.test by the minors client" \
	"$(asked blocked.test 10.10.1.1)$(asked blocked.test fd00:1::1)" 00
ew_expect_eq "... nor for court.test" "$(asked court.test 10.10.1.1)$(asked court.test fd00:1::1)" 00

ew_say "allowed names resolve through dnsmasq (UDP and TCP, v4 and v6)"
q @10.10.2.1 allowed.test A
ew_expect_eq "allowed: answer" "$(answer)" 10.10.2.1
ew_expect_eq "allowed: no EDE" "$(ede)" none
q @fd00:2::1 +tcp allowed.test AAAA
ew_expect_eq "allowed over TCP/IPv6: answer" "$(answer)" fd00:2::1
ew_expect_eq "dnsmasq answered both" "$(($(asked allowed.test 10.10.1.1) + $(asked allowed.test fd00:1::1)))" 2

ew_say "default-group client: the minors-only name resolves, court.test is blocked for everyone"
q @10.10.2.1 -b 10.10.1.2 blocked.test A
ew_expect_eq "default group: blocked.test" "$(answer)" 10.10.2.1
ew_expect_eq "default group: asked dnsmasq" "$(asked blocked.test 10.10.1.2)" 1
q @10.10.2.1 -b 10.10.1.2 court.test A
ew_expect_eq "default group: court.test" "$(status)" NXDOMAIN

ew_say "counters: 4 notice answers, 3 NXDOMAIN, 7 EDEs (all but +noedns), 1 NODATA (MX)"
ew_expect_eq "dns_notice" $(($(ew_counter DNS_NOTICE) - notice0)) 4
ew_expect_eq "dns_nxdomain" $(($(ew_counter DNS_NXDOMAIN) - nx0)) 3
ew_expect_eq "dns_ede" $(($(ew_counter DNS_EDE) - ede0)) 7
ew status | grep -E '^ *dns_' | tee "$EW_TMP/status"
grep -q '^ *dns_notice' "$EW_TMP/status" || ew_fail "edgeward status shows no dns_ counters"

ew_say "the block log: one event per answer TC sent (8), each as asked"
# dns_events BY N: the block events of the DNS answers BY sent (tc, agent),
# once N are in, one line each: client server proto host type rule enforced.
dns_events()
{
	for i in $(seq 50); do
		[ "$(grep -c "\"answered_by\":\"$1\"" "$EW_TMP/events.jsonl")" -ge "$2" ] && break
		sleep 0.1
	done
	python3 -c '
import json, sys
for e in map(json.loads, open(sys.argv[1])):
    if e.get("reason") != "dns" or e.get("answered_by") != sys.argv[2]:
        continue
    f = e["flow"]
    assert e["event"] == "block" and e["action"] == "block" and f["direction"] == "to_server"
    assert f["server_port"] == 53 and e["interface"] in (("ewc", "ews") if sys.argv[2] == "tc" else (None,))
    print(e["subscriber"]["client"], f["server"], f["proto"], e["host"], e["dns_type"], e["rule"], e["enforced"])
' "$EW_TMP/events.jsonl" "$1" || ew_fail "the DNS block events are not as sent"
}
ew_expect_eq "TC's answers' events" "$(dns_events tc 8)" "\
10.10.1.1 10.10.2.1 udp blocked.test A 7 dns_notice
fd00:1::1 fd00:2::1 udp www.BLOCKED.test AAAA 7 dns_notice
10.10.1.1 10.10.2.1 udp blocked.test MX 7 dns_nodata
10.10.1.1 10.10.2.1 udp blocked.test A 7 dns_notice
10.10.1.1 10.10.2.1 udp court.test A 8 dns_nxdomain
10.10.1.1 10.10.2.1 tcp blocked.test A 7 dns_notice
fd00:1::1 fd00:2::1 tcp court.test AAAA 8 dns_nxdomain
10.10.1.2 10.10.2.1 udp court.test A 8 dns_nxdomain"
ew status | grep -q "dns answers 8" || ew_fail "status does not count 8 DNS answers: $(ew status | grep '^tap')"
ew_ok "8 block events, reason dns, as the client asked"

ew_say "DNS over TCP cut over segments: the agent answers, with TC's very bytes"
# dt ARGS...: tests/e2e/dnstcp.py from the client, its answers in $EW_TMP/dt.
dt() { cli python3 "$EW_ROOT/tests/e2e/dnstcp.py" "$@" >"$EW_TMP/dt" 2>&1 || ew_fail "dnstcp.py $*: $(cat "$EW_TMP/dt")"; }
field() { grep -o "$1=[^ ]*" "$EW_TMP/dt" | sed -n "${2:-1}p" | cut -d= -f2-; }
ede_of() { sed -n 's/.* ede=//p' "$EW_TMP/dt" | head -1; }
partial0=$(ew_counter DNS_TCP_PARTIAL)
dt 10.10.2.1 --udp blocked.test:A:4660
udp=$(field hex)
dt 10.10.2.1 --split blocked.test:A:4660
ew_expect_eq "split TCP: the message TC sends over UDP, byte for byte" "$(field hex)" "$udp"
ew_expect_eq "split TCP: the notice address" "$(field addrs)" 10.10.2.2
ew_expect_eq "split TCP: the EDE" "$(ede_of)" "17:$TEXT"
q @10.10.2.1 blocked.test A
ew_expect_eq "... as dig got it over UDP: answer" "$(answer)" "$(field addrs)"
ew_expect_eq "... and EDE" "$(ede)" "; EDE: 17 (Filtered): ($(ede_of | cut -d: -f2-))"
[ $(($(ew_counter DNS_TCP_PARTIAL) - partial0)) -ge 3 ] ||
	ew_fail "TC did not see the split query's segments as partial"
ew_ok "TC passed the segments (dns_tcp_partial)"
dt fd00:2::1 --split www.blocked.test:AAAA:4661
ew_expect_eq "split TCP over IPv6: AAAA" "$(field addrs)" fd00:2::2
dt 10.10.2.1 --split court.test:MX:4662
ew_expect_eq "split TCP: NXDOMAIN" "$(field rcode)" 3
ew_expect_eq "split TCP: its EDE" "$(ede_of)" "16:Court order 42"

ew_say "a split allowed query, and the default group's split query for a minors-only name, reach dnsmasq"
dt 10.10.2.1 --split allowed.test:A:4663
ew_expect_eq "allowed, split: dnsmasq's answer" "$(field addrs) $(ede_of)" "10.10.2.1 none"
dt 10.10.2.1 --split --bind 10.10.1.2 blocked.test:A:4664
ew_expect_eq "default group, split: dnsmasq's answer" "$(field addrs) $(ede_of)" "10.10.2.1 none"
ew_expect_eq "dnsmasq asked for blocked.test by the default client (dig, then split TCP)" \
	"$(asked blocked.test 10.10.1.2)" 2

ew_say "two pipelined queries on one connection, one blocked, one allowed: both answered"
dt 10.10.2.1 blocked.test:A:4665 allowed.test:A:4666
sort "$EW_TMP/dt" | grep -o 'id=[0-9]* rcode=[0-9]* addrs=[^ ]*' >"$EW_TMP/pipe"
ew_expect_eq "pipelined answers" "$(tr '\n' ' ' <"$EW_TMP/pipe")" \
	"id=4665 rcode=0 addrs=10.10.2.2 id=4666 rcode=0 addrs=10.10.2.1 "
ew_expect_eq "the minors client's blocked.test never reached dnsmasq" \
	"$(asked blocked.test 10.10.1.1)$(asked blocked.test fd00:1::1)" 00

ew_say "the agent's answers in the block log (answered_by agent) and its status"
ew_expect_eq "the agent's answers' events" "$(dns_events agent 4)" "\
10.10.1.1 10.10.2.1 tcp blocked.test A 7 dns_notice
fd00:1::1 fd00:2::1 tcp www.blocked.test AAAA 7 dns_notice
10.10.1.1 10.10.2.1 tcp court.test MX 8 dns_nxdomain
10.10.1.1 10.10.2.1 tcp blocked.test A 7 dns_notice"
ew status | grep '^dns over tcp' | tee "$EW_TMP/dnstcp"
grep -q 'answered by the agent 4,' "$EW_TMP/dnstcp" || ew_fail "status does not count 4 agent answers"
ew_ok "4 block events answered by the agent, counted in status"
