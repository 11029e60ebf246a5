#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs bench/policy_bench.c: the compile time and memory of a
# policy with N domain entries (N/10 prefixes, N/10 URLs), and the cost of
# one decision at each point against a linear scan of the domain list.
# Usage: bench/policy_bench.sh [N]   (default 1000000)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s --no-print-directory B="$B" "$B/bench/policy_bench"
"$B/bench/policy_bench" "${1:-1000000}"
