#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeward icap behind a real Squid (squid-openssl) that bumps TLS with a
# test CA: HTTPS bodies the proxy decrypted get the hash verdicts.
#
#   curl (trusts the test CA) ─▶ squid ssl-bump ─RESPMOD/REQMOD─▶ edgeward icap
#                                     └──────HTTPS──────▶ nginx img.test
#
# Checks: a listed image gets the 451 notice (and a match event naming
# the request URL and the ICAP client); an unlisted one arrives byte for
# byte; a page passes at the preview without an object event; a
# multipart upload of a listed image through REQMOD is refused, an
# unlisted upload reaches the server; the same over plain HTTP.
. "$(dirname "$0")/icap_lib.sh"

ic_require squid nginx /usr/lib/squid/security_file_certgen
ic_up
ic_pki
ic_images 4
ic_nginx
ic_edgeward --workers 2

# ---- squid ------------------------------------------------------------------
SQ=$IC_TMP/squid
mkdir -p "$SQ"
/usr/lib/squid/security_file_certgen -c -s "$SQ/ssl_db" -M 4MB >/dev/null
chown -R proxy:proxy "$SQ"
cat "$IC_TMP/pki/ca.pem" "$IC_TMP/pki/ca.key" >"$SQ/bump.pem"
chown proxy "$SQ/bump.pem"
chmod 600 "$SQ/bump.pem"
echo "$IC_SERVER img.test" >"$SQ/hosts"
# docs/icap.md shows this configuration.
cat >"$SQ/squid.conf" <<EOF
http_port $IC_PROXY:3128 ssl-bump tls-cert=$SQ/bump.pem generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program /usr/lib/squid/security_file_certgen -s $SQ/ssl_db -M 4MB
sslcrtd_children 2 startup=1 idle=1
ssl_bump bump all
tls_outgoing_options cafile=$IC_TMP/pki/ca.pem
icap_enable on
icap_send_client_ip on
icap_preview_enable on
icap_preview_size 1024
icap_persistent_connections on
icap_service ew_resp respmod_precache bypass=off icap://127.0.0.1:$IC_PORT/respmod
icap_service ew_req reqmod_precache bypass=off icap://127.0.0.1:$IC_PORT/reqmod
adaptation_access ew_resp allow all
adaptation_access ew_req allow all
http_access allow all
cache deny all
hosts_file $SQ/hosts
dns_nameservers 127.0.0.1
pid_filename $SQ/squid.pid
cache_log $SQ/cache.log
access_log $SQ/access.log
coredump_dir $SQ
shutdown_lifetime 1 seconds
EOF
ic_bg "$IC_NP" squid -N -f "$SQ/squid.conf" >"$SQ/stderr.log" 2>&1
ic_wait_port "$IC_NP" $IC_PROXY 3128 200 || ic_fail "squid did not start"

W=$IC_TMP/www
get() { # get URL OUT: HTTP status through the proxy
	icli curl -s -m 20 --proxy http://$IC_PROXY:3128 --cacert "$IC_TMP/pki/ca.pem" \
		-o "$2" -w '%{http_code}' "$1"
}
post() { # post URL FILE OUT: multipart upload through the proxy
	icli curl -s -m 20 --proxy http://$IC_PROXY:3128 --cacert "$IC_TMP/pki/ca.pem" \
		-F "file=@$2;type=image/png" -o "$3" -w '%{http_code}' "$1"
}

ic_say "HTTPS through squid ssl-bump: the bump is real"
code=$(get https://img.test/index.html "$IC_TMP/page") || ic_fail "curl failed: $code"
[ "$code" = 200 ] || ic_fail "page: HTTP $code"
cmp -s "$IC_TMP/page" "$W/index.html" || ic_fail "page differs"
ic_ok "page passes (HTTP 200, byte-identical)"

ic_say "a listed image over HTTPS gets the notice"
code=$(get https://img.test/img-1.png "$IC_TMP/o1")
[ "$code" = 451 ] || ic_fail "listed image: HTTP $code, want 451"
grep -q "test-category" "$IC_TMP/o1" || ic_fail "notice does not name the category"
ic_ok "HTTP 451 with the notice naming the category"

ic_say "unlisted images arrive byte for byte"
for k in 3 4; do
	code=$(get https://img.test/img-$k.png "$IC_TMP/o$k")
	[ "$code" = 200 ] || ic_fail "img-$k: HTTP $code"
	cmp -s "$IC_TMP/o$k" "$W/img-$k.png" || ic_fail "img-$k differs"
done
ic_ok "img-3, img-4: HTTP 200, identical"

ic_say "uploads through REQMOD"
code=$(post https://img.test/upload "$W/img-2.png" "$IC_TMP/u2")
[ "$code" = 451 ] || ic_fail "listed upload: HTTP $code, want 451"
code=$(post https://img.test/upload "$W/img-3.png" "$IC_TMP/u3")
[ "$code" = 200 ] && grep -q uploaded "$IC_TMP/u3" || ic_fail "unlisted upload: HTTP $code"
ic_ok "listed upload refused (451), unlisted one reached the server"

ic_say "plain HTTP through the same proxy"
code=$(get http://img.test/img-2.png "$IC_TMP/p2")
[ "$code" = 451 ] || ic_fail "listed image over HTTP: HTTP $code"
code=$(get http://img.test/img-4.png "$IC_TMP/p4")
[ "$code" = 200 ] && cmp -s "$IC_TMP/p4" "$W/img-4.png" || ic_fail "img-4 over HTTP"
ic_ok "451 for the listed image, the unlisted one identical"

ic_say "the event log"
ic_edgeward_stop
E=$IC_TMP/events.jsonl
python3 - "$E" <<'PY' || ic_fail "event log checks failed"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
objs = [e for e in ev if e["event"] == "object"]
matches = [e for e in ev if e["event"] == "match"]
stats = [e for e in ev if e["event"] == "icap_stats"]
def fail(m):
    print("event log:", m); sys.exit(1)
if not stats: fail("no icap_stats line")
st = stats[-1]
urls = sorted(m["uri"] for m in matches)
want = ["/img-1.png", "/img-2.png", "/upload"]
if [u for u in urls if not any(u.endswith(w) for w in want)] or len(matches) < 3:
    fail("matches %r" % urls)
for m in matches:
    if m["list"] != "testlist" or m["category"] != "test-category":
        fail("match %r" % m)
    if m["flow"]["client"] != "127.0.0.1" or m["host"] not in ("img.test", "img.test:443"):
        fail("match flow/host %r %r" % (m["flow"], m["host"]))
if any("index.html" in o["uri"] for o in objs):
    fail("the page was inspected: %r" % [o["uri"] for o in objs])
if st["blocked"] != 3 or st["allowed"] < 4 or st["preview_pass"] + st["passed"] < 1 \
        or st["bad_requests"] or st["fail_open"] or st["fail_closed"]:
    fail("counters %r" % st)
print("  ok: %d objects, %d matches (%s), blocked %d, preview_pass %d, passed %d"
      % (len(objs), len(matches), ", ".join(urls), st["blocked"], st["preview_pass"],
         st["passed"]))
PY
