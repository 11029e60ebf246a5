#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: TLS to a blocked server name is reset, both ways, and stays
# blocked; other names, and other groups' clients, connect. The server is
# `openssl s_server` with a test certificate made here; the client is
# curl. The agent reads the ClientHello's server name from the TC mirror
# (tcp/443, first packets) and looks it up in the same domain tables the
# DNS answers come from.
#
#   client 10.10.1.1, fd00:1::1 (minors) ──TLS──▶ edge ──▶ tlsserver :443
#   client 10.10.1.2 (default group)              agent: SNI ─▶ RESET verdict,
#                                                 resets; XDP: a reset for
#                                                 every later segment
# Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

ew_require_root
command -v openssl >/dev/null || { echo "skipped: openssl is not installed"; exit 77; }
ew_topology_up
ip -n "$EW_NC" addr add 10.10.1.2/24 dev veth0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=edgeward-test -keyout "$EW_TMP/key.pem" -out "$EW_TMP/cert.pem" 2>/dev/null
# The server waits 50 ms before it reads a ClientHello, as one some
# milliseconds away would: the agent acts on its mirror meanwhile.
ew_bg "$EW_NS" "$EW_PY" "$EW_ROOT/tests/e2e/tlsserver.py" "$EW_TMP/cert.pem" "$EW_TMP/key.pem" \
	443 0.05 >"$EW_TMP/tlsserver.log" 2>&1
for i in $(seq 50); do
	srv curl -sk -m 1 -o /dev/null https://127.0.0.1/ && break
	[ "$i" = 50 ] && ew_fail "the TLS server did not start: $(cat "$EW_TMP/tlsserver.log")"
	sleep 0.1
done
# tcp/443: the first 4 payload packets of a flow hold its ClientHello
ew_agent_start --mode tap --ports tcp/80,tcp/443:4
ew_domains <<EOF2
group 10.10.1.1/32 1
group fd00:1::1/128 1
rule 7 notice a=10.10.2.2 ede=17 text=Blocked for minors
name 1 blocked.test 7
name 1 *.blocked.test 7
EOF2

# fetch NAME ADDR [CURL ARGS...]: curl https://NAME/ at ADDR from the
# client; prints curl's exit code and its time in ms.
fetch()
{
	local name=$1 addr=$2 rc=0 t0 t1

	shift 2
	[[ $addr == *:* ]] && addr="[$addr]"
	t0=$(date +%s%N)
	cli curl -sk -m 5 -o "$EW_TMP/body" --resolve "$name:443:$addr" "$@" "https://$name/" \
		2>>"$EW_TMP/curl.err" || rc=$?
	t1=$(date +%s%N)
	echo "$rc $(((t1 - t0) / 1000000))"
}

# reset NAME ADDR [ARGS...]: the fetch fails at once (a reset, not a
# timeout: curl's 35 SSL connect error, 55 send or 56 receive failure, in < 2 s).
reset()
{
	local r

	r=$(fetch "$@")
	case ${r% *} in
	35 | 55 | 56) [ "${r#* }" -lt 2000 ] && return 0 ;;
	esac
	echo "fetch $1 at $2: curl exit and ms: $r; $(tail -n 1 "$EW_TMP/curl.err")" >&2
	return 1
}

ew_say "allowed name, minors client: the page arrives over TLS"
ew_expect_eq "allowed.test over IPv4" "$(fetch allowed.test 10.10.2.1 | cut -d' ' -f1)" 0
grep -q 'edgeward tls ok' "$EW_TMP/body" || ew_fail "no page: $(head -c 200 "$EW_TMP/body")"
ew_expect_eq "allowed.test over IPv6" "$(fetch allowed.test fd00:2::1 | cut -d' ' -f1)" 0

ew_say "blocked name, minors client: reset, IPv4 and IPv6, exact name and below it"
reset0=$(ew_counter RESET_TX)
reset blocked.test 10.10.2.1 --local-port 40443 || ew_fail "blocked.test over IPv4 not reset"
ew_ok "blocked.test over IPv4: reset"
reset www.BLOCKED.test fd00:2::1 || ew_fail "www.BLOCKED.test over IPv6 not reset"
ew_ok "www.BLOCKED.test over IPv6: reset"
ew_expect_eq "the flow's verdict" "$("$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" getverdict \
	10.10.1.1 40443 10.10.2.1 443 tcp)" reset
# curl sends the name lower-cased
ew_wait_grep "$EW_TMP/agent.log" '"host":"www.blocked.test"' ||
	ew_fail "no block event for www.blocked.test"
grep -F '"host":"blocked.test"' "$EW_TMP/agent.log" | grep -q '"reason":"tls_sni".*"rule":7\|"rule":7.*"reason":"tls_sni"' ||
	ew_fail "no tls_sni block event with rule 7: $(grep '"block"' "$EW_TMP/agent.log")"
ew_ok "block events name the host, the rule and tls_sni"

ew_say "the flow stays blocked: its 5-tuple's next SYN is reset by the kernel (refused)"
r=$(fetch blocked.test 10.10.2.1 --local-port 40443)
[ "${r% *}" = 7 ] && [ "${r#* }" -lt 2000 ] || ew_fail "the blocked flow's SYN: curl exit, ms: $r"
[ $(($(ew_counter RESET_TX) - reset0)) -gt 0 ] || ew_fail "XDP sent no reset"
ew_ok "XDP answered the flow's segments with resets: $(($(ew_counter RESET_TX) - reset0))"

ew_say "default-group client: the minors-only name connects"
ew_expect_eq "blocked.test from 10.10.1.2" \
	"$(fetch blocked.test 10.10.2.1 --interface 10.10.1.2 | cut -d' ' -f1)" 0
ew status | grep '^names:' | tee "$EW_TMP/names"
grep -q 'flows blocked 2, resets [1-9]' "$EW_TMP/names" || ew_fail "status: $(cat "$EW_TMP/names")"
