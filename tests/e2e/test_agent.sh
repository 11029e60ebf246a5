#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the live agent in tap mode, driven by a config file and its
# control socket.
#   - `edgeward status` reaches the running agent; the log has its start
#     and the lists it loaded;
#   - an unlisted download arrives intact; a listed one (tap: delivered
#     before the verdict) gives a block event with the list, category and
#     SHA-256, a BLOCK verdict on its flow in the kernel, and the rest of
#     that connection dies (a second request on it gets nothing);
#   - `edgeward reload` with a broken list fails with file:line:col and the
#     lists in force stay (the listed file is still blocked); a fixed config
#     that adds a list reloads, and SIGHUP reloads too;
#   - the config's icap: section serves ICAP on the edge's loopback: a
#     RESPMOD of a picture on a list gets the 451 notice, an unlisted one
#     204, and the ISTag changes when a reload changes the lists;
#   - `edgeward detach` stops the agent (stop event) and removes everything.
# Topology: tests/e2e/lib.sh.
. "$(dirname "$0")/lib.sh"

ew_require_root
ew_topology_up
mkdir -p "$EW_TMP/www"
ew_nginx_server "$EW_TMP/www" 80	# keep-alive: a second request rides the same connection
head -c 300000 /dev/urandom >"$EW_TMP/www/listed.bin"
head -c 200000 /dev/urandom >"$EW_TMP/www/other.bin"
"$EW_PY" "$EW_ROOT/tests/e2e/make_images.py" "$EW_TMP/pics" >/dev/null
pics=("$EW_TMP"/pics/*.png)
[ ${#pics[@]} -ge 2 ] || ew_fail "make_images.py wrote fewer than 2 PNGs"
listed=$(sha256sum "$EW_TMP/www/listed.bin" | cut -d' ' -f1)
other=$(sha256sum "$EW_TMP/www/other.bin" | cut -d' ' -f1)
{ echo "$listed"; sha256sum "${pics[0]}" | cut -d' ' -f1; } >"$EW_TMP/known.sha256"
echo "$other" >"$EW_TMP/more.sha256"
echo "not a digest" >"$EW_TMP/broken.sha256"
SOCK=$EW_TMP/agent.sock
LOG=$EW_TMP/events.jsonl
CFG=$EW_TMP/edgeward.yaml

config() {	# config LIST...: a config naming the given list files
	{
		echo "mode: tap"
		echo "log: $LOG"
		echo "control_socket: $SOCK"
		echo "workers: 2"
		echo "icap: {listen: '127.0.0.1:1344', threads: 1}"
		echo "lists:"
		for l in "$@"; do
			echo "  - {name: ${l%%.*}, type: sha256, path: $EW_TMP/$l, category: test}"
		done
	} >"$CFG"
}

# events FILTER: lines of the event log for which the python expression
# FILTER (over e, the parsed event) is true, as JSON.
events() {
	"$EW_PY" - "$LOG" "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(sys.argv[2]):
        print(json.dumps(e, sort_keys=True))
EOF
}

# wait_event FILTER: waits up to 10 s for such an event; prints the last.
wait_event() {
	local i out

	for i in $(seq 100); do
		out=$(events "$1" | tail -n 1)
		[ -n "$out" ] && { echo "$out"; return 0; }
		sleep 0.1
	done
	ew_fail "no event where $1 within 10 s; log: $(tail -c 2000 "$LOG")"
}

config known.sha256
ew_agent_start --config "$CFG"

ew_say "status reaches the running agent"
st=$(ew status --control "$SOCK")
grep -q "agent: pid $EW_AGENT_PID, up .* tap mode, interfaces ewc ews" <<<"$st" ||
	ew_fail "status: $st"
grep -q "lists: 1 hash, 0 PDQ" <<<"$st" || ew_fail "status lists: $st"
ew_ok "status names the agent, its mode and lists"
wait_event 'e["event"] == "agent" and e["action"] == "start"' >/dev/null
wait_event 'e["event"] == "lists" and e["ok"] and e["lists"][0]["entries"] == 2' >/dev/null
ew_ok "start and lists events"

ew_say "an unlisted download arrives intact"
cli curl -s -m 10 -o "$EW_TMP/got.bin" http://10.10.2.1/other.bin
cmp -s "$EW_TMP/got.bin" "$EW_TMP/www/other.bin" || ew_fail "other.bin differs"
ew_ok "other.bin intact"

ew_say "a listed download: block event, flow verdict, the connection dies"
# two requests on one keep-alive connection from a fixed port: the second
# only once the block event is written (tap mode races the wire: a request
# sent before the verdict would be answered). Prints what happened to it.
cli "$EW_PY" - "$LOG" "$listed" >"$EW_TMP/second.txt" <<'EOF' || ew_fail "the client: $(cat "$EW_TMP/second.txt")"
import json, socket, sys, time
log, listed = sys.argv[1], sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.10.1.1", 41000))
s.connect(("10.10.2.1", 80))
s.settimeout(10)
def get(path):
    s.sendall(b"GET /%s HTTP/1.1\r\nHost: 10.10.2.1\r\n\r\n" % path.encode())
head = b""
get("listed.bin")
while b"\r\n\r\n" not in head:
    head += s.recv(65536)
h, body = head.split(b"\r\n\r\n", 1)
n = int([l.split(b":")[1] for l in h.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
while len(body) < n:
    body += s.recv(65536)
def blocked():
    try:
        return any(json.loads(l).get("hash") == listed for l in open(log))
    except (OSError, ValueError):
        return False
for _ in range(100):
    if blocked():
        break
    time.sleep(0.1)
try:
    get("other.bin")
    got = s.recv(65536)
    print("answered" if got else "closed")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")
EOF
ev=$(wait_event "e['event'] == 'block' and e['hash'] == '$listed'")
for want in '"list": "known"' '"category": "test"' '"hash_type": "sha256"' \
	'"enforced": "tap_reset"' '"delivered_before_verdict": true' '"client_port": 41000' \
	'"interface": "ewc"'; do
	grep -qF "$want" <<<"$ev" || ew_fail "block event lacks $want: $ev"
done
ew_ok "block event: list, category, hash, tap_reset, delivered before the verdict, interface ewc"
v=$("$EW_PY" "$EW_ROOT/tests/e2e/ewmap.py" getverdict 10.10.1.1 41000 10.10.2.1 80 tcp)
ew_expect_eq "kernel verdict of the flow" "$v" reset
# the RST reached the client on its kept-alive connection (or XDP's
# answer to its second request did): not answered, not a timeout
ew_expect_eq "the second request on the blocked connection" "$(cat "$EW_TMP/second.txt")" reset
# nginx's end dies too: by the agent's reset, or by XDP's answer to its
# next retransmission (the agent's view of the sequence may lag)
for i in $(seq 50); do
	srv ss -Htn state established '( sport = :80 )' | grep -q ':41000' || break
	sleep 0.1
done
srv ss -Htn state established '( sport = :80 )' | grep -q ':41000' &&
	ew_fail "nginx still holds the reset connection"
ew_ok "nginx's connection is gone"
st=$(ew status --control "$SOCK")
# one RST to each end, at the sequence number each expects (the
# reassembler's; a wrong one would be a challenge ACK, not a reset)
grep -q "flows blocked 1, resets 2" <<<"$st" || ew_fail "not 2 resets: $(grep '^tap:' <<<"$st")"
ew_ok "resets sent to both ends: $(grep -o 'resets [0-9]*' <<<"$st")"

ew_say "ICAP from the config: listed picture 451, unlisted 204"
out=$(ew_icap_respmod "${pics[0]}")
grep -q "^HTTP/1.1 451" <<<"$out" || ew_fail "listed picture over ICAP: $out"
out=$(ew_icap_respmod "${pics[1]}")
grep -q "^ICAP/1.0 204" <<<"$out" || ew_fail "unlisted picture over ICAP: $out"
tag1=$(sed -n 's/^ISTag: //p' <<<"$out")
grep -q "icap: port 1344, ISTag $tag1; .* blocked 1," <<<"$(ew status --control "$SOCK")" ||
	ew_fail "status icap line: $(ew status --control "$SOCK")"
ew_ok "451 for the listed picture, 204 for the other, ISTag $tag1 in status"

ew_say "reload with a broken list: refused, the lists in force stay"
config known.sha256 broken.sha256
out=$(ew reload --control "$SOCK") && ew_fail "reload of a broken list succeeded: $out"
grep -q "broken.sha256:1:1: " <<<"$out" || ew_fail "reload error without file:line:col: $out"
wait_event 'e["event"] == "lists" and e["action"] == "reload" and not e["ok"]' >/dev/null
ew_ok "reload refused: $(grep -m1 broken.sha256 <<<"$out")"
cli curl -s -m 5 --local-port 41001 -o /dev/null http://10.10.2.1/listed.bin || true
wait_event "e['event'] == 'block' and e['flow']['client_port'] == 41001" >/dev/null
ew_ok "the old list still blocks"

ew_say "reload with a good config adding a list, and by SIGHUP"
config known.sha256 more.sha256
out=$(ew reload --control "$SOCK") || ew_fail "reload failed: $out"
ew_ok "$out"
cli curl -s -m 5 --local-port 41002 -o /dev/null http://10.10.2.1/other.bin || true
wait_event "e['event'] == 'block' and e['hash'] == '$other' and e['list'] == 'more'" >/dev/null
ew_ok "the added list blocks other.bin"
sha256sum "${pics[1]}" | cut -d' ' -f1 >>"$EW_TMP/more.sha256"
ew reload --control "$SOCK" >/dev/null || ew_fail "reload after adding a picture failed"
out=$(ew_icap_respmod "${pics[1]}")
grep -q "^HTTP/1.1 451" <<<"$out" || ew_fail "picture added by reload over ICAP: $out"
tag2=$(sed -n 's/^ISTag: //p' <<<"$out" | head -1)
[ -n "$tag2" ] && [ "$tag2" != "$tag1" ] || ew_fail "ISTag unchanged by the reload: $tag1 $tag2"
ew_ok "the picture added by reload is blocked over ICAP; ISTag $tag1 -> $tag2"
n=$(events 'e["event"] == "lists" and e["ok"]' | wc -l)
kill -HUP "$EW_AGENT_PID"
for i in $(seq 50); do
	[ "$(events 'e["event"] == "lists" and e["ok"]' | wc -l)" -gt "$n" ] && break
	sleep 0.1
done
[ "$(events 'e["event"] == "lists" and e["ok"]' | wc -l)" -gt "$n" ] ||
	ew_fail "SIGHUP did not reload"
ew_ok "SIGHUP reloads"

ew_say "detach stops the agent"
ew detach --control "$SOCK" >"$EW_TMP/detach.out" || ew_fail "detach: $(cat "$EW_TMP/detach.out")"
grep -q "stopped the agent" "$EW_TMP/detach.out" || ew_fail "detach did not stop the agent"
for i in $(seq 50); do kill -0 "$EW_AGENT_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$EW_AGENT_PID" 2>/dev/null && ew_fail "the agent is still running"
wait "$EW_AGENT_PID" 2>/dev/null || true
EW_AGENT_PID=
wait_event 'e["event"] == "agent" and e["action"] == "stop" and e["reason"] == "stop requested"' \
	>/dev/null
ew_ok "stop event"
[ -e "$EW_PIN" ] && ew_fail "pins left after detach"
ew_attached ewc && ew_fail "programs left on ewc after detach"
ew_ok "nothing left attached or pinned"
