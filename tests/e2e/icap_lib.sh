#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared topology of the ICAP end-to-end tests (test_icap_*.sh) and the
# ICAP benchmark, sourced by each. Unlike lib.sh it loads no BPF and
# never touches /sys/fs/bpf: the ICAP service needs none, and other tests
# on the machine own those pins. Namespace names end in $$.
#
#  ┌──────────────────┐     ┌───────────────────────────────┐     ┌──────────────────────┐
#  │ $IC_NC (client)  │     │ $IC_NP (proxy)                │     │ $IC_NS (server)      │
#  │ curl             │     │ squid / e2guardian :3128      │     │ nginx :80, :443      │
#  │ veth0 ───────────┼─────┼─ icc                   ics ───┼─────┼─ veth0              │
#  │ 10.79.1.1/24     │     │ 10.79.1.254    10.79.2.254    │     │ 10.79.2.1/24         │
#  └──────────────────┘     │ edgeward icap 127.0.0.1:1344  │     │ img.test (test CA)   │
#                           └───────────────────────────────┘     └──────────────────────┘
#
# A script sources this file, calls ic_require (root, binaries), then
# ic_up; the EXIT trap kills what it started, deletes the namespaces and
# the scratch directory, and fails the test if anything is left behind.

set -e
set -o pipefail

IC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IC_BIN=${EW_BIN:-$IC_ROOT/${B:-build}/edgeward}
IC_NC=ew-icc-$$
IC_NP=ew-icp-$$
IC_NS=ew-ics-$$
IC_TMP=
IC_PIDS=()
IC_EW_PID=
IC_FAILED=0
IC_SERVER=10.79.2.1
IC_PROXY=10.79.1.254
IC_PORT=1344

ic_say() { printf '%s\n' "== $*"; }
ic_ok() { printf '  ok: %s\n' "$*"; }
ic_fail() { printf 'FAIL: %s\n' "$*" >&2; IC_FAILED=1; exit 1; }
ic_skip() { echo "skipped: $*"; exit 77; }

ic_in() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
icli() { ic_in "$IC_NC" "$@"; }
iproxy() { ic_in "$IC_NP" "$@"; }
isrv() { ic_in "$IC_NS" "$@"; }

# ic_require CMD...: root, the edgeward binary and each command, else skip.
ic_require()
{
	local c

	[ "$(id -u)" = 0 ] || ic_skip "needs root (network namespaces)"
	[ -x "$IC_BIN" ] || { echo "FAIL: $IC_BIN not built (run make)" >&2; exit 1; }
	for c in ip nsenter curl openssl python3 "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			ic_skip "'$c' not installed (packages.txt; make deps)"
	done
}

# ic_bg NS CMD...: CMD in namespace NS in the background, killed at exit.
ic_bg()
{
	local ns=$1

	shift
	nsenter --net="/run/netns/$ns" "$@" &
	IC_PIDS+=($!)
}

# ic_wait_port NS ADDR PORT [TRIES]: until something listens there.
ic_wait_port()
{
	local i

	for i in $(seq "${4:-100}"); do
		ic_in "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

ic_up()
{
	trap ic_cleanup EXIT
	trap 'exit 130' INT TERM
	IC_TMP=$(mktemp -d /tmp/ew-icap.XXXXXX)
	chmod 755 "$IC_TMP" # squid and nginx workers read from it unprivileged
	for n in "$IC_NC" "$IC_NP" "$IC_NS"; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	ip -n "$IC_NP" link add icc type veth peer name veth0 netns "$IC_NC"
	ip -n "$IC_NP" link add ics type veth peer name veth0 netns "$IC_NS"
	ip -n "$IC_NC" addr add 10.79.1.1/24 dev veth0
	ip -n "$IC_NP" addr add $IC_PROXY/24 dev icc
	ip -n "$IC_NP" addr add 10.79.2.254/24 dev ics
	ip -n "$IC_NS" addr add $IC_SERVER/24 dev veth0
	ip -n "$IC_NC" link set veth0 up
	ip -n "$IC_NP" link set icc up
	ip -n "$IC_NP" link set ics up
	ip -n "$IC_NS" link set veth0 up
}

# ic_pki: a test CA and a certificate for img.test signed by it, in
# $IC_TMP/pki (ca.pem, ca.key, srv.pem, srv.key).
ic_pki()
{
	local d=$IC_TMP/pki

	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=edgeward test CA $$" \
		-keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=img.test -keyout "$d/srv.key" \
		-out "$d/srv.csr" 2>/dev/null
	printf 'subjectAltName=DNS:img.test\nbasicConstraints=CA:FALSE\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
	chmod 644 "$d"/*
}

# ic_images N: N benign generated PNGs www/img-K.png (distinct pixels),
# a page www/index.html, and lists: the sha256 of img-1 and img-2.
ic_images()
{
	mkdir -p "$IC_TMP/www"
	python3 - "$IC_TMP/www" "${1:-4}" <<'PY'
import random, struct, sys, zlib
out, n = sys.argv[1], int(sys.argv[2])
def png(w, h, seed):
    r = random.Random(seed)
    raw = b"".join(b"\0" + bytes(r.randrange(256) for _ in range(w * 3)) for _ in range(h))
    def ch(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + ch(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + ch(b"IDAT", zlib.compress(raw)) + ch(b"IEND", b""))
for k in range(1, n + 1):
    open("%s/img-%d.png" % (out, k), "wb").write(png(48 + 16 * (k % 4), 64, 1000 + k))
open(out + "/index.html", "w").write("<html><body>" + "edgeward " * 400 + "</body></html>\n")
PY
	sha256sum "$IC_TMP/www/img-1.png" "$IC_TMP/www/img-2.png" | cut -d' ' -f1 \
		>"$IC_TMP/listed.sha256"
	chmod -R a+rX "$IC_TMP/www"
}

# ic_nginx: nginx in the server namespace, img.test on :80 and :443
# (test CA), serving www/ and answering POST /upload with 200.
ic_nginx()
{
	mkdir -p "$IC_TMP/nginx"
	cat >"$IC_TMP/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $IC_TMP/nginx/nginx.pid;
error_log $IC_TMP/nginx/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $IC_TMP/nginx/body;
	proxy_temp_path $IC_TMP/nginx/proxy;
	fastcgi_temp_path $IC_TMP/nginx/fastcgi;
	uwsgi_temp_path $IC_TMP/nginx/uwsgi;
	scgi_temp_path $IC_TMP/nginx/scgi;
	types { image/png png; text/html html; }
	client_max_body_size 64m;
	server {
		listen $IC_SERVER:80;
		listen $IC_SERVER:443 ssl;
		server_name img.test;
		ssl_certificate $IC_TMP/pki/srv.pem;
		ssl_certificate_key $IC_TMP/pki/srv.key;
		root $IC_TMP/www;
		location = /upload { return 200 "uploaded\n"; }
	}
}
EOF
	ic_bg "$IC_NS" nginx -c "$IC_TMP/nginx/nginx.conf" -e "$IC_TMP/nginx/error.log"
	ic_wait_port "$IC_NS" $IC_SERVER 443 || ic_fail "nginx did not start: $(cat "$IC_TMP/nginx/error.log")"
}

# ic_edgeward [ARGS...]: edgeward icap in the proxy namespace on
# 127.0.0.1:$IC_PORT, the listed images as a hash list, events in
# $IC_TMP/events.jsonl.
ic_edgeward()
{
	nsenter --net="/run/netns/$IC_NP" "$IC_BIN" icap --listen 127.0.0.1:$IC_PORT --log "$IC_TMP/events.jsonl" \
		--hashlist "testlist=$IC_TMP/listed.sha256,category=test-category" "$@" \
		>"$IC_TMP/edgeward.log" 2>&1 &
	IC_EW_PID=$!
	ic_wait_port "$IC_NP" 127.0.0.1 $IC_PORT ||
		ic_fail "edgeward icap did not start: $(cat "$IC_TMP/edgeward.log")"
}

ic_edgeward_stop()
{
	[ -n "$IC_EW_PID" ] || return 0
	kill -TERM "$IC_EW_PID" 2>/dev/null || true
	wait "$IC_EW_PID" 2>/dev/null || true
	IC_EW_PID=
}

# ic_events KIND: count of JSON event lines of that "event".
ic_events() { grep -c "\"event\":\"$1\"" "$IC_TMP/events.jsonl" || true; }

ic_cleanup()
{
	local rc=$? p n left=

	set +e
	trap - INT TERM
	ic_edgeward_stop
	for p in "${IC_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in "$IC_NC" "$IC_NP" "$IC_NS"; do
		# what a daemon forked inside (squid's helpers, nginx workers)
		[ -e "/run/netns/$n" ] && for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	if [ $rc != 0 ] && [ -n "$IC_TMP" ] && [ -z "${IC_KEEP:-}" ]; then
		for f in "$IC_TMP"/edgeward.log "$IC_TMP"/squid/cache.log "$IC_TMP"/e2g/*.log; do
			[ -s "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
		done >&2
	fi
	[ -n "$IC_TMP" ] && [ -z "${IC_KEEP:-}" ] && rm -rf "$IC_TMP"
	sleep 0.2
	grep -q -- "-$$\b" <<<"$(ip netns list)" && left="$left namespaces"
	for p in "${IC_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && left="$left pid:$p"
	done
	if [ -n "$left" ]; then
		echo "FAIL: left behind:$left" >&2
		[ "$rc" = 0 ] && rc=1
	fi
	[[ ${0##*/} == test_* ]] && [ "$rc" = 0 ] && [ "$IC_FAILED" = 0 ] && echo "PASS: ${0##*/}"
	exit "$rc"
}
