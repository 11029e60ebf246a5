#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeward icap as the content scanner of a real e2guardian (Debian 12
# ships 5.3): its icapscan plugin sends response bodies over ICAP.
#
#   curl ─▶ e2guardian :3128 (icapscan) ─RESPMOD─▶ edgeward icap
#                └────────HTTP────────▶ nginx img.test
#
# Checks (plain HTTP): a listed image does not reach the client (e2guardian
# treats the 451 as a virus find: DENIED, its banned-image GIF in place of
# the image), an unlisted image
# arrives byte for byte, a page too; the block is in edgeward's log.
. "$(dirname "$0")/icap_lib.sh"

ic_require e2guardian nginx
[ -d /etc/e2guardian ] || ic_skip "no /etc/e2guardian (package e2guardian)"
ic_up
ic_pki
ic_images 4
ic_nginx
# e2guardian looks its ICAP server up by name: localhost may be ::1.
ic_edgeward --workers 2 --listen "[::]:$IC_PORT"

# ---- e2guardian: the packaged configuration, with what the test needs --------
E=$IC_TMP/e2g
mkdir -p "$E/log"
cp -r /etc/e2guardian "$E/etc"
find "$E/etc" -type f \( -name '*.conf' -o -name '*.story' \) -exec \
	sed -i "s|/etc/e2guardian|$E/etc|g" {} +
echo "$IC_SERVER img.test" >"$E/hosts"
# docs/icap.md shows these settings.
cat >"$E/etc/contentscanners/icapscan.conf" <<EOF
plugname = 'icapscan'
icapurl = 'icap://localhost:$IC_PORT/respmod'
EOF
sed -i -e "s|^filterip =.*|filterip = $IC_PROXY|" -e "s|^filterports =.*|filterports = 3128|" \
	-e "s|^nodaemon =.*|nodaemon = on|" \
	-e "s|^#loglocation =.*|loglocation = '$E/log/access.log'|" \
	-e "s|^#pidfilename =.*|pidfilename = '$E/e2guardian.pid'|" \
	-e "s|^#contentscanner = '.*icapscan.conf'|contentscanner = '$E/etc/contentscanners/icapscan.conf'|" \
	"$E/etc/e2guardian.conf"
grep -q "^contentscanner = '$E" "$E/etc/e2guardian.conf" || ic_fail "e2guardian.conf: no contentscanner line to enable"
chown -R e2guardian "$E/log"
chmod -R a+rX "$E"
# e2guardian resolves img.test itself: a private /etc/hosts in a mount namespace.
cat /etc/hosts "$E/hosts" >"$E/hosts.all"
ic_bg "$IC_NP" unshare -m sh -c "mount --bind '$E/hosts.all' /etc/hosts && exec e2guardian -c '$E/etc/e2guardian.conf'" \
	>"$E/e2guardian.log" 2>&1
ic_wait_port "$IC_NP" $IC_PROXY 3128 200 || ic_fail "e2guardian did not start: $(tail -5 "$E/e2guardian.log")"

W=$IC_TMP/www
get() { icli curl -s -m 30 --proxy http://$IC_PROXY:3128 -o "$2" -w '%{http_code}' "$1"; }

ic_say "through e2guardian"
code=$(get http://img.test/index.html "$IC_TMP/page")
[ "$code" = 200 ] && cmp -s "$IC_TMP/page" "$W/index.html" || ic_fail "page: HTTP $code"
code=$(get http://img.test/img-3.png "$IC_TMP/o3")
[ "$code" = 200 ] && cmp -s "$IC_TMP/o3" "$W/img-3.png" || ic_fail "img-3: HTTP $code"
ic_ok "the page and img-3 arrive byte for byte"
code=$(get http://img.test/img-1.png "$IC_TMP/o1") || true
cmp -s "$IC_TMP/o1" "$W/img-1.png" && ic_fail "the listed image reached the client"
ic_ok "img-1 withheld (HTTP $code, $(wc -c <"$IC_TMP/o1") bytes instead: $(head -c 60 "$IC_TMP/o1" | tr -c "[:print:]" " ")"

grep "img-1.png" "$E/log/access.log" | grep -q "DENIED" ||
	ic_fail "e2guardian's log has no denial for img-1: $(tail -3 "$E/log/access.log")"
ic_ok "e2guardian logged img-1 as denied by content scanning (its banned-image GIF sent)"

ic_say "edgeward's log"
ic_edgeward_stop
python3 - "$IC_TMP/events.jsonl" <<'PY' || ic_fail "event log"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
m = [e for e in ev if e["event"] == "match"]
st = [e for e in ev if e["event"] == "icap_stats"][-1]
assert m and all(x["uri"].endswith("/img-1.png") for x in m), m
assert st["blocked"] >= 1 and st["bad_requests"] == 0, st
print("  ok: match for %s, blocked %d, allowed %d" % (m[0]["uri"], st["blocked"], st["allowed"]))
PY
