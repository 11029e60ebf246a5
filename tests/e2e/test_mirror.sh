#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the TC mirror equals a capture of the same traffic. The agent
# runs with --pcap-out while HTTP downloads on port 80 (tagged by default),
# over IPv4 and IPv6, cross the edge; tcpdump captures the ingress of both edge veths at the same
# time. pcapcmp.py then checks, per flow and direction, in order, that every
# mirrored packet has the captured packet's original length, min(length, cap)
# captured bytes, and those bytes exactly; and that every packet of the flow
# was mirrored. Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

SIZE=$((1 << 20))
CAP=512		# --mirror-cap: full-size frames are cut, small ones are whole

ew_require_root
ew_topology_up
ew_http_server 80
head -c "$SIZE" /dev/urandom >"$EW_TMP/www/obj.bin"
ew_agent_start --mode tap --pcap-out "$EW_TMP/mirror.pcapng" --mirror-cap "$CAP"

# capture IF FILE: tcpdump on IF in the edge namespace, 2048 bytes (> CAP) a
# packet, a 32 MiB ring (16k slots) and no batching (a killed tcpdump
# drops what it batched).
# pcapcmp.py picks each interface's ingress direction by port.
capture()
{
	ew_bg "$EW_NE" tcpdump -i "$1" -s 2048 -B 32768 -U --immediate-mode -n -w "$2" tcp port 80 \
		2>"$2.log"
	for i in $(seq 50); do
		grep -q 'listening on' "$2.log" && return 0
		sleep 0.1
	done
	ew_fail "tcpdump on $1 did not start"
}

ew_say "capture ewc and ews while downloading 1 MiB over port 80, v4 then v6"
capture ewc "$EW_TMP/c2s.pcap"
capture ews "$EW_TMP/s2c.pcap"
m0=$(ew_counter TC_MIRRORED)
for url in "http://10.10.2.1/obj.bin" "http://[fd00:2::1]/obj.bin"; do
	cli curl -s -m 20 --limit-rate 4M -o "$EW_TMP/got.bin" "$url" ||
		ew_fail "download of $url failed"
	cmp -s "$EW_TMP/got.bin" "$EW_TMP/www/obj.bin" || ew_fail "$url corrupted"
done
ew_ok "both downloads complete and intact"
sleep 1

ew_say "stop the agent (flushes the pcapng) and the captures"
ew_agent_kill TERM
for p in "${EW_PIDS[@]:1}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
EW_PIDS=("${EW_PIDS[0]}")
for f in c2s s2c; do
	grep -q '^0 packets dropped by kernel' "$EW_TMP/$f.pcap.log" ||
		ew_fail "tcpdump lost packets: $(tr '\n' ' ' <"$EW_TMP/$f.pcap.log")"
done
mirrored=$(($(ew_counter TC_MIRRORED) - m0))
ew_expect_eq "ring buffer overflows" "$(ew_counter TC_RB_FULL)" 0
[ "$mirrored" -gt 0 ] || ew_fail "nothing mirrored"
ew_ok "TC_MIRRORED grew by $mirrored"

ew_say "compare mirror and capture byte for byte"
tshark -r "$EW_TMP/mirror.pcapng" -q -z io,phs 2>/dev/null | grep -E 'eth|tcp|http' | head -5
"$EW_PY" "$EW_ROOT/tests/e2e/pcapcmp.py" --cap "$CAP" "$EW_TMP/mirror.pcapng" \
	"$EW_TMP/c2s.pcap" "$EW_TMP/s2c.pcap" 80 | tee "$EW_TMP/cmp" ||
	ew_fail "mirror differs from capture"
ew_expect_eq "packets compared (all mirrored ones)" \
	"$(grep -o '[0-9]* packets equal' "$EW_TMP/cmp" | awk '{ n += $1 } END { print n }')" \
	"$mirrored"
ew_expect_eq "packets in the pcapng" \
	"$(tshark -r "$EW_TMP/mirror.pcapng" 2>/dev/null | wc -l)" "$mirrored"
ew_ok "mirror equals capture"
