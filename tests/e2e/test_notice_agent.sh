#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the agent inline with a `notices:` section (topology:
# tests/e2e/lib.sh), in front of Debian's nginx. Checked:
#   - a listed picture asked for with Accept-Language hi, ta, bn or none
#     becomes the block notice in Hindi, Tamil, Bengali or the default
#     (English), with the configured status (403 here) and contact, never
#     a byte of the picture;
#   - the notice server (on the edge, 10.10.1.254:8080): the block notice
#     for a host a DNS answer would send there; a disclaimer whose token
#     works only as a POST from the client it was made for; `edgeward
#     status` counts the acknowledgement.
. "$(dirname "$0")/lib.sh"

ew_require_root
ew_topology_up
SOCK=$EW_TMP/agent.sock
WWW=$EW_TMP/www
mkdir -p "$WWW"
"$EW_PY" "$EW_ROOT/tests/e2e/make_images.py" "$WWW" >/dev/null
sha256sum "$WWW/harbour.jpg" | cut -d' ' -f1 >"$EW_TMP/known.sha256"
ew_nginx_server "$WWW" 80
cat >"$EW_TMP/agent.yaml" <<CONF
notices:
  templates: $EW_ROOT/policies/notices
  default_language: en
  contact: grievance@isp.example
  status: 403
  listen: 10.10.1.254:8080
  ack_for: 1h
CONF
ew_agent_start --config "$EW_TMP/agent.yaml" --mode inline --control "$SOCK" \
	--log "$EW_TMP/events.jsonl" --hashlist "known=$EW_TMP/known.sha256,category=test"

# notice LANG: the listed picture asked for in LANG ("": no Accept-Language)
notice() {
	cli curl -s -m 20 ${1:+-H "Accept-Language: $1"} -o "$EW_TMP/got" -w '%{http_code}' \
		"http://10.10.2.1/harbour.jpg" || true
}

ew_say "the inline block notice in the client's language, status 403"
for pair in "hi:अवरुद्ध कर दी गई है" "ta:தடுக்கப்பட்டுள்ளது" "bn:অবরুদ্ধ করা হয়েছে" \
	"fr, en;q=0.1:has been blocked" ":has been blocked"; do
	lang=${pair%%:*} want=${pair#*:}
	ew_expect_eq "status with Accept-Language '$lang'" "$(notice "$lang")" 403
	grep -qF "$want" "$EW_TMP/got" || ew_fail "the '$lang' notice lacks '$want'"
	grep -qF "grievance@isp.example" "$EW_TMP/got" || ew_fail "no contact in the notice"
	grep -qF "<dd>test</dd>" "$EW_TMP/got" || ew_fail "the notice does not name the category"
	! cmp -s "$EW_TMP/got" "$WWW/harbour.jpg" || ew_fail "the picture came through"
done
ew_ok "Hindi, Tamil, Bengali and English notices with the contact and category"

ew_say "the notice server"
code=$(cli curl -s -m 10 -H 'Host: blocked.example' -H 'Accept-Language: hi' \
	-o "$EW_TMP/page" -w '%{http_code}' http://10.10.1.254:8080/path || true)
ew_expect_eq "a DNS-redirected request's status" "$code" 403
grep -qF "http://blocked.example/path" "$EW_TMP/page" || ew_fail "the page does not name the URL"
grep -qF "अवरुद्ध" "$EW_TMP/page" || ew_fail "the page is not in Hindi"
warn="http://10.10.1.254:8080/_ew/warn?category=adult&url=http%3A%2F%2F10.10.2.1%2Fmeadow.jpg"
cli curl -s -m 10 -o "$EW_TMP/warn" "$warn"
token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' "$EW_TMP/warn")
[ ${#token} = 48 ] || ew_fail "no token in the disclaimer"
form=(-d "token=$token" -d category=adult --data-urlencode "url=http://10.10.2.1/meadow.jpg")
ew_expect_eq "GET of the acknowledge URL" "$(cli curl -s -m 10 -o /dev/null -w '%{http_code}' \
	"http://10.10.1.254:8080/_ew/ack?token=$token&category=adult")" 405
ew_expect_eq "the token posted from the server's side" "$(srv curl -s -m 10 -o /dev/null \
	-w '%{http_code}' "${form[@]}" http://10.10.1.254:8080/_ew/ack)" 403
ew_expect_eq "the token posted by its client" "$(cli curl -s -m 10 -o /dev/null \
	-w '%{http_code} %{redirect_url}' "${form[@]}" http://10.10.1.254:8080/_ew/ack)" \
	"303 http://10.10.2.1/meadow.jpg"
st=$(ew status --control "$SOCK")
grep -q "notices: port 8080; block pages 1, disclaimers 1, acknowledged 1, refused 1" \
	<<<"$st" || ew_fail "status: $(grep notices <<<"$st")"
ew_ok "block page, disclaimer, acknowledgement by POST from its own client only"
ew_agent_kill
echo "passed"
