#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bulk load of N synthetic prefixes (90% IPv4 /24, 10% IPv6 /64): the whole
# `edgeward block --file` (parse, build both prefix tables, swap them in)
# into fresh pins, against nftables loading the same prefixes into two
# interval sets with `nft -f` (in a scratch namespace), same data, same run,
# wall-clock seconds of each whole command. Needs root.
# Usage: bench/blocklist_load.sh [N (1000000)] [RUNS (3)]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
N=${1:-1000000}
RUNS=${2:-3}
EW=$(realpath "$B/edgeward")
[ -x "$EW" ] || { echo "bench: $EW not built (make B=$B)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF maps)"; exit 77; }
TMP=$(mktemp -d)
NS=ewload-$$
export EDGEWARD_PIN_DIR=/sys/fs/bpf/ew-bench-$$
trap '"$EW" -q detach >/dev/null 2>&1; ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
ip netns add "$NS"

python3 - "$N" "$TMP" <<'PY'
import sys
n, tmp = int(sys.argv[1]), sys.argv[2]
n4 = n * 9 // 10
v4 = [f"{1 + (i >> 16) % 200}.{(i >> 8) & 255}.{i & 255}.0/24" for i in range(n4)]
v6 = [f"2001:db8:{i >> 16:x}:{i & 0xffff:x}::/64" for i in range(n - n4)]
with open(f"{tmp}/list.txt", "w") as f:
    f.write("# synthetic blocklist\n" + "\n".join(v4 + v6) + "\n")
with open(f"{tmp}/nft", "w") as f:
    f.write("table inet ewload {\n")
    f.write("  set b4 { type ipv4_addr; flags interval; elements = {\n")
    f.write(",\n".join(v4) + " } }\n")
    f.write("  set b6 { type ipv6_addr; flags interval; elements = {\n")
    f.write(",\n".join(v6) + " } }\n}\n")
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

edgeward_once() {
	"$EW" -q detach >/dev/null
	local t0; t0=$(now)
	"$EW" block --file "$TMP/list.txt" >/dev/null
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}

nft_once() {
	ip netns exec "$NS" nft delete table inet ewload 2>/dev/null || true
	local t0; t0=$(now)
	ip netns exec "$NS" nft -f "$TMP/nft"
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}

: >"$TMP/ew"
: >"$TMP/nf"
for _ in $(seq "$RUNS"); do
	edgeward_once >>"$TMP/ew"
	nft_once >>"$TMP/nf"
done
ew=$(median <"$TMP/ew")
nf=$(median <"$TMP/nf")
echo "prefixes: $N, runs: $RUNS, interleaved (medians, wall-clock of the whole command)"
echo "baseline nft -f, two interval sets: ${nf}s   runs: $(tr '\n' ' ' <"$TMP/nf")"
echo "edgeward block --file:              ${ew}s   runs: $(tr '\n' ' ' <"$TMP/ew")"
awk -v a="$nf" -v b="$ew" 'BEGIN { printf "ratio: %.2fx faster\n", a / b }'
