#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/eventlog_bench.c: events/s written through the
# event log, without and with the HMAC chain (and pseudonyms), against the
# plain FILE* writer as the baseline. Usage: bench/eventlog_bench.sh [N [DIR]]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/rel/libew.a"
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Wall -Wextra -Werror \
	-o "$B/bench/eventlog_bench" bench/eventlog_bench.c "$B/rel/libew.a" \
	$(pkg-config --libs libcrypto) -lpthread
"$B/bench/eventlog_bench" "${1:-1000000}" "${2:-/tmp}"
