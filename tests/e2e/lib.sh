#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared topology for edgeward's end-to-end tests and demo (tests/e2e/), sourced
# by each script. Three network namespaces joined by two veth pairs; edgeward
# runs in the edge namespace with XDP and TC attached to the ingress of both of
# its veths, so traffic in either direction crosses both programs once.
#
#  ┌────────────────────┐     ┌──────────────────────────────────┐     ┌────────────────────┐
#  │ $EW_NC (client)    │     │ $EW_NE (edge, forwarding on)     │     │ $EW_NS (server)    │
#  │                    │     │ [XDP+TC in]          [XDP+TC in] │     │                    │
#  │ veth0 ─────────────┼─────┼─ ewc                      ews ──┼─────┼─ veth0             │
#  │ 10.10.1.1/24       │     │ 10.10.1.254/24   10.10.2.254/24  │     │ 10.10.2.1/24       │
#  │ fd00:1::1/64       │     │ fd00:1::fe/64    fd00:2::fe/64   │     │ 10.10.2.2/24       │
#  │ via .254 / ::fe    │     │                                  │     │ fd00:2::1/64       │
#  └────────────────────┘     └──────────────────────────────────┘     │ fd00:2::2/64       │
#                                                                      └────────────────────┘
# The server holds two addresses per family so a test can block one and watch
# the other keep working. Namespace names end in $$: unique per run.
#
# Pins under /sys/fs/bpf are global, not per namespace: each run pins under
# a directory of its own ($EW_PIN, exported as EDGEWARD_PIN_DIR to edgeward
# and ewmap.py), so runs from several checkouts do not touch each other's
# maps (tests/run.sh still runs a checkout's scripts one after another).
#
# A script sources this file, calls ew_require_root and ew_topology_up; the
# EXIT trap (ew_cleanup) kills what the script started, detaches, checks that
# detach left no routing rule or route of inline steering, XDP program,
# clsact qdisc or pin, removes what is left anyway and the namespaces, even
# on failure, and then checks that no program, namespace or process is left.

set -e
set -o pipefail

EW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EW_BIN=${EW_BIN:-$EW_ROOT/${B:-build}/edgeward}
EW_PY=$(command -v /usr/bin/python3 || command -v python3)
EW_PIN=${EDGEWARD_PIN_DIR:-/sys/fs/bpf/edgeward_e2e_$$}
export EDGEWARD_PIN_DIR=$EW_PIN
EW_NC=ew-cli-$$
EW_NE=ew-edge-$$
EW_NS=ew-srv-$$
EW_TMP=		# scratch directory, made by ew_topology_up
EW_AGENT_PID=
EW_PIDS=()
EW_PROG_IDS=()	# programs edgeward attached: all must be gone after cleanup
EW_FAILED=0

# Narration: tests say what they check; failures say what they saw.
ew_say() { printf '%s\n' "== $*"; }
ew_fail() { printf 'FAIL: %s\n' "$*" >&2; EW_FAILED=1; exit 1; }
ew_ok() { printf '  ok: %s\n' "$*"; }

# Commands run in a namespace through nsenter --net, not `ip netns exec`: the
# latter also remounts /sys, which hides the host's bpffs at /sys/fs/bpf, so
# pins made inside would land on a private bpffs that dies with the command.
# nsenter execs the command (same pid), so background pids are the command's.
ew_in() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
cli() { ew_in "$EW_NC" "$@"; }		# run in the client namespace
edge() { ew_in "$EW_NE" "$@"; }		# ... the edge namespace
srv() { ew_in "$EW_NS" "$@"; }		# ... the server namespace
ew() { edge "$EW_BIN" "$@"; }		# edgeward, inside the edge namespace

ew_require_root()
{
	local i

	if [ "$(id -u)" != 0 ]; then
		echo "skipped: needs root (network namespaces, BPF)"
		exit 77
	fi
	if [ ! -x "$EW_BIN" ]; then
		echo "FAIL: $EW_BIN not built (run make)" >&2
		exit 1
	fi
	# A pin directory given in EDGEWARD_PIN_DIR may be in use: wait (up to
	# 60 s) for another user to finish.
	for i in $(seq 60); do
		[ -e "$EW_PIN" ] || return 0
		[ "$i" = 1 ] && echo "waiting for $EW_PIN to be released"
		sleep 1
	done
	echo "FAIL: $EW_PIN exists: another edgeward (or a test) is using the pins" >&2
	exit 1
}

# ew_bg NS CMD...: start CMD in namespace NS in the background and remember
# its pid for cleanup.
ew_bg()
{
	local ns=$1

	shift
	nsenter --net="/run/netns/$ns" "$@" &
	EW_PIDS+=($!)
}

# ew_http_server [PORT]: python's http.server on [::]:PORT (v4 and v6) in the
# server namespace, serving $EW_TMP/www; returns once it answers.
ew_http_server()
{
	local port=${1:-80} i

	mkdir -p "$EW_TMP/www"
	echo "edgeward e2e" >"$EW_TMP/www/index.txt"
	ew_bg "$EW_NS" "$EW_PY" -m http.server --bind :: --directory "$EW_TMP/www" \
		"$port" >"$EW_TMP/http.log" 2>&1
	for i in $(seq 50); do
		srv curl -s -o /dev/null "http://127.0.0.1:$port/index.txt" && return 0
		sleep 0.1
	done
	ew_fail "http server on port $port did not start"
}

# ew_nginx_server DIR [PORT]: Debian's nginx in the server namespace serving
# DIR on [::]:PORT (v4 and v6), keep-alive on, logs in $EW_TMP/nginx;
# returns once it answers.
ew_nginx_server()
{
	local dir=$1 port=${2:-80} i

	command -v nginx >/dev/null || ew_fail "nginx is not installed (packages.txt)"
	mkdir -p "$EW_TMP/nginx"
	cat >"$EW_TMP/nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $EW_TMP/nginx/nginx.pid;
error_log $EW_TMP/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $EW_TMP/nginx/access.log;
	client_body_temp_path $EW_TMP/nginx/body;
	proxy_temp_path $EW_TMP/nginx/proxy;
	fastcgi_temp_path $EW_TMP/nginx/fastcgi;
	uwsgi_temp_path $EW_TMP/nginx/uwsgi;
	scgi_temp_path $EW_TMP/nginx/scgi;
	types { image/jpeg jpg; image/png png; text/html html; application/octet-stream bin; }
	sendfile on;
	keepalive_requests 100000;
	server {
		listen $port;
		listen [::]:$port;
		root $dir;
	}
}
EOF
	ew_bg "$EW_NS" nginx -c "$EW_TMP/nginx/nginx.conf" -g 'daemon off;'
	for i in $(seq 50); do
		srv curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		sleep 0.1
	done
	ew_fail "nginx on port $port did not start: $(cat "$EW_TMP/nginx/error.log" 2>/dev/null)"
}

# ew_policy_site WWW POL RATE: the pages of the policy tests: generated
# pictures (make_images.py) and slow.bin (600 KB) in WWW, served by nginx
# with /slow* at RATE; POL/pics.sha256 lists harbour.jpg and
# POL/watch.sha256 meadow.jpg.
ew_policy_site()
{
	local www=$1 pol=$2

	mkdir -p "$www" "$pol"
	"$EW_PY" "$EW_ROOT/tests/e2e/make_images.py" "$www" >/dev/null
	head -c $((600 << 10)) /dev/urandom >"$www/slow.bin"
	sha256sum "$www/harbour.jpg" | cut -d' ' -f1 >"$pol/pics.sha256"
	sha256sum "$www/meadow.jpg" | cut -d' ' -f1 >"$pol/watch.sha256"
	ew_nginx_server "$www" 80
	sed -i "s/root \(.*\);/root \1; location \/slow { limit_rate $3; }/" \
		"$EW_TMP/nginx/nginx.conf"
	srv nginx -c "$EW_TMP/nginx/nginx.conf" -s reload
	sleep 0.3
}

# ew_dns_server ARGS...: Debian's dnsmasq in the server namespace on
# 10.10.2.1 and fd00:2::1, port 53 (UDP and TCP), answering only what
# ARGS say (--address=/name/addr ...), every query logged to
# $EW_TMP/dnsmasq.log; returns once it answers.
ew_dns_server()
{
	local i

	command -v dnsmasq >/dev/null || ew_fail "dnsmasq is not installed (packages.txt)"
	ew_bg "$EW_NS" dnsmasq --keep-in-foreground -C /dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address=10.10.2.1 --listen-address=fd00:2::1 \
		--user=root --group=root --pid-file="$EW_TMP/dnsmasq.pid" --log-queries \
		--log-facility="$EW_TMP/dnsmasq.log" --address=/ready.test/10.10.2.1 "$@"
	for i in $(seq 50); do
		[ "$(srv dig +short +time=1 +tries=1 @10.10.2.1 ready.test 2>/dev/null)" = 10.10.2.1 ] &&
			return 0
		sleep 0.1
	done
	ew_fail "dnsmasq did not start: $(cat "$EW_TMP/dnsmasq.log" 2>/dev/null)"
}

# ew_icap_respmod FILE [URL [LANG]]: a RESPMOD of FILE as an image
# response (to GET URL, with its request head and Accept-Language LANG,
# when given) to the agent's ICAP service on the edge's 127.0.0.1:1344;
# prints the answer's ICAP and HTTP status lines, its ISTag, Content-Type
# and the plain notice's "This content ..." line; the answer whole in
# $EW_TMP/icap_answer.
ew_icap_respmod()
{
	edge "$EW_PY" - "$1" "${2:-}" "${3:-}" "$EW_TMP/icap_answer" <<'PY'
import socket, sys
path, url, lang, keep = sys.argv[1:5]
body = open(path, "rb").read()
ctype = b"image/png" if path.endswith(".png") else b"image/jpeg"
rq = b""
if url:
    rq = b"GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (
        url.encode(), url.split("/")[2].encode(),
        b"Accept-Language: %s\r\n" % lang.encode() if lang else b"")
res = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(body))
enc = (b"req-hdr=0, res-hdr=%d, res-body=%d" % (len(rq), len(rq) + len(res)) if rq
       else b"res-hdr=0, res-body=%d" % len(res))
req = (b"RESPMOD icap://127.0.0.1/respmod ICAP/1.0\r\nHost: 127.0.0.1\r\nAllow: 204\r\n"
       b"Connection: close\r\nEncapsulated: %s\r\n\r\n" % enc
       + rq + res + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
s = socket.create_connection(("127.0.0.1", 1344), timeout=10)
s.sendall(req)
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
open(keep, "wb").write(data)
for line in data.replace(b"\r\n", b"\n").split(b"\n"):
    if line.startswith((b"ICAP/1.0 ", b"HTTP/1.1 ", b"ISTag: ", b"Content-Type: ", b"This content")):
        print(line.decode())
PY
}

# ew_domains: fills the domain tables from the lines on stdin
# (tests/e2e/ew_domains.c says the format), in one commit.
ew_domains() { edge "$EW_ROOT/${B:-build}/tests/e2e/ew_domains"; }

# ew_tcp_ok ADDR [PORT]: an HTTP GET from the client succeeds within 2 s.
ew_tcp_ok()
{
	local url="http://$1:${2:-80}/index.txt"

	[[ $1 == *:* ]] && url="http://[$1]:${2:-80}/index.txt"
	cli curl -s -m 2 -o /dev/null "$url"
}

# ew_tcp_blocked ADDR [PORT]: the connection attempt times out after 0.5 s,
# that is after exactly one SYN (the first retransmission would come after
# 1 s). Only a timeout (curl's exit 28) counts: a refused connection, a
# missing curl or a bad URL is not a blocked one.
ew_tcp_blocked()
{
	local url="http://$1:${2:-80}/index.txt" rc=0

	[[ $1 == *:* ]] && url="http://[$1]:${2:-80}/index.txt"
	cli curl -s --connect-timeout 0.5 -o /dev/null "$url" || rc=$?
	[ "$rc" = 28 ] && return 0
	echo "ew_tcp_blocked $1: curl exited $rc, not 28 (timed out)" >&2
	return 1
}

# ew_ping_ok ADDR [COUNT]: every echo request is answered.
ew_ping_ok() { cli ping -q -c "${2:-3}" -i 0.2 -w 5 "$1" >/dev/null; }

# ew_ping_lost ADDR [COUNT]: COUNT echo requests sent, none answered.
ew_ping_lost()
{
	local out

	out=$(cli ping -q -n -c "${2:-3}" -i 0.2 -W 1 "$1" 2>&1) && return 1
	grep -q "${2:-3} packets transmitted, 0 received" <<<"$out"
}

ew_mount_bpffs()
{
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

ew_topology_up()
{
	trap ew_cleanup EXIT
	trap 'exit 130' INT TERM
	EW_TMP=$(mktemp -d /tmp/ew-e2e.XXXXXX)
	# the agent's control socket, this run's own (as its pins)
	export EDGEWARD_CONTROL=$EW_TMP/agent.sock
	ew_mount_bpffs
	ip netns add "$EW_NC"
	ip netns add "$EW_NE"
	ip netns add "$EW_NS"
	for n in "$EW_NC" "$EW_NE" "$EW_NS"; do
		# No DAD (addresses usable at once) and no router solicitations:
		# set before the veths exist, so they inherit it.
		ew_in "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0
		ip -n "$n" link set lo up
	done
	edge sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$EW_NE" link add ewc type veth peer name veth0 netns "$EW_NC"
	ip -n "$EW_NE" link add ews type veth peer name veth0 netns "$EW_NS"
	ip -n "$EW_NC" addr add 10.10.1.1/24 dev veth0
	ip -n "$EW_NC" addr add fd00:1::1/64 dev veth0 nodad
	ip -n "$EW_NE" addr add 10.10.1.254/24 dev ewc
	ip -n "$EW_NE" addr add fd00:1::fe/64 dev ewc nodad
	ip -n "$EW_NE" addr add 10.10.2.254/24 dev ews
	ip -n "$EW_NE" addr add fd00:2::fe/64 dev ews nodad
	ip -n "$EW_NS" addr add 10.10.2.1/24 dev veth0
	ip -n "$EW_NS" addr add 10.10.2.2/24 dev veth0
	ip -n "$EW_NS" addr add fd00:2::1/64 dev veth0 nodad
	ip -n "$EW_NS" addr add fd00:2::2/64 dev veth0 nodad
	ip -n "$EW_NC" link set veth0 up
	ip -n "$EW_NE" link set ewc up
	ip -n "$EW_NE" link set ews up
	ip -n "$EW_NS" link set veth0 up
	# The hosts' ends run NAPI, as a NIC's driver does: a veth delivers the
	# edge's XDP_TX (resets of reset flows) to its peer only then.
	[ -f "$EW_ROOT/${B:-build}/tests/e2e/host_nic.bpf.o" ] ||
		ew_fail "${B:-build}/tests/e2e/host_nic.bpf.o not built (make build-tests)"
	for n in "$EW_NC" "$EW_NS"; do
		ip -n "$n" link set veth0 xdpdrv obj "$EW_ROOT/${B:-build}/tests/e2e/host_nic.bpf.o" \
			sec xdp
	done
	ip -n "$EW_NC" route add default via 10.10.1.254
	ip -n "$EW_NC" -6 route add default via fd00:1::fe
	ip -n "$EW_NS" route add default via 10.10.2.254
	ip -n "$EW_NS" -6 route add default via fd00:2::fe
	# Warm the neighbour caches so later packet counts are exact.
	for n in 10.10.2.1 10.10.2.2 fd00:2::1 fd00:2::2; do
		cli ping -q -c 1 -w 5 "$n" >/dev/null ||
			ew_fail "topology: client cannot reach $n"
	done
}

# ew_agent_start [ARGS...]: run `edgeward run --iface ewc --iface ews ARGS` in
# the edge namespace, in the background, and wait until both programs are
# attached and the pins exist. Its output goes to $EW_TMP/agent.log.
ew_agent_start()
{
	local i hb0

	hb0=$(ew_heartbeat)
	nsenter --net="/run/netns/$EW_NE" "$EW_BIN" run --iface ewc --iface ews "$@" \
		>>"$EW_TMP/agent.log" 2>&1 &
	EW_AGENT_PID=$!
	for i in $(seq 100); do
		if ! kill -0 "$EW_AGENT_PID" 2>/dev/null; then
			cat "$EW_TMP/agent.log" >&2
			ew_fail "edgeward run exited early"
		fi
		# Attached, and this agent has beaten at least once.
		if [ -e "$EW_PIN/ew_counters_v1" ] && ew_attached ewc && ew_attached ews &&
			[ "$(ew_heartbeat)" != "$hb0" ]; then
			EW_PROG_IDS+=($(ew_prog_ids))
			return 0
		fi
		sleep 0.1
	done
	cat "$EW_TMP/agent.log" >&2
	ew_fail "edgeward run did not attach within 10 s"
}

# ew_agent_kill [SIGNAL]: stop the agent and reap it.
ew_agent_kill()
{
	[ -n "$EW_AGENT_PID" ] || return 0
	kill -"${1:-TERM}" "$EW_AGENT_PID" 2>/dev/null || true
	wait "$EW_AGENT_PID" 2>/dev/null || true
	EW_AGENT_PID=
}

# ew_attached IF: true when an XDP program and a clsact qdisc with a BPF filter
# sit on IF in the edge namespace.
ew_attached()
{
	# grep reads captured output: with pipefail, `cmd | grep -q` fails
	# whenever grep exits before cmd has written everything.
	grep -q 'prog/xdp' <<<"$(ip -n "$EW_NE" -d link show dev "$1")" &&
		grep -q bpf <<<"$(tc -n "$EW_NE" filter show dev "$1" ingress)"
}

# ew_prog_ids: ids of the XDP and TC programs attached to ewc and ews.
ew_prog_ids()
{
	local n

	for n in ewc ews; do
		grep -o 'prog/xdp id [0-9]*' <<<"$(ip -n "$EW_NE" -d link show dev "$n")" |
			awk '{ print $3 }' || true
		grep -o ' id [0-9]*' <<<"$(tc -n "$EW_NE" filter show dev "$n" ingress)" |
			awk '{ print $2 }' || true
	done
}

# ew_counter NAME [packets|bytes]: one counter summed over CPUs, read from the
# pinned per-CPU array (NAME is the ew_counter_num name without EW_C_).
ew_counter()
{
	"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" counter "$1" "${2:-packets}"
}

# ew_heartbeat: the agent's last heartbeat in ns (0 before the first one).
ew_heartbeat()
{
	"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" heartbeat
}

# ew_block_rule ADDR: rule id of the blocked prefix covering ADDR, or "none".
ew_block_rule()
{
	"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" blockrule "$1"
}

# ew_rule_hits RULE_ID [packets|bytes]: counted for a blocklist rule id.
ew_rule_hits()
{
	"$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" rulehits "$1" "${2:-packets}"
}

# ew_status_packets FILE NAME: the packets column of counter NAME (or of
# "rule ID" when NAME is a number) in saved `edgeward status` output.
ew_status_packets()
{
	if [[ $2 =~ ^[0-9]+$ ]]; then
		awk -v id="$2" '$1 == "rule" && $2 == id { print $3 }' "$1"
	else
		awk -v n="$2" '$1 == n { print $2 }' "$1"
	fi
}

# ew_expect_eq WHAT GOT WANT
# ew_wait_grep FILE PATTERN: waits up to 10 s for a line of FILE with the
# fixed string PATTERN (the event log writes on an interval, flush_every).
ew_wait_grep()
{
	local i

	for i in $(seq 100); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

ew_expect_eq()
{
	[ "$2" = "$3" ] || ew_fail "$1: got '$2', want '$3'"
	ew_ok "$1 = $3"
}

# ew_detach_leftovers: what `edgeward detach` left in the edge namespace, as
# " what..." (nothing: empty): routing rules and routes of edgeward's
# (protocol 0x45, inline steering), XDP programs, clsact qdiscs, pins.
ew_detach_leftovers()
{
	local f n

	for f in -4 -6; do
		# `ip rule show` filters no protocol: read it
		grep -q ' proto 69$' <<<"$(ip -n "$EW_NE" $f rule show)" && printf ' %s' "rule$f"
		[ -n "$(ip -n "$EW_NE" $f route show table all proto 0x45)" ] &&
			printf ' %s' "route$f"
	done
	for n in ewc ews; do
		grep -q 'prog/xdp' <<<"$(ip -n "$EW_NE" -d link show dev "$n")" && printf ' xdp:%s' "$n"
		grep -q clsact <<<"$(tc -n "$EW_NE" qdisc show dev "$n")" && printf ' qdisc:%s' "$n"
	done
	[ -e "$EW_PIN" ] && printf ' %s' "$EW_PIN"
	return 0
}

# ew_programs_left: the programs edgeward attached (EW_PROG_IDS) that are
# still loaded once their last users are gone (freeing is deferred: waits
# up to 2 s). By id: other users of this machine load programs too.
ew_programs_left()
{
	local i id left

	for i in $(seq 20); do
		left=
		for id in "${EW_PROG_IDS[@]}"; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	printf ' programs:%s' "$left"
}

ew_cleanup()
{
	local rc=$? p n left=

	set +e
	trap - INT TERM
	ew_agent_kill TERM
	for p in "${EW_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -e "/run/netns/$EW_NE" ]; then
		[ -x "$EW_BIN" ] && ew detach >/dev/null 2>&1
		left=$(ew_detach_leftovers)
		[ -n "$left" ] && left=" after detach:$left"
		# Take it all down anyway, so a failed detach leaks nothing (rules
		# and routes go with the namespace).
		for n in ewc ews; do
			ip -n "$EW_NE" link set dev "$n" xdpgeneric off 2>/dev/null
			ip -n "$EW_NE" link set dev "$n" xdpdrv off 2>/dev/null
			tc -n "$EW_NE" qdisc del dev "$n" clsact 2>/dev/null
		done
	fi
	rm -rf "$EW_PIN"
	for n in "$EW_NC" "$EW_NE" "$EW_NS"; do
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$EW_TMP" ] && rm -rf "$EW_TMP"
	# Nothing may be left behind: a leak here fails the test.
	left="$left$(ew_programs_left)"
	grep -q -- "-$$" <<<"$(ip netns list)" && left="$left namespaces"
	[ -e "$EW_PIN" ] && left="$left $EW_PIN"
	for p in "${EW_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && left="$left pid:$p"
	done
	if [ -n "$left" ]; then
		echo "FAIL: left behind:$left" >&2
		[ "$rc" = 0 ] && rc=1
	fi
	[[ ${0##*/} == test_* ]] && [ "$rc" = 0 ] && [ "$EW_FAILED" = 0 ] &&
		echo "PASS: ${0##*/}"
	exit "$rc"
}
