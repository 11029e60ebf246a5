#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeward icap against c-icap-client (the c-icap package's ICAP client)
# and raw sockets, in the proxy namespace of icap_lib.sh:
#
#   c-icap-client / python socket ─▶ edgeward icap 127.0.0.1:1344
#
# Checks: OPTIONS (Methods, Preview, Allow: 204, ISTag); with preview a
# listed image gets the notice, an unlisted one 204; without preview and
# without 204 an unlisted image comes back byte for byte; an upload
# (REQMOD) of a listed image is refused; several messages pipelined on
# one kept-alive connection get their answers in order; malformed
# messages get 400 and a closed connection, a diagnostic, and the server
# goes on; the ISTag changes when the list changes; the counters. With
# --policy: the policy's hash list blocks with the rule's status and name
# (451), a rule on a host blocks with 403, a monitor rule passes with its
# event, a group rule holds for the subscriber X-Client-IP names (v4, v6)
# and for no one else, the config's list stays the floor under a
# catch-all allow, and the ISTag follows the policy.
. "$(dirname "$0")/icap_lib.sh"

ic_require c-icap-client
ic_up
ic_images 5
ic_edgeward --workers 2
W=$IC_TMP/www
cic() { iproxy c-icap-client -i 127.0.0.1 -p $IC_PORT "$@" 2>&1; }

ic_say "OPTIONS"
out=$(cic -s respmod -v)
for want in "Methods: RESPMOD" "Preview: 1024" "Allow: 204" "Transfer-Preview: \*" "ISTag: \"ew-"; do
	grep -q "$want" <<<"$out" || ic_fail "OPTIONS lacks '$want': $out"
done
grep -q "Methods: REQMOD" <<<"$(cic -s reqmod -v)" || ic_fail "reqmod OPTIONS"
tag1=$(sed -n 's/.*ISTag: "\(.*\)".*/\1/p' <<<"$out" | head -1)
ic_ok "Methods, Preview 1024, Allow 204, Transfer-Preview *, ISTag $tag1"

ic_say "preview: listed image blocked, unlisted 204"
out=$(cic -s respmod -f "$W/img-1.png" -resp http://img.test/img-1.png -w 512 -v -o "$IC_TMP/c1")
grep -q "HTTP/1.1 451" <<<"$out" || ic_fail "listed image: $out"
grep -q "test-category" "$IC_TMP/c1" || ic_fail "notice without the category"
out=$(cic -s respmod -f "$W/img-3.png" -resp http://img.test/img-3.png -w 512 -v -o "$IC_TMP/c3")
grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "unlisted image: $out"
out=$(cic -s respmod -f "$W/index.html" -resp http://img.test/ -w 512 -v -o "$IC_TMP/c0")
grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "page: $out"
ic_ok "451 with the category for img-1; 204 for img-3 and the page"

ic_say "no preview, no 204: the message comes back whole"
out=$(cic -s respmod -f "$W/img-4.png" -resp http://img.test/img-4.png -nopreview -no204 -v \
	-o "$IC_TMP/c4")
grep -q "ICAP/1.0 200" <<<"$out" || ic_fail "echo: $out"
cmp -s "$IC_TMP/c4" "$W/img-4.png" || ic_fail "echoed img-4 differs"
out=$(cic -s respmod -f "$W/img-2.png" -resp http://img.test/img-2.png -nopreview -no204 -v \
	-o "$IC_TMP/c2")
grep -q "HTTP/1.1 451" <<<"$out" || ic_fail "listed, no preview: $out"
ic_ok "img-4 byte-identical (200), img-2 blocked"

ic_say "REQMOD upload"
out=$(cic -s reqmod -f "$W/img-2.png" -req http://img.test/upload -method POST -v -o "$IC_TMP/r2")
grep -q "HTTP/1.1 451" <<<"$out" || ic_fail "listed upload: $out"
out=$(cic -s reqmod -f "$W/img-3.png" -req http://img.test/upload -method POST -v -o "$IC_TMP/r3")
grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "unlisted upload: $out"
ic_ok "listed upload refused, unlisted 204"

ic_say "keep-alive, pipelining and malformed messages (raw socket)"
iproxy python3 - "$IC_PORT" "$W/img-1.png" "$W/img-3.png" <<'PY' || ic_fail "raw socket checks"
import socket, sys
port, listed, clean = int(sys.argv[1]), open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
def respmod(body, preview=None):
    res = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n" % len(body)
    h = b"RESPMOD icap://127.0.0.1/respmod ICAP/1.0\r\nHost: 127.0.0.1\r\nAllow: 204\r\n"
    h += b"Encapsulated: res-hdr=0, res-body=%d\r\n\r\n" % len(res)
    return h + res + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
def recv_until(s, n):
    data = b""
    s.settimeout(10)
    while data.count(b"ICAP/1.0 ") < n:
        d = s.recv(65536)
        if not d:
            break
        data += d
    return data
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"OPTIONS icap://127.0.0.1/respmod ICAP/1.0\r\n\r\n" + respmod(listed) + respmod(clean)
          + respmod(clean))
got = recv_until(s, 4)
codes = [l.split()[1] for l in got.split(b"\r\n") if l.startswith(b"ICAP/1.0 ")]
assert codes == [b"200", b"200", b"204", b"204"], codes
assert b"HTTP/1.1 451" in got
s.close()
for bad, status in [(b"RESPMOD icap://h/respmod ICAP/1.0\r\nHost: x\r\n\r\n", b"400"),
                    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"501"),
                    (b"RESPMOD icap://h/respmod ICAP/1.0\r\nEncapsulated: res-body=0\r\n\r\nzz\r\n", b"400"),
                    (b"\x00\xff" * 40000, b"400")]:
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(bad)
    except OSError:
        pass
    got = recv_until(s, 1)
    assert got.startswith(b"ICAP/1.0 " + status) and b"Connection: close" in got, got[:80]
    s.settimeout(5)
    assert s.recv(10) == b"", "connection left open"
    s.close()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(respmod(clean))
assert recv_until(s, 1).startswith(b"ICAP/1.0 204")
print("  ok: 4 pipelined answers in order; 400/501 and a close for 4 malformed messages; still serving")
PY
grep -q "malformed request from 127.0.0.1" "$IC_TMP/edgeward.log" || ic_fail "no diagnostic"
ic_ok "diagnostic: $(grep -m1 malformed "$IC_TMP/edgeward.log")"

ic_say "ISTag follows the lists; counters"
ic_edgeward_stop
python3 - "$IC_TMP/events.jsonl" <<'PY' || ic_fail "counters"
import json, sys
st = [json.loads(l) for l in open(sys.argv[1]) if '"icap_stats"' in l][-1]
want = {"blocked": 4, "bad_requests": 4}
for k, v in want.items():
    assert st[k] == v, (k, st[k], st)
assert st["preview_pass"] >= 1 and st["continues"] >= 1 and st["allowed"] >= 4, st
print("  ok: blocked 4, bad_requests 4, preview_pass %d, continues %d, allowed %d"
      % (st["preview_pass"], st["continues"], st["allowed"]))
PY
sha256sum "$W/img-3.png" | cut -d' ' -f1 >>"$IC_TMP/listed.sha256"
ic_edgeward --workers 1
tag2=$(sed -n 's/.*ISTag: "\(.*\)".*/\1/p' <<<"$(cic -s respmod -v)" | head -1)
[ -n "$tag2" ] && [ "$tag2" != "$tag1" ] || ic_fail "ISTag did not change: $tag1 / $tag2"
out=$(cic -s respmod -f "$W/img-3.png" -resp http://img.test/img-3.png -v -o "$IC_TMP/c3b")
grep -q "HTTP/1.1 451" <<<"$out" || ic_fail "img-3 after listing it: $out"
ic_ok "ISTag $tag1 -> $tag2 with img-3 listed, and img-3 now blocked"

ic_say "--policy: rules decide, the command line's list is the floor"
ic_edgeward_stop
cat >"$IC_TMP/policy.yaml" <<EOF
lists:
  - {name: court-img, type: sha256, entries: [$(sha256sum "$W/img-4.png" | cut -d' ' -f1)], category: court}
  - {name: adult-host, type: domain, entries: [adult.test]}
  - {name: watch-host, type: domain, entries: [watch.test]}
  - {name: kids-host, type: domain, entries: [kids.test]}
groups:
  - {name: minors, prefixes: [10.9.9.0/24, "fd00:9::/64"]}
rules:
  - {name: court-order, match: {hash_list: court-img}, action: notice, category: court, http_status: 451}
  - {name: adult-403, match: {domain_list: adult-host, content_type: image}, action: block, category: adult}
  - {name: watch, match: {domain_list: watch-host, at: object}, action: monitor}
  - {name: minors-kids, match: {group: minors, domain_list: kids-host}, action: notice,
     http_status: 403, category: minors}
  - {name: rest, action: allow}
EOF
ic_edgeward --workers 1 --policy "$IC_TMP/policy.yaml"
tag3=$(sed -n 's/.*ISTag: "\(.*\)".*/\1/p' <<<"$(cic -s respmod -v)" | head -1)
[ -n "$tag3" ] && [ "$tag3" != "$tag2" ] || ic_fail "ISTag did not change with the policy: $tag3"
out=$(cic -s respmod -f "$W/img-4.png" -resp http://img.test/img-4.png -v -o "$IC_TMP/p4")
grep -q "HTTP/1.1 451" <<<"$out" && grep -q "the rule 'court-order' (category 'court')" "$IC_TMP/p4" ||
	ic_fail "img-4 (policy list): $out $(cat "$IC_TMP/p4")"
out=$(cic -s respmod -f "$W/img-5.png" -resp http://adult.test/img-5.png -v -o "$IC_TMP/p5")
grep -q "HTTP/1.1 403" <<<"$out" && grep -q "the rule 'adult-403'" "$IC_TMP/p5" ||
	ic_fail "img-5 from adult.test: $out $(cat "$IC_TMP/p5")"
out=$(cic -s respmod -f "$W/img-5.png" -resp http://img.test/img-5.png -v -o "$IC_TMP/p5b")
grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "img-5 from img.test: $out"
out=$(cic -s respmod -f "$W/img-5.png" -resp http://watch.test/img-5.png -v -o "$IC_TMP/p5c")
grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "img-5 from watch.test: $out"
out=$(cic -s respmod -f "$W/img-5.png" -resp http://kids.test/img-5.png -v -o "$IC_TMP/p5d" \
	-x "X-Client-IP: 10.9.9.7")
grep -q "HTTP/1.1 403" <<<"$out" && grep -q "the rule 'minors-kids'" "$IC_TMP/p5d" ||
	ic_fail "img-5 from kids.test for the minor 10.9.9.7: $out $(cat "$IC_TMP/p5d")"
out=$(cic -s respmod -f "$W/img-5.png" -resp http://kids.test/img-5.png -v -o "$IC_TMP/p5e" \
	-x "X-Client-IP: fd00:9::7")
grep -q "HTTP/1.1 403" <<<"$out" || ic_fail "img-5 from kids.test for the minor fd00:9::7: $out"
for x in "X-Client-IP: 10.9.8.7" "X-Client-IP: not-an-address" ""; do
	out=$(cic -s respmod -f "$W/img-5.png" -resp http://kids.test/img-5.png -v -o "$IC_TMP/p5f" \
		${x:+-x "$x"})
	grep -q "ICAP/1.0 204" <<<"$out" || ic_fail "img-5 from kids.test with '$x': $out"
done
out=$(cic -s respmod -f "$W/img-1.png" -resp http://img.test/img-1.png -v -o "$IC_TMP/p1")
grep -q "HTTP/1.1 451" <<<"$out" && grep -q "the list 'testlist'" "$IC_TMP/p1" ||
	ic_fail "img-1 (the floor) under a catch-all allow: $out"
ic_edgeward_stop
python3 - "$IC_TMP/events.jsonl" <<'PY' || ic_fail "policy events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
def one(event, rule):
    got = [e for e in ev if e.get("event") == event and e.get("rule") == rule]
    assert len(got) == 1, (event, rule, [e for e in ev if e.get("rule")])
    return got[0]
b = one("block", "court-order")
assert b["category"] == "court" and b["action"] == "block" and b["policy_version"], b
assert one("block", "adult-403")["host"] == "adult.test"
assert one("monitor", "watch")["host"] == "watch.test"
kids = [e for e in ev if e.get("rule") == "minors-kids"]
assert [e["flow"]["client"] for e in kids] == ["10.9.9.7", "fd00:9::7"], kids
v = b["policy_version"]
# the lines of the run with --policy: after the icap_stats of the runs before
run = ev[max(i for i, e in enumerate(ev) if e["event"] == "icap_stats" and i < ev.index(b)) + 1:]
assert len(run) > 5 and all(e.get("policy_version") == v for e in run), \
    [e for e in run if e.get("policy_version") != v]
print("  ok: block events name court-order and adult-403, a monitor event names watch;"
      " every line carries the policy's version")
PY
ic_ok "451 by rule court-order, 403 by adult-403 and by minors-kids for X-Client-IP's minor, 204 for allow, monitor and others, the floor 451, ISTag $tag3"
