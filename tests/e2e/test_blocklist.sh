#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: `edgeward block` drops a prefix at the edge's XDP hook, v4 and v6.
# The server has two addresses per family; one is blocked. Ping and TCP to it
# fail, to the other pass; the drop counter and the rule's hit counter grow by
# exactly the packets sent; `block --list` shows exactly what was added;
# `unblock` restores traffic. Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

ew_require_root
ew_topology_up
ew_http_server 80
ew_agent_start

ew_say "baseline: everything reachable through the edge"
for a in 10.10.2.1 10.10.2.2 fd00:2::1 fd00:2::2; do
	ew_ping_ok "$a" || ew_fail "ping $a before blocking"
	ew_tcp_ok "$a" || ew_fail "TCP to $a before blocking"
done
ew_ok "ping and TCP to all four server addresses"

ew_say "block 10.10.2.2/32 (rule 41) and fd00:2::2/128 (rule 42)"
ew block 10.10.2.2/32 --rule 41
ew block fd00:2::2/128 --rule 42
ew block --list | tee "$EW_TMP/list"
ew_expect_eq "block --list" "$(sort "$EW_TMP/list" | tr '\n' ';')" \
	"10.10.2.2/32 rule 41 match both;fd00:2::2/128 rule 42 match both;"
ew_expect_eq "rule covering 10.10.2.2 in the pinned map" "$(ew_block_rule 10.10.2.2)" 41
ew_expect_eq "rule covering fd00:2::2 in the pinned map" "$(ew_block_rule fd00:2::2)" 42
ew_expect_eq "rule covering 10.10.2.1" "$(ew_block_rule 10.10.2.1)" none
ew_expect_eq "rule covering fd00:2::1" "$(ew_block_rule fd00:2::1)" none
r4=41 r6=42

drop0=$(ew_counter DROP_PREFIX)
hits4=$(ew_rule_hits "$r4")
hits6=$(ew_rule_hits "$r6")
bytes4=$(ew_rule_hits "$r4" bytes)
bytes6=$(ew_rule_hits "$r6" bytes)

ew_say "IPv4: 3 pings and 1 SYN to the blocked address are dropped"
ew_ping_lost 10.10.2.2 3 || ew_fail "ping 10.10.2.2 got an answer while blocked"
ew_ping_ok 10.10.2.1 || ew_fail "ping 10.10.2.1 failed while only .2 is blocked"
ew_tcp_blocked 10.10.2.2 || ew_fail "TCP to 10.10.2.2 connected while blocked"
ew_tcp_ok 10.10.2.1 || ew_fail "TCP to 10.10.2.1 failed while only .2 is blocked"
ew_expect_eq "DROP_PREFIX grew by" $(($(ew_counter DROP_PREFIX) - drop0)) 4
ew_expect_eq "rule $r4 hits grew by" $(($(ew_rule_hits "$r4") - hits4)) 4
# 3 echo requests of 14+84 bytes, 1 SYN of 14+20+40 (options) bytes.
ew_expect_eq "rule $r4 bytes grew by" $(($(ew_rule_hits "$r4" bytes) - bytes4)) 368

ew_say "IPv6: 3 pings and 1 SYN to the blocked address are dropped"
ew_ping_lost fd00:2::2 3 || ew_fail "ping fd00:2::2 got an answer while blocked"
ew_ping_ok fd00:2::1 || ew_fail "ping fd00:2::1 failed while only ::2 is blocked"
ew_tcp_blocked fd00:2::2 || ew_fail "TCP to fd00:2::2 connected while blocked"
ew_tcp_ok fd00:2::1 || ew_fail "TCP to fd00:2::1 failed while only ::2 is blocked"
ew_expect_eq "DROP_PREFIX grew by" $(($(ew_counter DROP_PREFIX) - drop0)) 8
ew_expect_eq "rule $r6 hits grew by" $(($(ew_rule_hits "$r6") - hits6)) 4
# 3 echo requests of 14+40+64 bytes, 1 SYN of 14+40+40 bytes.
ew_expect_eq "rule $r6 bytes grew by" $(($(ew_rule_hits "$r6" bytes) - bytes6)) 448

ew_say "edgeward status reports the same numbers as the pinned maps"
ew status >"$EW_TMP/status"
cat "$EW_TMP/status"
ew_expect_eq "status xdp_drop_prefix" "$(ew_status_packets "$EW_TMP/status" xdp_drop_prefix)" \
	"$(ew_counter DROP_PREFIX)"
ew_expect_eq "status rule 41 hits" "$(ew_status_packets "$EW_TMP/status" 41)" "$(ew_rule_hits 41)"
ew_expect_eq "status rule 42 hits" "$(ew_status_packets "$EW_TMP/status" 42)" "$(ew_rule_hits 42)"
# --xdp-mode auto picks native XDP where the driver has it, as veth does.
ew_expect_eq "interfaces in native XDP mode" \
	"$(grep -cE '^  ew[cs] +xdp native .* tc ingress' "$EW_TMP/status")" 2
grep -q '^blocklist: 1 IPv4 prefixes, 1 IPv6 prefixes$' "$EW_TMP/status" ||
	ew_fail "status does not show 1 IPv4 and 1 IPv6 prefix"

ew_say "unblock: traffic passes again, nothing more is dropped"
ew unblock 10.10.2.2/32 fd00:2::2/128
ew_expect_eq "block --list after unblock" "$(ew block --list)" ""
drop1=$(ew_counter DROP_PREFIX)
for a in 10.10.2.2 fd00:2::2; do
	ew_ping_ok "$a" || ew_fail "ping $a after unblock"
	ew_tcp_ok "$a" || ew_fail "TCP to $a after unblock"
done
ew_ok "ping and TCP to 10.10.2.2 and fd00:2::2 pass"
ew_expect_eq "DROP_PREFIX after unblock" "$(ew_counter DROP_PREFIX)" "$drop1"

ew_say "edgeward detach removes programs, qdisc filters and pins"
ew_agent_kill TERM
ew detach
for n in ewc ews; do
	grep -q 'prog/xdp' <<<"$(ip -n "$EW_NE" -d link show dev "$n")" &&
		ew_fail "XDP still attached to $n after detach"
	grep -q bpf <<<"$(tc -n "$EW_NE" filter show dev "$n" ingress 2>/dev/null)" &&
		ew_fail "TC filter still on $n after detach"
done
[ ! -e "$EW_PIN" ] || ew_fail "$EW_PIN still exists after detach: $(ls "$EW_PIN")"
ew_ok "nothing attached, nothing pinned"
ew_ping_ok 10.10.2.1 || ew_fail "traffic stopped after detach"
ew_ok "traffic flows without edgeward"
