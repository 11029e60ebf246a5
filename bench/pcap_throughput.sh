#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `edgeward pcap` throughput on a generated capture of image downloads,
# single-threaded, in the same run as its baselines:
#   (a) openssl speed -evp for the same hash set (target: >= 70% of it)
#   (b) tshark --export-objects http on the same file
# Prints payload MB/s, objects/s, peak RSS and the ratios (medians of RUNS).
# Rates divide by CPU time (user + system), as `openssl speed` does by
# default, so a busy shared machine does not skew the ratios; wall time is
# printed too.
# Usage: bench/pcap_throughput.sh [MEGABYTES (200)] [RUNS (3)]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
MB=${1:-200}
RUNS=${2:-3}
HASHES=md5,sha1,sha256
EW=$B/edgeward
[ -x "$EW" ] || { echo "bench: $EW not built (make B=$B)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

gen=$(python3 bench/gen_http_capture.py "$TMP/img.pcap" "$MB")
payload=$(echo "$gen" | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
objects=$(echo "$gen" | python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"])')
echo "capture: $gen"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# CPU seconds (user + system), wall seconds and peak RSS (kB) of one
# command, from /usr/bin/time -v
timed() {
	/usr/bin/time -v -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" || {
		rc=$?; [ $rc -le 1 ] || { cat "$TMP/err" >&2; exit 2; }; }
	awk -F': ' '/User time/ {cpu+=$2} /System time/ {cpu+=$2}
		/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0;
		for (i=1;i<=n;i++) s=s*60+t[i]; wall=s}
		/Maximum resident/ {rss=$2} END {print cpu, wall, rss}' "$TMP/time"
}

ew_t=() ew_w=() ew_rss=() ts_t=()
for i in $(seq "$RUNS"); do
	read -r t w rss < <(timed "$EW" -q pcap "$TMP/img.pcap" --hash "$HASHES" --out "$TMP/ev.json")
	ew_t+=("$t"); ew_w+=("$w"); ew_rss+=("$rss")
	rm -rf "$TMP/objs"; mkdir "$TMP/objs"
	read -r t _ _ < <(timed tshark -n -r "$TMP/img.pcap" -q --export-objects "http,$TMP/objs")
	ts_t+=("$t")
done
found=$(grep -c '"event":"object"' "$TMP/ev.json" || true)
[ "$found" -eq "$objects" ] || { echo "bench: edgeward reported $found objects, expected $objects" >&2; exit 1; }

# openssl: bytes/s of each digest on 16 KiB blocks; all three over the same
# bytes take the sum of their per-byte times.
ossl=0
for h in ${HASHES//,/ }; do
	bps=$(openssl speed -seconds 2 -bytes 16384 -mr -evp "$h" 2>/dev/null |
	      awk -F: '/^\+F:/ {print $4}')
	echo "openssl $h: $(awk -v b="$bps" 'BEGIN {printf "%.0f MB/s", b/1e6}')"
	ossl=$(awk -v a="$ossl" -v b="$bps" 'BEGIN {print a + 1/b}')
done

t=$(printf '%s\n' "${ew_t[@]}" | median)
wall=$(printf '%s\n' "${ew_w[@]}" | median)
rss=$(printf '%s\n' "${ew_rss[@]}" | median)
tt=$(printf '%s\n' "${ts_t[@]}" | median)
awk -v p="$payload" -v o="$objects" -v t="$t" -v tt="$tt" -v inv="$ossl" -v rss="$rss" -v wall="$wall" \
    -v runs="$RUNS" -v h="$HASHES" 'BEGIN {
	ew = p / t / 1e6; os = 1 / inv / 1e6; ts = p / tt / 1e6
	printf "edgeward pcap --hash %s: %.1f MB/s payload, %.0f objects/s, %.2f s CPU (%.2f s wall), peak RSS %d kB (median of %d)\n", h, ew, o / t, t, wall, rss, runs
	printf "openssl speed -evp %s (16 KiB, serial sum): %.1f MB/s\n", h, os
	printf "tshark --export-objects http: %.1f MB/s, %.2f s CPU\n", ts, tt
	printf "ratio edgeward/openssl: %.2f (target >= 0.70)\n", ew / os
	printf "ratio edgeward/tshark: %.2f\n", ew / ts
}'
