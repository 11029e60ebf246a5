#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/reasm_bench.c: packet decoding and TCP reassembly
# throughput on frames built in memory, against memcpy of the same bytes.
# Usage: bench/reasm_bench.sh [MB] [RUNS]   (default: 256 5)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/rel/libew.a"
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Wall -Wextra -Werror \
	-o "$B/bench/reasm_bench" bench/reasm_bench.c "$B/rel/libew.a"
"$B/bench/reasm_bench" "${1:-256}" "${2:-5}"
