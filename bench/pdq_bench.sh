#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/pdq_bench.c: images/s through decode alone (baseline),
# decode + PDQ, and decode + PDQ in the sandboxed worker.
# Usage: bench/pdq_bench.sh [RUNS] [SECONDS_PER_RUN]
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/rel/libew.a"
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Itests -Wall -Wextra -Werror \
	-o "$B/bench/pdq_bench" bench/pdq_bench.c "$B/rel/libew.a" \
	-ljpeg -lpng -lgif -lwebp -lseccomp -lm
"$B/bench/pdq_bench" "${1:-5}" "${2:-0.4}"
