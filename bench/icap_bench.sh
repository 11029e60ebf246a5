#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What edgeward icap costs a proxy: generated PNGs (none listed, so every
# one is hashed whole and allowed) fetched through Squid over plain HTTP
# (TLS costs kept out) by one keep-alive client, with three Squids in the
# same invocation, each its own port:
#
#   no ICAP (baseline) | RESPMOD to edgeward icap | RESPMOD to c-icap's echo
#
# Prints requests/s and per-object latency p50/p99 (medians over RUNS
# runs), and the ratios against the baseline and against c-icap's echo
# service (the cost of an ICAP round trip by itself). Runs in network
# namespaces (tests/e2e/icap_lib.sh); root. The machine is shared: the
# numbers are noisy, compare within one invocation only.
#   bench/icap_bench.sh [REQUESTS] [RUNS]
. "$(dirname "$0")/../tests/e2e/icap_lib.sh"

N=${1:-400}
RUNS=${2:-5}
ic_require squid nginx c-icap
ic_up
ic_pki
ic_images 24
: >"$IC_TMP/listed.sha256" # nothing listed: the pure cost of inspection
ic_nginx
ic_edgeward --workers 2

# ---- c-icap with its echo service on :1345 ------------------------------------
C=$IC_TMP/cicap
mkdir -p "$C"
cat >"$C/c-icap.conf" <<EOF
PidFile $C/c-icap.pid
CommandsSocket $C/c-icap.ctl
Port 127.0.0.1:1345
StartServers 1
MaxServers 1
ThreadsPerChild 20
MinSpareThreads 5
MaxSpareThreads 20
MaxRequestsPerChild 0
TmpDir $C
ModulesDir /usr/lib/x86_64-linux-gnu/c_icap
ServicesDir /usr/lib/x86_64-linux-gnu/c_icap
LoadMagicFile /etc/c-icap/c-icap.magic
ServerLog $C/server.log
AccessLog $C/access.log
Service echo srv_echo.so
EOF
chmod -R a+rwX "$C"
ic_bg "$IC_NP" c-icap -N -f "$C/c-icap.conf" >"$C/stderr.log" 2>&1
ic_wait_port "$IC_NP" 127.0.0.1 1345 || ic_fail "c-icap did not start: $(cat "$C/stderr.log")"

# ---- three squids ---------------------------------------------------------------
squid_conf() { # NAME PORT [ICAP-URL]
	local d=$IC_TMP/squid-$1

	mkdir -p "$d"
	chown proxy "$d"
	{
		echo "http_port $IC_PROXY:$2"
		echo "http_access allow all"
		echo "cache deny all"
		echo "pid_filename $d/squid.pid"
		echo "cache_log $d/cache.log"
		echo "access_log none"
		echo "coredump_dir $d"
		echo "dns_nameservers 127.0.0.1"
		echo "shutdown_lifetime 1 seconds"
		if [ -n "${3:-}" ]; then
			echo "icap_enable on"
			echo "icap_preview_enable on"
			echo "icap_preview_size 1024"
			echo "icap_persistent_connections on"
			echo "icap_service svc respmod_precache bypass=off $3"
			echo "adaptation_access svc allow all"
		fi
	} >"$d/squid.conf"
	ic_bg "$IC_NP" squid -N -f "$d/squid.conf" >"$d/stderr.log" 2>&1
}
squid_conf none 3128
squid_conf edgeward 3129 icap://127.0.0.1:$IC_PORT/respmod
squid_conf echo 3130 icap://127.0.0.1:1345/echo
for p in 3128 3129 3130; do
	ic_wait_port "$IC_NP" $IC_PROXY $p 200 || ic_fail "squid on $p did not start"
done

# ---- the client -------------------------------------------------------------------
cat >"$IC_TMP/client.py" <<'PY'
import http.client, sys, time
proxy, port, n, nimg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
conn = http.client.HTTPConnection(proxy, port, timeout=30)
lat = []
for i in range(n):
    url = "http://%s/img-%d.png" % (sys.argv[5], i % nimg + 1)
    t = time.perf_counter()
    conn.request("GET", url)
    r = conn.getresponse()
    body = r.read()
    lat.append(time.perf_counter() - t)
    if r.status != 200 or not body.startswith(b"\x89PNG"):
        sys.exit("HTTP %d for %s" % (r.status, url))
lat.sort()
print("%.1f %.3f %.3f" % (n / sum(lat), lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3))
PY
run_mode() { # PORT: "rps p50_ms p99_ms", medians over RUNS
	local i
	for i in $(seq "$RUNS"); do
		icli python3 "$IC_TMP/client.py" $IC_PROXY "$1" "$N" 24 $IC_SERVER ||
			ic_fail "client through port $1 failed"
	done | python3 -c 'import statistics as s, sys
rows = [list(map(float, l.split())) for l in sys.stdin]
print(" ".join("%.3f" % s.median(c) for c in zip(*rows)))'
}
icli python3 "$IC_TMP/client.py" $IC_PROXY 3129 48 24 $IC_SERVER >/dev/null # warm up
read -r r0 a0 b0 < <(run_mode 3128)
read -r r1 a1 b1 < <(run_mode 3129)
read -r r2 a2 b2 < <(run_mode 3130)
ic_edgeward_stop
insp=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "icap_stats" in l][-1]["inspected"])' "$IC_TMP/events.jsonl")

echo "icap_bench: $N PNGs (24 distinct) per run, median of $RUNS runs; shared machine: noisy"
ls -l "$IC_TMP"/www/img-*.png | awk '{ s+=$5; n++ } END { printf "  mean object size %.0f bytes\n", s/n }'
printf '  %-26s %10s %10s %10s\n' mode "req/s" "p50 ms" "p99 ms"
printf '  %-26s %10s %10s %10s\n' "squid, no ICAP (baseline)" "$r0" "$a0" "$b0"
printf '  %-26s %10s %10s %10s\n' "squid + edgeward icap" "$r1" "$a1" "$b1"
printf '  %-26s %10s %10s %10s\n' "squid + c-icap echo" "$r2" "$a2" "$b2"
awk -v r0="$r0" -v r1="$r1" -v r2="$r2" -v a0="$a0" -v a1="$a1" -v a2="$a2" -v b0="$b0" \
	-v b1="$b1" -v b2="$b2" 'BEGIN {
	printf "  added latency per object: edgeward p50 %+.3f ms p99 %+.3f ms; c-icap echo p50 %+.3f ms p99 %+.3f ms\n", a1-a0, b1-b0, a2-a0, b2-b0
	printf "  req/s ratio: edgeward/baseline %.2f, echo/baseline %.2f, edgeward/echo %.2f\n", r1/r0, r2/r0, r1/r2 }'
echo "  edgeward inspected $insp objects (every image hashed whole)"
