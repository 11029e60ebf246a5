#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: one policy file drives every enforcement point of the agent
# inline (docs/policy.md), with Debian's dnsmasq and nginx (HTTP and TLS)
# behind it. The client 10.10.1.1 is in the group "minors", 10.10.1.2 in
# the default group; the notice server listens on the edge.
#
#   client 10.10.1.1 (minors) ──▶ edge: TC (DNS answers from the policy's
#   client 10.10.1.2               tables), namewatch (SNI), inline proxy
#                                  (HTTP), notice server 10.10.1.254:8080
#                                      ──▶ dnsmasq :53, nginx :80 :443
# Topology: tests/e2e/lib.sh. Checked:
#   - DNS: a minor asking dnsmasq through the edge for a blocked name gets
#     the notice server's address with the RFC 8914 EDE (rule's code and
#     contact), dnsmasq never asked; the default group resolves it; a
#     warn rule's name resolves for the minor too (dns: pass);
#   - the notice server (where that answer points) shows that client the
#     rule's notice, in Hindi, with the rule's status, category, contact;
#   - TLS to the blocked name (curl --resolve, https) is reset; an allowed
#     name connects;
#   - HTTP to the blocked host: the notice in Hindi (Accept-Language: hi),
#     the rule's 451 and category; nginx never asked;
#   - HTTP to an adult host (a warn rule): the disclaimer (200) rendered
#     from the warn template in Hindi, its form posting to the notice
#     server; after the POST from the client's own address the real page
#     arrives byte for byte; another minor address still gets the
#     disclaimer;
#   - ICAP (the agent's service): a picture from a host a rule names gets
#     the rule's 451 notice from the templates, in Hindi for a request
#     that asked for it, and a block event with the rule and the
#     policy's version; another host's 204;
#   - reload to a changed policy while a slow download (nginx limit_rate)
#     runs: the download finishes byte-identical, the new rules apply to
#     new DNS queries and HTTP requests, the ISTag changes.
# (test_policy.sh checks the HTTP rules in more detail, test_dns.sh and
# test_sni.sh the kernel's DNS answers and SNI resets without a policy.)
. "$(dirname "$0")/lib.sh"

ew_require_root
for t in dig openssl dnsmasq nginx; do
	command -v $t >/dev/null || { echo "skipped: $t is not installed"; exit 77; }
done
ew_topology_up
ip -n "$EW_NC" addr add 10.10.1.2/24 dev veth0
ip -n "$EW_NC" addr add 10.10.1.3/24 dev veth0
SOCK=$EW_TMP/agent.sock
LOG=$EW_TMP/events.jsonl
WWW=$EW_TMP/www
POL=$EW_TMP/policy
NS_URL=http://10.10.1.254:8080
ew_policy_site "$WWW" "$POL" 100k
for p in adult blocked plain; do echo "<html><body>the $p page</body></html>" >"$WWW/$p.html"; done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=edgeward-test -keyout "$EW_TMP/key.pem" -out "$EW_TMP/cert.pem" 2>/dev/null
sed -i "s|^\t}\$|\t}\n\tserver { listen 443 ssl; ssl_certificate $EW_TMP/cert.pem; ssl_certificate_key $EW_TMP/key.pem; root $WWW; }|" \
	"$EW_TMP/nginx/nginx.conf"
srv nginx -c "$EW_TMP/nginx/nginx.conf" -s reload
for i in $(seq 50); do
	srv curl -sk -m 1 -o /dev/null https://127.0.0.1/plain.html && break
	[ "$i" = 50 ] && ew_fail "nginx does not serve TLS: $(cat "$EW_TMP/nginx/error.log")"
	sleep 0.1
done
ew_dns_server --address=/blocked.test/10.10.2.1 --address=/adult.test/10.10.2.1 \
	--address=/allowed.test/10.10.2.1

# write_policy BLOCKED_ACTION BLOCKED_KEYS ADULT_ACTION ADULT_KEYS: the policy file
write_policy()
{
	cat >"$POL/policy.yaml" <<EOF
notice_server: {ipv4: 10.10.1.254, ipv6: "fd00:1::fe"}
defaults: {contact: help@isp.test}
lists:
  - {name: blocked, type: domain, entries: [blocked.test, "*.blocked.test"]}
  - {name: adult, type: domain, entries: [adult.test]}
  - {name: court, type: domain, entries: [court.test]}
groups:
  - {name: minors, prefixes: [10.10.1.0/31, 10.10.1.3/32]}
rules:
  - {name: court-icap, match: {domain_list: court, content_type: image}, action: notice,
     http_status: 451, category: court-order}
  - {name: minors-blocked, match: {group: minors, domain_list: blocked}, action: $1,
     category: blocked-for-minors$2}
  - {name: minors-adult, match: {group: minors, domain_list: adult}, action: $3,
     category: adult$4}
  - {name: everything-else, action: allow}
EOF
}
write_policy notice ', http_status: 451, ede: 17' warn ', acknowledge_for: 1h'
ew policy check "$POL/policy.yaml" >/dev/null || ew_fail "the test's policy does not check"
cat >"$EW_TMP/agent.yaml" <<CONF
notices:
  templates: $EW_ROOT/policies/notices
  default_language: en
  contact: grievance@isp.test
  listen: 10.10.1.254:8080
  ack_for: 2h
icap: {listen: '127.0.0.1:1344', threads: 1}
CONF
ew_agent_start --config "$EW_TMP/agent.yaml" --mode inline --control "$SOCK" --log "$LOG" \
	--policy "$POL/policy.yaml"
for i in $(seq 100); do ew status --control "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done

# q FROM NAME: dig NAME A at dnsmasq from client address FROM, output in $EW_TMP/dig
q() { cli dig +time=2 +tries=1 -b "$1" @10.10.2.1 "$2" A >"$EW_TMP/dig" 2>&1 || true; }
answer() { awk '/^;; ANSWER SECTION:/ { a = 1; next } /^$/ { a = 0 } a { print $NF }' "$EW_TMP/dig"; }
ede() { grep -o '; EDE: .*' "$EW_TMP/dig" || echo none; }
asked() { grep -c "query\[A\] $1 from $2\$" "$EW_TMP/dnsmasq.log" || true; }
# get FROM HOST PATH [CURL ARGS]: GET http://10.10.2.1/PATH with Host HOST
# from FROM into $EW_TMP/got; prints the status.
get() {
	local from=$1 host=$2 path=$3
	shift 3
	cli curl -s -m 20 --interface "$from" -H "Host: $host" "$@" -o "$EW_TMP/got" \
		-w '%{http_code}' "http://10.10.2.1/$path" || true
}
requests() { grep -c "GET /$1 " "$EW_TMP/nginx/access.log" || true; }
# tls FROM NAME: curl https://NAME/plain.html at 10.10.2.1; prints curl's exit code
tls() { local rc=0; cli curl -sk -m 5 --interface "$1" --resolve "$2:443:10.10.2.1" \
	-o "$EW_TMP/tls" "https://$2/plain.html" 2>/dev/null || rc=$?; echo $rc; }

ew_say "DNS: the policy's tables answer a minor's query for a blocked name"
q 10.10.1.1 www.blocked.test
ew_expect_eq "answer" "$(answer)" 10.10.1.254
ew_expect_eq "EDE" "$(ede)" "; EDE: 17 (Filtered): (help@isp.test)"
ew_expect_eq "dnsmasq asked by the minor" "$(asked www.blocked.test 10.10.1.1)" 0
q 10.10.1.2 www.blocked.test
ew_expect_eq "default group: answer" "$(answer)" 10.10.2.1
ew_expect_eq "default group: EDE" "$(ede)" none
q 10.10.1.1 allowed.test
ew_expect_eq "an allowed name for the minor" "$(answer)" 10.10.2.1
q 10.10.1.1 adult.test
ew_expect_eq "a warn rule's name resolves (the disclaimer is HTTP's)" "$(answer)" 10.10.2.1
ew_expect_eq "... without an EDE" "$(ede)" none
ew_wait_grep "$LOG" '"reason":"dns"' || ew_fail "no block event for the DNS answer"
grep '"reason":"dns"' "$LOG" | grep -q '"host":"www.blocked.test","uri":null,"app":null,"rule":"minors-blocked","category":"blocked-for-minors"' ||
	ew_fail "the DNS answer's event does not name the policy's rule: $(grep '"reason":"dns"' "$LOG")"
ew_expect_eq "DNS block events (one answer)" "$(grep -c '"reason":"dns"' "$LOG")" 1

ew_say "the notice server, where the answer sent the minor: the rule's notice"
code=$(cli curl -s -m 10 --interface 10.10.1.1 -H 'Host: www.blocked.test' -H 'Accept-Language: hi' \
	-o "$EW_TMP/page" -w '%{http_code}' "$NS_URL/index.html" || true)
ew_expect_eq "status" "$code" 451
grep -qF "अवरुद्ध कर दी गई है" "$EW_TMP/page" || ew_fail "not the Hindi notice: $(head -c 300 "$EW_TMP/page")"
grep -qF "<dd>minors-blocked</dd>" "$EW_TMP/page" && grep -qF "<dd>blocked-for-minors</dd>" "$EW_TMP/page" ||
	ew_fail "the notice does not name the rule and category"
grep -qF "help@isp.test" "$EW_TMP/page" || ew_fail "the notice does not give the rule's contact"

ew_say "TLS: the blocked server name is reset, others connect"
ew_expect_eq "allowed.test over TLS" "$(tls 10.10.1.1 allowed.test)" 0
cmp -s "$EW_TMP/tls" "$WWW/plain.html" || ew_fail "plain.html over TLS altered"
rc=$(tls 10.10.1.1 blocked.test)
case $rc in 35 | 52 | 55 | 56) ew_ok "blocked.test over TLS: curl exit $rc (reset)" ;;
*) ew_fail "blocked.test over TLS: curl exit $rc, want a reset (35, 52, 55 or 56)" ;; esac
ew_wait_grep "$LOG" '"reason":"tls_sni"' || ew_fail "no TLS block event"
grep '"reason":"tls_sni"' "$LOG" | grep -q '"host":"blocked.test".*"rule":"minors-blocked"' ||
	ew_fail "the TLS block event does not name the host: $(grep minors-blocked "$LOG")"
ew_expect_eq "blocked.test over TLS, default group" "$(tls 10.10.1.2 blocked.test)" 0

ew_say "HTTP: the blocked host's notice in Hindi, with the rule's 451"
ew_expect_eq "status" "$(get 10.10.1.1 blocked.test blocked.html -H 'Accept-Language: hi')" 451
grep -qF "अवरुद्ध कर दी गई है" "$EW_TMP/got" || ew_fail "not the Hindi notice: $(head -c 300 "$EW_TMP/got")"
grep -qF "blocked-for-minors" "$EW_TMP/got" || ew_fail "the notice does not name the category"
ew_expect_eq "requests nginx saw for blocked.html" "$(requests blocked.html)" 0
ew_expect_eq "default group" "$(get 10.10.1.2 blocked.test blocked.html)" 200

ew_say "HTTP: the adult host's disclaimer, then the page after the acknowledgement"
ew_expect_eq "status" "$(get 10.10.1.1 adult.test adult.html -H 'Accept-Language: hi')" 200
grep -qF '<html lang="hi"' "$EW_TMP/got" || ew_fail "not the Hindi disclaimer: $(head -c 300 "$EW_TMP/got")"
grep -qF "action=\"$NS_URL/_ew/ack\"" "$EW_TMP/got" || ew_fail "the form does not post to the notice server"
grep -qF 'name="url" value="http://adult.test/adult.html"' "$EW_TMP/got" ||
	ew_fail "the form does not carry the URL"
token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' "$EW_TMP/got")
[ ${#token} = 48 ] || ew_fail "no token in the disclaimer"
ew_expect_eq "requests nginx saw for adult.html" "$(requests adult.html)" 0
form=(-d "token=$token" -d category=adult --data-urlencode "url=http://adult.test/adult.html")
ew_expect_eq "the acknowledgement from another address" "$(cli curl -s -m 10 --interface 10.10.1.3 \
	-o /dev/null -w '%{http_code}' "${form[@]}" "$NS_URL/_ew/ack")" 403
ew_expect_eq "the acknowledgement from the client" "$(cli curl -s -m 10 --interface 10.10.1.1 \
	-o /dev/null -w '%{http_code} %{redirect_url}' "${form[@]}" "$NS_URL/_ew/ack")" \
	"303 http://adult.test/adult.html"
ew_expect_eq "status after it" "$(get 10.10.1.1 adult.test adult.html)" 200
cmp -s "$EW_TMP/got" "$WWW/adult.html" || ew_fail "adult.html altered"
ew_expect_eq "another minor address" "$(get 10.10.1.3 adult.test adult.html)" 200
grep -qF "$NS_URL/_ew/ack" "$EW_TMP/got" || ew_fail "10.10.1.3 did not get the disclaimer"
ew_wait_grep "$LOG" '"rule":"minors-adult"' || ew_fail "no event naming minors-adult"
grep '"rule":"minors-adult"' "$LOG" | grep -q '"action":"warn"' ||
	ew_fail "the disclaimer's event: $(grep minors-adult "$LOG")"


ew_say "ICAP: the agent's service asks the policy"
out=$(ew_icap_respmod "$WWW/meadow.jpg" http://court.test/meadow.jpg hi)
grep -q "^HTTP/1.1 451" <<<"$out" && grep -q "^Content-Type: text/html" <<<"$out" ||
	ew_fail "a picture from court.test over ICAP: $out"
grep -qF "अवरुद्ध कर दी गई है" "$EW_TMP/icap_answer" && grep -qF "court-order" "$EW_TMP/icap_answer" ||
	ew_fail "not the rule's Hindi notice over ICAP: $(head -c 600 "$EW_TMP/icap_answer")"
out=$(ew_icap_respmod "$WWW/meadow.jpg" http://other.test/meadow.jpg)
grep -q "^ICAP/1.0 204" <<<"$out" || ew_fail "a picture from other.test over ICAP: $out"
tag1=$(sed -n 's/^ISTag: //p' <<<"$out")
ew_wait_grep "$LOG" '"rule":"court-icap"' || ew_fail "no event naming court-icap"
grep '"rule":"court-icap"' "$LOG" | grep -q '"event":"block".*"policy_version":"[0-9a-f]' ||
	ew_fail "the ICAP block event: $(grep court-icap "$LOG")"
ew_ok "the rule's Hindi 451 notice for court.test, 204 for other.test, a block event with the version"

ew_say "reload to a changed policy while a slow download runs"
cli curl -s -m 30 --interface 10.10.1.1 -o "$EW_TMP/slow" "http://10.10.2.1/slow.bin" &
dl=$!
sleep 0.5
write_policy monitor '' notice ''
out=$(ew reload --control "$SOCK" 2>&1) || ew_fail "reload failed: $out"
kill -0 "$dl" 2>/dev/null || ew_fail "the download was over before the reload: no test"
wait "$dl" || ew_fail "the download failed across the reload"
cmp -s "$EW_TMP/slow" "$WWW/slow.bin" || ew_fail "the download was altered across the reload"
ew_ok "the download in flight finished byte-identical"
q 10.10.1.1 www.blocked.test
ew_expect_eq "DNS: the minor's blocked.test now resolves" "$(answer)" 10.10.2.1
ew_expect_eq "DNS: dnsmasq asked" "$(asked www.blocked.test 10.10.1.1)" 1
q 10.10.1.1 adult.test
ew_expect_eq "DNS: adult.test now the notice server" "$(answer)" 10.10.1.254
ew_expect_eq "HTTP: blocked.test" "$(get 10.10.1.1 blocked.test blocked.html)" 200
cmp -s "$EW_TMP/got" "$WWW/blocked.html" || ew_fail "blocked.html altered"
ew_wait_grep "$LOG" '"event":"monitor"' || ew_fail "no monitor event"
grep '"event":"monitor"' "$LOG" | grep -q '"rule":"minors-blocked".*"host":"blocked.test"\|"host":"blocked.test".*"rule":"minors-blocked"' ||
	ew_fail "the monitor event: $(grep '"event":"monitor"' "$LOG")"
ew_expect_eq "HTTP: adult.test, acknowledged before, now a notice" \
	"$(get 10.10.1.1 adult.test adult.html)" 403
grep -qF "has been blocked" "$EW_TMP/got" || ew_fail "not the block notice"
tag2=$(sed -n 's/^ISTag: //p' <<<"$(ew_icap_respmod "$WWW/meadow.jpg" http://other.test/meadow.jpg)")
[ -n "$tag2" ] && [ "$tag2" != "$tag1" ] || ew_fail "the ISTag did not follow the policy: $tag1 -> $tag2"
ew_ok "ICAP: ISTag $tag1 -> $tag2"
ew_agent_kill
echo "passed"
