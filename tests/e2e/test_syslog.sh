#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The event log forwarded to a real rsyslog (Debian's rsyslogd, started
# here on loopback with a private config), over TCP with octet counting:
#
#   edgeward log send ──RFC 5424 / TCP 127.0.0.1:PORT──▶ rsyslogd -n ──▶ $TMP/received
#         (2000 events at 400/s)          │
#                                         └ rsyslogd stopped after 1.5 s, down 1 s,
#                                           started again on the same port
#
# Every event arrives exactly once or is counted as lost: the lines
# received hold each event number at most once, and the numbers missing
# are as many as edgeward says it lost. A second run starts with the
# collector down and a queue too small to hold what comes meanwhile: some
# events are lost, and exactly those are counted. The frames are RFC 5424 with the
# MSGID the event type and [meta sequenceId]. The same forwarder module is
# what `edgeward run` uses for `log: syslog:`.
set -e
set -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EW=${EW_BIN:-$ROOT/${B:-build}/edgeward}
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
PY=$(command -v python3) || { echo "skipped: python3 not found"; exit 77; }
[ -x "$RSYSLOGD" ] || { echo "skipped: rsyslogd not installed (apt-get install rsyslog)"; exit 77; }
[ -x "$EW" ] || { echo "FAIL: $EW not built (run make)"; exit 1; }
TMP=$(mktemp -d /tmp/ew-syslog-$$.XXXXXX)
RS_PID=
cleanup() {
	local rc=$?
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null && wait "$RS_PID" 2>/dev/null
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$TMP/rsyslog.conf" <<CONF
global(workDirectory="$TMP" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$PORT" name="ew$$")
template(name="ew" type="string" string="%msgid% %structured-data% %msg%\n")
action(type="omfile" file="$TMP/received" template="ew")
CONF
"$RSYSLOGD" -N1 -f "$TMP/rsyslog.conf" >"$TMP/check.log" 2>&1 ||
	{ cat "$TMP/check.log"; echo "skipped: this rsyslogd refuses the test config"; exit 77; }

rs_start() {
	"$RSYSLOGD" -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" >>"$TMP/rsyslogd.log" 2>&1 &
	RS_PID=$!
	for i in $(seq 50); do
		"$PY" -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2).close()" \
			2>/dev/null && return 0
		sleep 0.1
	done
	cat "$TMP/rsyslogd.log" >&2
	fail "rsyslogd did not listen on 127.0.0.1:$PORT"
}
rs_stop() {
	kill -TERM "$RS_PID"
	wait "$RS_PID" 2>/dev/null || true
	RS_PID=
}

check() {	# check RECEIVED N LOST: each event once, missing = lost
"$PY" - "$1" "$2" "$3" <<'PY'
import collections, json, re, sys
path, n, lost = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = collections.Counter()
for line in open(path, encoding="utf-8", errors="replace"):
    m = re.match(r'(\S+) \[meta sequenceId="(\d+)"\] (.*)$', line.rstrip("\n"))
    assert m, "not an edgeward frame: %r" % line[:200]
    ev = json.loads(m.group(3))
    assert m.group(1) == ev["event"], "MSGID %s for a %s event" % (m.group(1), ev["event"])
    seen[ev["n"]] += 1
dups = [k for k, c in seen.items() if c > 1]
missing = n - len(seen)
assert not dups, "received more than once: %s" % dups[:20]
assert missing == lost, "%d events missing, edgeward counted %d lost" % (missing, lost)
print("  ok: %d of %d events received exactly once, %d missing = %d counted lost"
      % (len(seen), n, missing, lost))
PY
}

N=2000
"$PY" - "$TMP/events.jsonl" $N <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        ev = "block" if i % 10 == 0 else "object"
        f.write(json.dumps({"event": ev, "ts": "2024-01-01T00:00:00.000000Z", "n": i,
                            "host": "h%d.test" % (i % 7), "pad": "x" * (i % 300)},
                           separators=(",", ":")) + "\n")
PY

echo "== $N events to rsyslogd on 127.0.0.1:$PORT, the collector restarted mid-stream"
rs_start
"$EW" log send --syslog "127.0.0.1:$PORT" --rate 400 "$TMP/events.jsonl" >"$TMP/send.out" \
	2>"$TMP/send.err" &
SEND=$!
sleep 1.5
rs_stop
ok "rsyslogd stopped"
sleep 1
rs_start
ok "rsyslogd started again"
rc=0
wait $SEND || rc=$?
cat "$TMP/send.out" "$TMP/send.err"
sleep 0.5
rs_stop
lost=$(sed -n 's/.* events to .*, \([0-9]*\) lost;.*/\1/p' "$TMP/send.out")
[ -n "$lost" ] || fail "no summary from edgeward log send"
[ "$lost" = 0 ] && [ "$rc" != 0 ] && fail "send exited $rc with nothing lost"
grep -q "lost the connection to\|couldn't connect to" "$TMP/send.err" ||
	fail "the restart was not noticed (send stderr: $(cat "$TMP/send.err"))"

check "$TMP/received" $N "$lost"

echo "== collector down at the start, a 20 kB queue: what does not fit is lost and counted"
rm -f "$TMP/received"
"$EW" log send --syslog "127.0.0.1:$PORT" --rate 1000 --queue-max 20000 "$TMP/events.jsonl" \
	>"$TMP/send.out" 2>"$TMP/send.err" &
SEND=$!
sleep 1
rs_start
wait $SEND || true
cat "$TMP/send.out"
rs_stop
lost=$(sed -n 's/.* events to .*, \([0-9]*\) lost;.*/\1/p' "$TMP/send.out")
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "expected lost events, got '$lost'"
check "$TMP/received" $N "$lost"
echo "PASS: ${0##*/}"
