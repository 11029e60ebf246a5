#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every benchmark; each prints its baseline and the ratio.
# Add one line per benchmark.
set -u
cd "$(dirname "$0")/.."
export B=${B:-build}
rc=0
bench() { echo "== $*"; "$@" || rc=1; }

bench bench/pcap_scaling.sh "${EW_BENCH_SCALING_MB:-320}" "${EW_BENCH_RUNS:-5}"
bench bench/pcap_throughput.sh "${EW_BENCH_MB:-200}" "${EW_BENCH_RUNS:-3}"
bench make -s --no-print-directory B="$B" "$B/bench/xdp_cost" && bench "$B/bench/xdp_cost" "${EW_BENCH_RUNS:-5}"
bench bench/blocklist_load.sh "${EW_BENCH_PREFIXES:-1000000}" "${EW_BENCH_RUNS:-3}"
bench bench/pdq_bench.sh "${EW_BENCH_RUNS:-5}" 0.4
bench bench/drop_rate.sh
bench bench/reasm_bench.sh "${EW_BENCH_REASM_MB:-256}" "${EW_BENCH_RUNS:-5}"
bench bench/lists_bench.sh ${EW_BENCH_LIST_SIZES:-1000000 10000000}
bench bench/policy_bench.sh "${EW_BENCH_POLICY_N:-1000000}"
bench bench/policy_inline_bench.sh "${EW_BENCH_RUNS:-3}" 5 "${EW_BENCH_POLICY_N:-1000000}"
bench bench/classify_cost.sh "${EW_BENCH_RUNS:-5}" 40
bench bench/http_bench.sh "${EW_BENCH_HTTP_MB:-256}" "${EW_BENCH_RUNS:-5}"
bench bench/eventlog_bench.sh "${EW_BENCH_EVENTS:-1000000}"
bench bench/dns_bench.sh "${EW_BENCH_RUNS:-5}" 5

exit $rc
