#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/http_bench.c: HTTP parsing and body decoding
# throughput against memcpy (plain, chunked) and zlib alone (gzip).
# Usage: bench/http_bench.sh [MB] [RUNS]   (default: 256 5)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/rel/libew.a"
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Wall -Wextra -Werror \
	-o "$B/bench/http_bench" bench/http_bench.c "$B/rel/libew.a" \
	$(pkg-config --libs zlib libbrotlidec libzstd liblzma)
"$B/bench/http_bench" "${1:-256}" "${2:-5}"
