#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/lists_bench.c: SHA-256 list load time, bytes per
# entry and lookup cost, and PDQ index queries/s against the linear scan.
# Usage: bench/lists_bench.sh [N...]   (default: 1000000 10000000)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/rel/libew.a"
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Wall -Wextra -Werror \
	-o "$B/bench/lists_bench" bench/lists_bench.c "$B/rel/libew.a" \
	$(pkg-config --libs libxml-2.0 zlib) -lpthread
if [ $# -eq 0 ]; then set -- 1000000 10000000; fi
"$B/bench/lists_bench" "$@"
