#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: edgeward's edge data path, narrated, in three network
# namespaces (the e2e topology of tests/e2e/lib.sh). It attaches XDP and TC
# on the edge, drops a blocked prefix at XDP (ping and TCP fail, counters
# show it), mirrors a tagged HTTP flow to a pcapng file (tshark summarises
# it), shows the data path outliving the agent, prints `edgeward status`,
# and tears everything down, also on Ctrl-C. The pcapng is kept in
# $EW_DEMO_OUT (default build/demo/).
. "$(dirname "$0")/lib.sh"

OUT=${EW_DEMO_OUT:-$EW_ROOT/${B:-build}/demo}

# step TITLE: a numbered heading; show CMD...: print a command, then run it.
STEP=0
BOLD= PLAIN=
[ -t 1 ] && BOLD=$'\033[1m' PLAIN=$'\033[0m'
step() { STEP=$((STEP + 1)); printf '\n%s%d. %s%s\n' "$BOLD" "$STEP" "$*" "$PLAIN"; }
show() { printf '   $ %s\n' "$*"; }
indent() { sed 's/^/     /'; }

if [ "$(id -u)" != 0 ]; then
	echo "edgeward demo: needs root (network namespaces, BPF): sudo make demo" >&2
	exit 1
fi
ew_require_root
mkdir -p "$OUT"
rm -f "$OUT/mirror.pcapng"

cat <<'EOF'
edgeward demo: a client, an edge host running edgeward, and a server, each
in its own network namespace. Everything the client sends to the server
crosses the edge, where edgeward's XDP and TC programs sit on the ingress of
both veths:

  client 10.10.1.1 ──veth── [XDP+TC] edge (router) [XDP+TC] ──veth── server
         fd00:1::1                                              10.10.2.1, 10.10.2.2
                                                                fd00:2::1, fd00:2::2
EOF

step "Build the topology and attach edgeward on the edge"
ew_topology_up
ew_http_server 80
head -c $((256 << 10)) /dev/urandom >"$EW_TMP/www/photo.bin"
show "edgeward run --iface ewc --iface ews --pcap-out $OUT/mirror.pcapng &"
ew_agent_start --pcap-out "$OUT/mirror.pcapng"
ew status | sed -n '/^attached:/,/^agent:/p' | indent

step "Block a prefix: the responder's emergency brake"
show "edgeward block 10.10.2.2/32 --rule 100"
ew block 10.10.2.2/32 --rule 100 | indent
show "ping -c 3 10.10.2.1     (not blocked)"
cli ping -n -c 3 -i 0.2 -W 1 10.10.2.1 | grep -E 'transmitted' | indent
show "ping -c 3 10.10.2.2     (blocked)"
cli ping -n -c 3 -i 0.2 -W 1 10.10.2.2 | grep -E 'transmitted' | indent || true
show "curl http://10.10.2.2/  (blocked)"
if ew_tcp_blocked 10.10.2.2; then
	echo "connection timed out: the SYN was dropped at the edge's XDP hook" | indent
else
	ew_fail "TCP to the blocked 10.10.2.2 connected"
fi
echo "xdp_drop_prefix: $(ew_counter DROP_PREFIX) packets, rule 100: $(ew_rule_hits 100) packets" | indent

step "Tag and mirror a flow: HTTP on port 80 is inspected by default"
show "curl -o photo.bin http://10.10.2.1/photo.bin"
m0=$(ew_counter TC_MIRRORED)
cli curl -s -o "$EW_TMP/got.bin" -w '%{size_download} bytes in %{time_total} s\n' \
	"http://10.10.2.1/photo.bin" | indent
sleep 0.5
echo "tc_tagged: $(ew_counter TC_TAGGED) flows, tc_mirrored: $(($(ew_counter TC_MIRRORED) - m0)) packets for this one" | indent
show "kill -TERM <agent>       (it writes the pcapng and exits)"
ew_agent_kill TERM
tail -n 1 "$EW_TMP/agent.log" | indent
show "tshark -r $OUT/mirror.pcapng -q -z conv,tcp"
tshark -r "$OUT/mirror.pcapng" -q -z conv,tcp 2>/dev/null | sed -n '/<->/p' | indent
show "tshark -r $OUT/mirror.pcapng -Y http"
tshark -r "$OUT/mirror.pcapng" -Y http 2>/dev/null | indent

step "The data path outlives the agent"
show "ping -c 3 10.10.2.2     (agent stopped: still blocked)"
cli ping -n -c 3 -i 0.2 -W 1 10.10.2.2 | grep -E 'transmitted' | indent || true
show "curl http://10.10.2.1/  (agent stopped: traffic still flows)"
ew_tcp_ok 10.10.2.1 && echo "200 OK" | indent
echo "tagging and mirroring stop once the heartbeat is older than --stale-after;" | indent
echo "verdicts and blocklists stay enforced (tests/e2e/test_failsafe.sh)" | indent

step "Counters"
show "edgeward status"
ew status | indent

# ---- Offline pipeline on built-in sample data -----------------------------
# This section is reserved for `edgeward pcap` on policies/samples/ (its
# issue adds the step here, between the counters and the teardown).
# ----------------------------------------------------------------------------

step "Tear down"
show "edgeward detach"
ew detach | indent
echo "namespaces, programs and pins are removed on exit (also on Ctrl-C);" | indent
echo "the mirror stays in $OUT/mirror.pcapng" | indent
