#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of nDPI classification (the policy's app and app_category
# rules; on in the live agent in tap mode) per flow: `edgeward pcap
# --workers 1` over the nDPI test captures of the shared test data (44
# captures of many protocols) given REPEAT times, with nDPI (the default)
# and without (--no-ndpi, the baseline), interleaved, medians of RUNS of
# CPU time (user + system). Prints flows, packets, both times, the cost
# per flow and per packet, and the ratio.
# Usage: bench/classify_cost.sh [RUNS (5)] [REPEAT (40)]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
RUNS=${1:-5}
REPEAT=${2:-40}
EW=$B/edgeward
DATA=${EW_TESTDATA:-$PWD/../shared/testdata}/ndpi/pcaps
[ -x "$EW" ] || { echo "bench: $EW not built (make B=$B)" >&2; exit 2; }
[ -d "$DATA" ] || { echo "bench: no nDPI test captures in $DATA" >&2; exit 2; }
files=()
for i in $(seq "$REPEAT"); do files+=("$DATA"/*.pcap*); done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cpu() {	# cpu ARGS...: CPU seconds of one run; the summary line kept
	/usr/bin/time -f "%U %S" -o "$TMP/t" "$EW" pcap --workers 1 "$@" "${files[@]}" \
		>"$TMP/out" 2>/dev/null || [ $? -le 1 ]
	tail -n 1 "$TMP/out" >"$TMP/summary"
	awk '{print $1 + $2}' "$TMP/t"
}
with=() without=()
for r in $(seq "$RUNS"); do
	with+=("$(cpu)")
	without+=("$(cpu --no-ndpi)")
done
cpu >/dev/null
read -r flows packets < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print(s["ndpi"]["flows"], s["packets"]["frames"])' "$TMP/summary")
w=$(printf '%s\n' "${with[@]}" | median)
n=$(printf '%s\n' "${without[@]}" | median)
echo "nDPI classification, edgeward pcap --workers 1, $REPEAT x the $(ls "$DATA" | wc -l) nDPI test captures"
echo "($flows flows, $packets packets; CPU seconds, medians of $RUNS runs):"
printf '  without nDPI (--no-ndpi)  %7.3f s\n' "$n"
printf '  with nDPI                 %7.3f s   ratio %.2f\n' "$w" "$(awk -v a="$w" -v b="$n" 'BEGIN {print a / b}')"
awk -v a="$w" -v b="$n" -v f="$flows" -v p="$packets" 'BEGIN {
	printf "  nDPI: %.1f us per flow, %.2f us per packet\n", (a - b) * 1e6 / f, (a - b) * 1e6 / p }'
