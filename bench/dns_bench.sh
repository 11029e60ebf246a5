#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DNS answers for blocked names, in one invocation:
#
#   1. the TC program's own cost per query (bench/dns_cost.c, test runs
#      against a bare program): answered, looked up and passed, not DNS;
#   2. answers per second at the edge, end to end: dnsperf in the client
#      namespace sends the same blocked-name queries (A, EDNS) to the
#      edge's address as fast as it takes them, answered either by the TC
#      program (the domain tables hold the name) or, the baseline, by
#      dnsmasq running on the edge as a filtering resolver (the tables
#      empty, dnsmasq's --address holds the name): the same answer from
#      the same host to the same client, once in the kernel hook, once in
#      a user-space resolver.
#
#   client ns ── dnsperf ──▶ 10.10.1.254:53 (edge ns) ── TC answers
#                                          └─ or dnsmasq on the edge answers
#
# Rounds alternate TC and dnsmasq, RUNS rounds of SECONDS each; medians of
# the queries per second, and of the per-round ratio. Both share the two
# cores with dnsperf, which is the client's limit: the ratio is a floor.
# Topology: tests/e2e/lib.sh. Usage: dns_bench.sh [RUNS] [SECONDS] (root).
. "$(dirname "$0")/../tests/e2e/lib.sh"

RUNS=${1:-5}
SECS=${2:-5}

if [ "$(id -u)" != 0 ]; then
	echo "dns_bench: skipped: needs root (namespaces, BPF)"
	exit 77
fi
for t in dnsperf dnsmasq; do
	command -v $t >/dev/null || { echo "dns_bench: skipped: $t is not installed (packages.txt)"; exit 77; }
done
make -s --no-print-directory B="${B:-build}" "${B:-build}/bench/dns_cost" \
	"${B:-build}/tests/e2e/ew_domains" || exit 1

echo "-- 1. the TC program's DNS step, per query (BPF_PROG_TEST_RUN)"
"$EW_ROOT/${B:-build}/bench/dns_cost" 20001 100000 || exit 1

echo "-- 2. answers per second at the edge: TC against dnsmasq on the edge"
ew_require_root
ew_topology_up
ew_agent_start --mode tap
ew_bg "$EW_NE" dnsmasq --keep-in-foreground -C /dev/null --no-resolv --no-hosts \
	--bind-interfaces --listen-address=10.10.1.254 --user=root --group=root \
	--pid-file="$EW_TMP/dnsmasq.pid" --cache-size=1000 --dns-forward-max=1000 \
	--address=/blocked.test/10.10.2.2
for i in $(seq 50); do
	[ "$(cli dig +short +time=1 +tries=1 @10.10.1.254 blocked.test)" = 10.10.2.2 ] && break
	[ "$i" = 50 ] && ew_fail "dnsmasq on the edge did not answer"
	sleep 0.1
done
for i in $(seq 1000); do echo "blocked.test A"; done >"$EW_TMP/queries"

tables_on() {
	ew_domains <<EOF
group 10.10.1.0/24 1
rule 7 notice a=10.10.2.2 ede=17 text=Blocked for minors; contact help@isp.test
name 1 blocked.test 7
EOF
}
tables_off() { ew_domains </dev/null; }

# qps: one dnsperf run; prints the queries per second answered.
qps()
{
	cli dnsperf -s 10.10.1.254 -d "$EW_TMP/queries" -e -l "$SECS" -q 500 -c 4 \
		>"$EW_TMP/dnsperf" 2>&1 || true
	# the queries still in flight at the time limit count as lost: warn
	# from 1% on
	awk '/Queries lost:/ { gsub(/[()%]/, "", $4); if ($4 + 0 >= 1) exit 1 }' \
		"$EW_TMP/dnsperf" ||
		echo "dns_bench: warning: $(grep 'Queries lost' "$EW_TMP/dnsperf")" >&2
	awk '/Queries per second:/ { printf "%d\n", $4 }' "$EW_TMP/dnsperf"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tc=() dm=() ratio=()
for r in $(seq "$RUNS"); do
	tables_on
	n0=$(ew_counter DNS_NOTICE)
	a=$(qps)
	[ "$(($(ew_counter DNS_NOTICE) - n0))" -gt 0 ] || ew_fail "TC answered nothing"
	tables_off
	n0=$(ew_counter DNS_NOTICE)
	b=$(qps)
	[ "$(ew_counter DNS_NOTICE)" = "$n0" ] || ew_fail "TC answered with the tables empty"
	tc+=("$a") dm+=("$b")
	ratio+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b ? a / b : 0 }')")
	printf '  round %d: TC %s/s, dnsmasq %s/s\n' "$r" "$a" "$b"
done
printf 'baseline: dnsmasq on the edge answers %s queries/s (median of %d x %d s)\n' \
	"$(printf '%s\n' "${dm[@]}" | median)" "$RUNS" "$SECS"
printf 'edgeward: the TC program answers %s queries/s\n' "$(printf '%s\n' "${tc[@]}" | median)"
printf 'ratio: %sx (median of the per-round ratios)\n' "$(printf '%s\n' "${ratio[@]}" | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
