#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Memory per tracked flow: peak RSS of `edgeward pcap` and `edgeward
# streams` on generated captures of many idle TCP flows, against the peak
# RSS of the same command on a capture with no flows (the baseline run).
#   syn: FLOWS flows that each send only a SYN
#   req: FLOWS flows that each complete the handshake and send one small
#        GET request (no response: nothing in flight, a request pending)
# `edgeward pcap` runs with nDPI (its default) and with --no-ndpi, so the
# difference is what nDPI's classification costs a flow.
# Prints peak RSS against flow count, bytes per tracked flow and the target
# check: <= 1024 bytes per flow for `edgeward pcap`, no object in flight,
# on each of its rows, with nDPI and without (a row over it says so). With
# nDPI on, a flow with a request pending also holds nDPI's state for it:
# nDPI waits for the response, as ndpiReader does.
# Tracked flows are those open at once: opened and not evicted, exact with
# one worker (the default here; with more, a worker that reaches the end of
# the capture first flushes its flows and the others open theirs in the
# room, so the count overstates the peak). `edgeward pcap` runs with
# --memory MEMORY, large enough that no flow is evicted; `edgeward streams`
# has the default flow cap (65536), so it tracks fewer flows than it sees.
# A last run checks that --memory 16M caps the flows at 8192 and counts the
# others as evicted.
# Usage: bench/flow_memory.sh [FLOWS (100000)] [RUNS (3)] [MEMORY (1G; "": none)]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
FLOWS=${1:-100000}
RUNS=${2:-3}
MEMORY=${3-1G}
WORKERS=${EW_BENCH_WORKERS:-1}
EW=$B/edgeward
[ -x "$EW" ] || { echo "bench: $EW not built (make B=$B)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The captures: stdlib only (scapy is too slow for 400,000 packets).
/usr/bin/python3 - "$TMP" "$FLOWS" <<'PY'
import struct, sys

out, flows = sys.argv[1], int(sys.argv[2])
SRV = bytes([10, 255, 0, 1])


def writer(path):
    f = open(path, "wb")
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    return f


def tcp(f, t, src, dst, sp, dp, seq, ack, flags, payload=b""):
    th = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff,
                     5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th) + len(payload),
                     0, 0x4000, 64, 6, 0, src, dst)
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + th + payload
    sec = int(t)
    f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(frame), len(frame)))
    f.write(frame)


writer(out + "/empty.pcap").close()
syn, req = writer(out + "/syn.pcap"), writer(out + "/req.pcap")
t = 1_700_000_000.0
for n in range(flows):
    cli = bytes([10, n >> 16 & 255, n >> 8 & 255, n & 255])
    cp, cs, ss = 1024 + n % 60000, n * 7919, n * 104729
    t += 0.00001
    tcp(syn, t, cli, SRV, cp, 80, cs, 0, 0x02)
    tcp(req, t, cli, SRV, cp, 80, cs, 0, 0x02)
    tcp(req, t, SRV, cli, 80, cp, ss, cs + 1, 0x12)
    tcp(req, t, cli, SRV, cp, 80, cs + 1, ss + 1, 0x10)
    get = b"GET /i/%d HTTP/1.1\r\nHost: flows.example\r\n\r\n" % n
    tcp(req, t, cli, SRV, cp, 80, cs + 1, ss + 1, 0x18, get)
syn.close()
req.close()
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Peak RSS (kB) of one command, median of RUNS; its output in $TMP/out.
peak() {
	local i
	for i in $(seq "$RUNS"); do
		/usr/bin/time -v -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err" ||
			[ $? -le 1 ] || { cat "$TMP/err" >&2; exit 2; }
		awk -F': ' '/Maximum resident/ {print $2}' "$TMP/time"
	done | median
}

# Flows tracked at once: opened and never evicted (these flows never close).
tracked() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "summary":
        print(e["tcp"]["flows"] - e["tcp"]["evictions"], e["tcp"]["evictions"])
' "$TMP/out"
}

pcap() { peak "$EW" pcap "$TMP/$1.pcap" --workers "$WORKERS" --hash sha256 ${MEMORY:+--memory "$MEMORY"} "${@:2}"; }
pcap_no_ndpi() { pcap "$1" --no-ndpi; }
streams() { peak "$EW" streams --workers "$WORKERS" "$TMP/$1.pcap"; }

printf 'flows generated: %d per capture; --workers %s; medians of %d runs\n' "$FLOWS" "$WORKERS" "$RUNS"
printf '%-36s %9s %9s %10s %12s\n' command capture tracked "peak kB" "bytes/flow"
fail=0
declare -A per_flow
for cmd in pcap pcap_no_ndpi streams; do
	name="edgeward $cmd"
	[ $cmd != pcap_no_ndpi ] || name="edgeward pcap --no-ndpi"
	base=$($cmd empty)
	printf '%-36s %9s %9d %10d %12s\n' "$name" empty 0 "$base" -
	for cap in syn req; do
		rss=$($cmd $cap)
		read -r n ev < <(tracked)
		per=$(awk -v r="$rss" -v b="$base" -v n="$n" 'BEGIN {printf "%.0f", (r - b) * 1024 / n}')
		per_flow[$cmd.$cap]=$per
		printf '%-36s %9s %9d %10d %12d' "$name" "$cap" "$n" "$rss" "$per"
		[ "$ev" -eq 0 ] || printf '  (%d evicted at the flow cap)' "$ev"
		if [ $cmd != streams ] && [ "$per" -gt 1024 ]; then
			printf '  (over the target)'
			fail=1
		fi
		echo
	done
done
for cap in syn req; do
	printf '%-36s %9s %9s %10s %12d\n' "nDPI's share (pcap - pcap --no-ndpi)" "$cap" - - \
		$((per_flow[pcap.$cap] - per_flow[pcap_no_ndpi.$cap]))
done
# The budget sizes the flow cap: --memory 16M holds 16M / 2 / 1 KiB = 8192
# flows; the others are evicted and counted.
if [ -n "$MEMORY" ] && [ "$WORKERS" = 1 ]; then
	rss=$(peak "$EW" pcap "$TMP/syn.pcap" --workers "$WORKERS" --hash sha256 --memory 16M)
	read -r n ev < <(tracked)
	printf '%-36s %9s %9d %10d %12s  (%d evicted at the flow cap)\n' \
		"edgeward pcap --memory 16M" syn "$n" "$rss" - "$ev"
	[ "$n" -eq 8192 ] && [ $((n + ev)) -eq "$FLOWS" ] || {
		echo "bench: --memory 16M should track 8192 flows and count the rest as evicted" >&2
		fail=1
	}
fi
if [ $fail -eq 0 ]; then
	echo "target: edgeward pcap <= 1024 bytes per tracked flow without an object in flight: met"
else
	echo "target: edgeward pcap <= 1024 bytes per tracked flow without an object in flight: NOT met"
fi
exit $fail
