#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of the policy's decision at HTTP request time in the inline
# proxy, as a user feels it: small pages from Debian's nginx through the
# edge namespace (tests/e2e/lib.sh), `edgeward run --mode inline` without
# a policy (every request passes the proxy undecided: the baseline) and
# with a policy of 1,000,000 domain entries (a tenth of them *.suffix)
# whose rule every request is decided against (the Host is not listed,
# so every label suffix is probed and the request goes on). Both steer
# every flow to port 80. Interleaved in one invocation, medians of RUNS:
# wrk, 2 threads, 16 keep-alive connections, requests/s, and the ratio.
# Usage: bench/policy_inline_bench.sh [RUNS (3)] [SECONDS per wrk run (5)] [ENTRIES (1000000)]
set -eu
RUNS=${1:-3}
SECS=${2:-5}
N=${3:-1000000}
cd "$(dirname "$0")/.."
B=${B:-build}
. tests/e2e/lib.sh
command -v wrk >/dev/null || { echo "bench: wrk is not installed (packages.txt)" >&2; exit 2; }
make -s --no-print-directory B="$B" all

ew_require_root
ew_topology_up
WWW=$EW_TMP/www
mkdir -p "$WWW" "$EW_TMP/pol"
head -c 1024 /dev/zero | tr '\0' 'x' >"$WWW/page.html"
ew_nginx_server "$WWW" 80
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf (i % 10 ? "d%07d.example\n" : "*.w%07d.example\n"), i }' >"$EW_TMP/pol/domains.txt"
cat >"$EW_TMP/pol/policy.yaml" <<EOF
lists:
  - {name: big, type: domain, file: domains.txt}
rules:
  - {name: big-list, match: {domain_list: big}, action: notice}
  - {name: rest, action: allow}
EOF
HOST=www.not-listed.example.org

start() {	# start MODE: nopolicy | policy
	local t0=$(date +%s%N)

	if [ "$1" = policy ]; then
		ew_agent_start --mode inline --control "$EW_TMP/agent.sock" --log /dev/null \
			--policy "$EW_TMP/pol/policy.yaml"
		echo "  agent with the policy attached in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
	else
		ew_agent_start --mode inline --control "$EW_TMP/agent.sock" --log /dev/null
	fi
	# the proxy takes flows once the agent serves its control socket
	for i in $(seq 100); do ew status --control "$EW_TMP/agent.sock" >/dev/null 2>&1 && return; sleep 0.1; done
	ew_fail "the agent did not answer on its control socket"
}
# The pins stay between runs (a restart reuses them): detaching would let
# another user of the global pins in between.
stop() { ew_agent_kill TERM; }
rps() { awk '/Requests\/sec/ { print $2 }'; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A R
for run in $(seq "$RUNS"); do
	for mode in nopolicy policy; do
		start "$mode"
		n0=$(ew_counter TC_STEER_NEW)
		R[$mode]+="$(cli wrk -t2 -c16 -d"${SECS}s" -H "Host: $HOST" \
			http://10.10.2.1/page.html | rps) "
		[ "$(ew_counter TC_STEER_NEW)" -gt "$n0" ] || ew_fail "$mode: nothing was steered" \
			"($(ew_counter TC_STEER_NEW) new, $(ew_counter TC_STEER_FULL) full," \
			"$(ew_counter TC_STEER_NO_LISTENER) no listener, runs: ${R[$mode]})"
		stop
	done
done
med() { tr ' ' '\n' <<<"${R[$1]}" | grep . | median; }
echo
echo "HTTP requests through the inline proxy, wrk -t2 -c16, 1 KB pages, Host not listed"
echo "(medians of $RUNS runs of ${SECS}s; $N domain entries):"
printf '  %-10s %9.1f req/s   (runs: %s)\n' "no policy" "$(med nopolicy)" "${R[nopolicy]}"
printf '  %-10s %9.1f req/s   (runs: %s)\n' "policy" "$(med policy)" "${R[policy]}"
printf '  ratio %.3f\n' "$(awk -v a="$(med policy)" -v b="$(med nopolicy)" 'BEGIN {print a / b}')"
