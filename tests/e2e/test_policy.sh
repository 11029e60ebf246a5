#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the agent inline with a policy (docs/policy.md), in front of
# Debian's nginx (topology: tests/e2e/lib.sh; the client has a second
# address, 10.10.1.2, in the default group; 10.10.1.1 is in "minors").
# Every content rule names the server 10.10.2.1, so only flows to it are
# steered. Checked:
#   - a broken policy at start: exit 2, file:line:col, nothing attached;
#   - a minor asking for a host on the adult list gets 403 and the notice,
#     and nginx never sees the request (its access log); a default-group
#     client gets the page; a court-ordered host gets 451 for anyone;
#   - a listed picture (a policy hash list) is blocked with the rule's
#     name in the block event; a picture on a monitor rule's list arrives
#     byte for byte and a monitor event names the rule;
#   - only the tagged destination is steered (tc_steer_new): a flow to
#     10.10.2.2 goes past the proxy;
#   - every line of the log carries policy_version; a policy event at load;
#   - block events name the subscriber group; "minors" keeps no history
#     (no_history: true): its address is in no line, only its block
#     events are kept, under a pseudonym; a no-history group without a
#     pseudonym key does not start;
#   - a broken policy on reload: the reply says where and why, a policy
#     event with ok false, the old policy stays in force;
#   - reload to a policy that allows the host: a slow download started
#     before it finishes intact, and the minor then gets the page.
. "$(dirname "$0")/lib.sh"

ew_require_root
ew_topology_up
ip -n "$EW_NC" addr add 10.10.1.2/24 dev veth0
SOCK=$EW_TMP/agent.sock
LOG=$EW_TMP/events.jsonl
WWW=$EW_TMP/www
POL=$EW_TMP/policy
ew_policy_site "$WWW" "$POL" 200k
for p in adult court plain; do echo "<html><body>the $p page</body></html>" >"$WWW/$p.html"; done

# policy RULES_FOR_MINORS: the policy file, the minors' adult rule given
write_policy()
{
	cat >"$POL/policy.yaml" <<EOF
lists:
  - {name: adult, type: domain, entries: [adult.test]}
  - {name: court, type: domain, entries: [court.test]}
  - {name: pics, type: sha256, file: pics.sha256, category: test-abuse}
  - {name: watch, type: sha256, file: watch.sha256, category: watched}
  - {name: served, type: ip, entries: [10.10.2.1/32, "fd00:2::1/128"]}
groups:
  - {name: minors, prefixes: [10.10.1.1/32], no_history: true}
rules:
  - {name: court-order, match: {domain_list: court, ip_list: served}, action: notice,
     http_status: 451, category: court-order}
  - {name: minors-adult, match: {group: minors, domain_list: adult, ip_list: served},
     action: $1, category: adult-content}
  - {name: pics, match: {hash_list: pics, ip_list: served}, action: notice, http_status: 451}
  - {name: watch, match: {hash_list: watch, ip_list: served}, action: monitor}
  - {name: everything-else, action: allow}
EOF
}
# refused WHY PATTERN: the agent with the policy exits 2 saying PATTERN,
# nothing attached
refused()
{
	local rc=0 out

	out=$(ew run --iface ewc --iface ews --control "$EW_TMP/agent.sock" --log /dev/null \
		--policy "$POL/policy.yaml" --duration 1 2>&1) || rc=$?
	ew_expect_eq "exit status, $1" "$rc" 2
	grep -q "$2" <<<"$out" || ew_fail "the message does not say where or why: $out"
	ew_attached ewc && ew_fail "attached with $1"
	return 0
}
ew_say "a broken policy at start: nothing starts"
write_policy dorp
refused "a broken policy" "policy.yaml:[0-9]*:[0-9]*: unknown action 'dorp'"
ew_ok "file:line:col given, nothing attached"

write_policy notice
ew policy check "$POL/policy.yaml" >/dev/null || ew_fail "the test's policy does not check"
refused "no_history without a pseudonym key" \
	"group 'minors' keeps no history: the config needs privacy: pseudonym_key"

head -c 32 /dev/urandom >"$EW_TMP/pseudonym.key"
chmod 600 "$EW_TMP/pseudonym.key"
printf 'privacy:\n  pseudonym_key: %s\n' "$EW_TMP/pseudonym.key" >"$EW_TMP/agent.yaml"
ew_agent_start --mode inline --control "$SOCK" --log "$LOG" --policy "$POL/policy.yaml" \
	--config "$EW_TMP/agent.yaml"
# the proxy takes flows once the agent serves its control socket
for i in $(seq 100); do ew status --control "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done

# get FROM HOST PATH [SERVER]: GET http://SERVER/PATH with Host HOST from
# client address FROM into $EW_TMP/got; prints the status.
get() { cli curl -s -m 20 --interface "$1" -H "Host: $2" -o "$EW_TMP/got" -w '%{http_code}' \
	"http://${4:-10.10.2.1}/$3" || true; }
requests() { grep -c "GET /$1 " "$EW_TMP/nginx/access.log" || true; }
steered() { ew_counter TC_STEER_NEW; }

ew_say "HTTP requests by group and domain list"
ew_expect_eq "a minor asks for adult.test" "$(get 10.10.1.1 adult.test adult.html)" 403
grep -q "adult-content" "$EW_TMP/got" || ew_fail "the notice does not name the category"
ew_expect_eq "requests nginx saw for adult.html" "$(requests adult.html)" 0
ew_expect_eq "a default-group client asks for adult.test" \
	"$(get 10.10.1.2 adult.test adult.html)" 200
cmp -s "$EW_TMP/got" "$WWW/adult.html" || ew_fail "adult.html altered"
ew_expect_eq "court.test for anyone" "$(get 10.10.1.2 court.test court.html)" 451
ew_expect_eq "requests nginx saw for court.html" "$(requests court.html)" 0
ew_wait_grep "$LOG" '"rule":"minors-adult"' || ew_fail "no block event naming minors-adult"
grep -q '"event":"block".*"rule":"court-order".*"enforced":"request"' "$LOG" ||
	ew_fail "no block event for court-order enforced at request time"

ew_say "subscriber groups in block events; minors keep no history"
grep '"rule":"minors-adult"' "$LOG" | grep -q '"subscriber":{"client":"anon-[0-9a-f]\{16\}","group":"minors"}' ||
	ew_fail "the minor's block event does not carry a pseudonym and the group"
grep '"rule":"court-order"' "$LOG" | grep -q '"group":"default"' ||
	ew_fail "the court-order block event does not name the default group"
grep -q '"10\.10\.1\.1"' "$LOG" && ew_fail "the minor's address is in the log"
ew_ok "groups named, the minor's address nowhere"

ew_say "objects: a listed picture, a monitored one"
ew_expect_eq "harbour.jpg (policy list pics)" "$(get 10.10.1.2 img.test harbour.jpg)" 451
ew_wait_grep "$LOG" '"rule":"pics"' || ew_fail "no block event naming the rule pics"
grep '"rule":"pics"' "$LOG" | grep -q '"event":"block".*"list":"pics"' ||
	ew_fail "the block event of pics does not name its list"
ew_expect_eq "meadow.jpg (monitor list watch)" "$(get 10.10.1.2 img.test meadow.jpg)" 200
cmp -s "$EW_TMP/got" "$WWW/meadow.jpg" || ew_fail "meadow.jpg altered"
ew_wait_grep "$LOG" '"event":"monitor"' || ew_fail "no monitor event"
grep '"event":"monitor"' "$LOG" | grep -q '"rule":"watch"' || ew_fail "monitor event without its rule"

ew_say "only the tagged destination is steered"
n=$(steered)
ew_expect_eq "plain.html from 10.10.2.2" "$(get 10.10.1.1 adult.test plain.html 10.10.2.2)" 200
ew_expect_eq "new flows steered for 10.10.2.2" "$(steered)" "$n"
ew_expect_eq "plain.html from 10.10.2.1" "$(get 10.10.1.1 other.test plain.html)" 200
ew_expect_eq "new flows steered for 10.10.2.1" "$(steered)" "$((n + 1))"
ew status --control "$SOCK" >"$EW_TMP/status"
grep -q "^policy: .*5 rules" "$EW_TMP/status" || ew_fail "status does not show the policy"

ew_say "events carry the policy version"
ew_wait_grep "$LOG" '"event":"policy"' || ew_fail "no policy event"
v=$(grep -o '"event":"policy".*' "$LOG" | head -1 | grep -o '"policy_version":"[0-9a-f]*"')
[ -n "$v" ] || ew_fail "the policy event has no version"
grep -v -q -- "\"policy_version\"" "$LOG" && ew_fail "a line without policy_version"
ew_ok "every line names the policy version"

ew_say "a broken policy on reload keeps the old one"
cp "$POL/policy.yaml" "$POL/good.yaml"
sed -i 's/action: monitor/action: dorp/' "$POL/policy.yaml"
out=$(ew reload --control "$SOCK" 2>&1) && ew_fail "reload of a broken policy succeeded"
grep -q "policy.yaml:[0-9]*:[0-9]*: unknown action 'dorp'" <<<"$out" ||
	ew_fail "the reply does not say where: $out"
policy_events() { grep '"event":"policy"' "$LOG" | grep -c "$1" || true; }
for i in $(seq 100); do [ "$(policy_events '"ok":false')" = 1 ] && break; sleep 0.1; done
ew_expect_eq "policy events with ok false" "$(policy_events '"ok":false')" 1
ew_expect_eq "a minor still gets the notice" "$(get 10.10.1.1 adult.test adult.html)" 403

ew_say "reload to a policy that allows the host, a download in flight"
cli curl -s -m 30 --interface 10.10.1.1 -o "$EW_TMP/slow" "http://10.10.2.1/slow.bin" &
dl=$!
sleep 0.5
write_policy allow
ew reload --control "$SOCK" >/dev/null || ew_fail "reload of the good policy failed"
wait "$dl" || ew_fail "the download failed across the reload"
cmp -s "$EW_TMP/slow" "$WWW/slow.bin" || ew_fail "the download was altered across the reload"
ew_ok "the download in flight finished intact"
ew_expect_eq "a minor asks for adult.test again" "$(get 10.10.1.1 adult.test adult.html)" 200
ew_expect_eq "requests nginx saw for adult.html" "$(requests adult.html)" 2
for i in $(seq 100); do [ "$(policy_events '"ok":true')" = 2 ] && break; sleep 0.1; done
ew_expect_eq "policy events with ok true" "$(policy_events '"ok":true')" 2
