#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `edgeward pcap` on every core: one capture of HTTP image downloads in
# 1448-byte segments (>= 300 MB), in one invocation:
#   1. --hash md5,sha1,sha256 with --workers 1 and --workers 2, interleaved:
#      body bytes per wall-clock second, the speed-up (target >= 1.8 on two
#      cores), and the two-worker rate against `openssl speed -evp` for the
#      same digests on one core, the one-core limit (target >= 1.6);
#   2. --hash sha256 with one worker: body bytes per CPU second (user +
#      system) against `openssl speed -evp sha256` (target >= 0.75): what
#      reading, decoding, reassembling and parsing cost beside the digest;
#      and against `openssl dgst -sha256 CAPTURE`, which reads the file
#      from the page cache and hashes every byte of it: the floor for any
#      program that hashes bodies it reads from a capture (openssl speed
#      hashes one 16 KiB block that stays in L1; a capture must come
#      through memory and page faults).
# Medians of RUNS. The output of every run is checked (all objects found).
# Usage: bench/pcap_scaling.sh [MEGABYTES (320)] [RUNS (5)]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
MB=${1:-320}
RUNS=${2:-5}
EW=$B/edgeward
[ -x "$EW" ] || { echo "bench: $EW not built (make B=$B)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

gen=$(python3 bench/gen_http_capture.py "$TMP/img.pcap" "$MB")
payload=$(echo "$gen" | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
objects=$(echo "$gen" | python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"])')
echo "capture: $gen"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# wall and CPU seconds of one edgeward run; checks the objects it found
timed() {
	/usr/bin/time -f '%e %U %S' -o "$TMP/time" "$EW" pcap "$TMP/img.pcap" \
		--out "$TMP/ev.json" --force "$@" 2>"$TMP/err" >/dev/null ||
		{ [ $? -le 1 ] || { cat "$TMP/err" >&2; exit 2; }; }
	found=$(grep -c '"event":"object"' "$TMP/ev.json" || true)
	[ "$found" -eq "$objects" ] ||
		{ echo "bench: $found objects reported, $objects sent" >&2; exit 1; }
	awk '{print $1, $2 + $3}' "$TMP/time"
}

# one-core bytes/s of each digest on 16 KiB blocks
ossl() {
	openssl speed -seconds 2 -bytes 16384 -mr -evp "$1" 2>/dev/null |
		awk -F: '/^\+F:/ {print $4}'
}

# CPU seconds of openssl reading and hashing the whole capture
dgst() {
	/usr/bin/time -f '%U %S' -o "$TMP/dtime" openssl dgst -sha256 "$TMP/img.pcap" >/dev/null
	awk '{print $1 + $2}' "$TMP/dtime"
}

w1=() w2=() c1=() s256=() d256=()
for i in $(seq "$RUNS"); do
	read -r w _ < <(timed --workers 1 --hash md5,sha1,sha256)
	w1+=("$w")
	read -r w _ < <(timed --workers 2 --hash md5,sha1,sha256)
	w2+=("$w")
	read -r _ c < <(timed --workers 1 --hash sha256)
	c1+=("$c")
	d256+=("$(dgst)")
done
for i in $(seq 3); do s256+=("$(ossl sha256)"); done
limit=0
for h in md5 sha1 sha256; do
	bps=$(ossl "$h")
	echo "openssl speed -evp $h: $(awk -v b="$bps" 'BEGIN {printf "%.0f MB/s", b/1e6}')"
	limit=$(awk -v a="$limit" -v b="$bps" 'BEGIN {print a + 1/b}')
done
m1=$(printf '%s\n' "${w1[@]}" | median)
m2=$(printf '%s\n' "${w2[@]}" | median)
mc=$(printf '%s\n' "${c1[@]}" | median)
ms=$(printf '%s\n' "${s256[@]}" | median)
md=$(printf '%s\n' "${d256[@]}" | median)
fbytes=$(stat -c %s "$TMP/img.pcap")
awk -v p="$payload" -v m1="$m1" -v m2="$m2" -v mc="$mc" -v inv="$limit" -v s="$ms" \
    -v runs="$RUNS" -v md="$md" -v fb="$fbytes" 'BEGIN {
	r1 = p / m1 / 1e6; r2 = p / m2 / 1e6; lim = 1 / inv / 1e6
	printf "md5+sha1+sha256, 1 worker:  %.1f MB/s body per wall second (%.2f s, median of %d)\n", r1, m1, runs
	printf "md5+sha1+sha256, 2 workers: %.1f MB/s body per wall second (%.2f s)\n", r2, m2
	printf "one-core limit, openssl speed -evp md5+sha1+sha256 (serial sum): %.1f MB/s\n", lim
	printf "speed-up 2 workers / 1 worker: %.2f (target >= 1.8)\n", r2 / r1
	printf "2 workers / one-core limit:   %.2f (target >= 1.6)\n", r2 / lim
	printf "sha256, 1 worker: %.1f MB/s body per CPU second (%.2f s CPU); openssl speed -evp sha256: %.1f MB/s\n", p / mc / 1e6, mc, s / 1e6
	printf "sha256 ratio edgeward/openssl, one core: %.2f (target >= 0.75)\n", p / mc / s
	printf "openssl dgst -sha256 of the capture file: %.1f MB/s per CPU second (%.2f s CPU)\n", fb / md / 1e6, md
	printf "sha256 ratio edgeward/openssl dgst of the file, one core: %.2f\n", (p / mc) / (fb / md)
}'
