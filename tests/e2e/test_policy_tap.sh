#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the agent in tap mode with a policy (topology:
# tests/e2e/lib.sh), in front of Debian's nginx. The mirror feeds the
# engine; nDPI classifies the mirrored flows. Checked:
#   - a picture on a monitor rule's list: delivered, a monitor event names
#     the rule, no block;
#   - a listed picture: delivered (tap mode), then the flow is blocked and
#     reset, the block event names the rule and says tap_reset;
#   - an application rule (nDPI's HTTP) on the server 10.10.2.2: a slow
#     download from it is cut once nDPI names the flow (a flow verdict and
#     resets), the block event names the rule and the app; the same download
#     from 10.10.2.1, which no app rule names, finishes intact.
. "$(dirname "$0")/lib.sh"

ew_require_root
ew_topology_up
SOCK=$EW_TMP/agent.sock
LOG=$EW_TMP/events.jsonl
WWW=$EW_TMP/www
POL=$EW_TMP/policy
ew_policy_site "$WWW" "$POL" 100k
cat >"$POL/policy.yaml" <<EOF
lists:
  - {name: pics, type: sha256, file: pics.sha256, category: test-abuse}
  - {name: watch, type: sha256, file: watch.sha256, category: watched}
  - {name: one, type: ip, entries: [10.10.2.1/32]}
  - {name: two, type: ip, entries: [10.10.2.2/32]}
rules:
  - {name: http-app, match: {app: HTTP, ip_list: two}, action: block}
  - {name: pics, match: {hash_list: pics, ip_list: one}, action: block}
  - {name: watch, match: {hash_list: watch, ip_list: one}, action: monitor}
  - {name: everything-else, action: allow}
EOF
ew policy check "$POL/policy.yaml" >/dev/null || ew_fail "the test's policy does not check"

ew_agent_start --mode tap --control "$SOCK" --log "$LOG" --policy "$POL/policy.yaml"
for i in $(seq 100); do ew status --control "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done

fetch() { cli curl -s -m 20 -o "$EW_TMP/got" -w '%{http_code}' "http://$1/$2" || true; }

ew_say "objects: monitored, then listed"
ew_expect_eq "meadow.jpg (monitor list)" "$(fetch 10.10.2.1 meadow.jpg)" 200
cmp -s "$EW_TMP/got" "$WWW/meadow.jpg" || ew_fail "meadow.jpg altered"
ew_wait_grep "$LOG" '"event":"monitor"' || ew_fail "no monitor event"
grep '"event":"monitor"' "$LOG" | grep -q '"rule":"watch"' || ew_fail "monitor event without its rule"
fetch 10.10.2.1 harbour.jpg >/dev/null
ew_wait_grep "$LOG" '"rule":"pics"' || ew_fail "no block event naming the rule pics"
grep '"rule":"pics"' "$LOG" | grep -q '"event":"block".*"enforced":"tap_reset"' ||
	ew_fail "the block event of pics is not a tap reset"
ew_ok "a block event names the rule pics, enforced by tap_reset"

ew_say "an application rule: nDPI names the flow, the flow is cut"
cli curl -s -m 30 -o "$EW_TMP/two" "http://10.10.2.2/slow.bin" && ew_fail "the download from 10.10.2.2 finished"
cmp -s "$EW_TMP/two" "$WWW/slow.bin" && ew_fail "slow.bin arrived whole from 10.10.2.2"
ew_wait_grep "$LOG" '"rule":"http-app"' || ew_fail "no block event naming http-app"
grep '"rule":"http-app"' "$LOG" | grep -q '"app":"HTTP"' || ew_fail "the block event does not name the app"
ew_ok "cut, with a block event naming the rule and the app"
cli curl -s -m 30 -o "$EW_TMP/one" "http://10.10.2.1/slow.bin" || ew_fail "the download from 10.10.2.1 failed"
cmp -s "$EW_TMP/one" "$WWW/slow.bin" || ew_fail "slow.bin from 10.10.2.1 altered"
ew_ok "the same download from 10.10.2.1 finished intact"
