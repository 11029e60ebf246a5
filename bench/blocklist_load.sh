#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bulk load of N synthetic prefixes (90% IPv4 /24, 10% IPv6 /64) into fresh
# pinned prefix hashes with `edgeward block --file`, BPF_MAP_UPDATE_BATCH against
# the per-element baseline (EDGEWARD_NO_BATCH=1), same data, same run.
# Uses its own pin directory, removed afterwards. Needs root.
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
export EDGEWARD_PIN_DIR=/sys/fs/bpf/ew-bench-$$
trap '"$EW" -q detach >/dev/null 2>&1; rm -rf "$TMP"' EXIT

python3 - "$N" >"$TMP/list.txt" <<'PY'
import sys
n = int(sys.argv[1]); n4 = n * 9 // 10
print("# synthetic blocklist")
for i in range(n4):
    print(f"{1 + (i >> 16) % 200}.{(i >> 8) & 255}.{i & 255}.0/24")
for i in range(n - n4):
    print(f"2001:db8:{i >> 16:x}:{i & 0xffff:x}::/64")
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# seconds the map writes took, as `block --file` reports them
load() {
	"$EW" -q detach >/dev/null
	"$EW" block --file "$TMP/list.txt" | sed -n 's/.* in \([0-9.]*\)s .*/\1/p'
}

batch=$(for _ in $(seq "$RUNS"); do load; done | median)
each=$(for _ in $(seq "$RUNS"); do EDGEWARD_NO_BATCH=1 load; done | median)
echo "prefixes: $N, runs: $RUNS (medians)"
echo "baseline per-element update: ${each}s"
echo "edgeward batch update:       ${batch}s"
awk -v a="$each" -v b="$batch" 'BEGIN { printf "ratio: %.2fx faster\n", a / b }'
