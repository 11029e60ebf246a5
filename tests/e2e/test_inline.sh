#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the agent inline, in front of Debian's nginx (topology:
# tests/e2e/lib.sh). Pictures are generated (tests/e2e/make_images.py); a
# synthetic list names some by SHA-256 and one by PDQ, served only
# re-encoded. Checked, with exact bytes:
#   - a listed picture: the client gets the 451 notice and none of the
#     picture's bytes; the re-encoded copy is blocked by PDQ alone;
#     unlisted pictures arrive byte for byte;
#   - a learned block: asking again for the listed URL is refused before
#     the server is asked (nginx's access log);
#   - keep-alive: listed and unlisted pictures on one connection, which
#     stays usable after the notice; gzip and chunked (nginx compresses
#     on the fly) blocked and delivered the same;
#   - a 200 MB non-media download streams through intact and nothing is
#     held for it;
#   - reload under load: slow downloads (the server sends 100 kB/s) in
#     flight all finish intact;
#   - SIGKILL mid-transfer: the proxied connection ends, new connections
#     go straight through at once and once the heartbeat is stale, and the
#     blocklist stays enforced.
. "$(dirname "$0")/lib.sh"

STALE=2
ew_require_root
ew_topology_up
SOCK=$EW_TMP/agent.sock
LOG=$EW_TMP/events.jsonl
WWW=$EW_TMP/www
mkdir -p "$WWW"
"$EW_PY" "$EW_ROOT/tests/e2e/make_images.py" "$WWW" >/dev/null
"$EW_BIN" hash "$WWW/bridge.jpg" | awk '$1 == "pdq" {print $2}' >"$EW_TMP/near.pdq"
rm "$WWW/bridge.jpg"
sha256sum "$WWW/harbour.jpg" "$WWW/city.png" | cut -d' ' -f1 >"$EW_TMP/known.sha256"
head -c $((200 << 20)) /dev/zero | tr '\0' 'x' >"$WWW/big.bin"
for i in 1 2 3 4; do head -c $((400 << 10)) /dev/urandom >"$WWW/slow$i.bin"; done
ew_nginx_server "$WWW" 80
# nginx compresses PNGs on the fly (chunked, no Content-Length) when asked,
# and sends /slow* at 100 kB/s
sed -i 's/sendfile on;/sendfile on; gzip on; gzip_types image\/png; gzip_min_length 1;/;
	s/root \(.*\);/root \1; location \/slow { limit_rate 100k; }/' "$EW_TMP/nginx/nginx.conf"
srv nginx -c "$EW_TMP/nginx/nginx.conf" -s reload
sleep 0.3

ew_agent_start --mode inline --stale-after "$STALE" --control "$SOCK" --log "$LOG" \
	--hashlist "known=$EW_TMP/known.sha256,category=test" \
	--pdqlist "near=$EW_TMP/near.pdq,category=test"

# fetch NAME [CURL ARGS]: GET http://10.10.2.1/NAME from the client into
# $EW_TMP/got; prints the HTTP status.
fetch() { local n=$1; shift; cli curl -s -m 20 "$@" -o "$EW_TMP/got" -w '%{http_code}' \
	"http://10.10.2.1/$n" || true; }
# no_bytes_of FILE: the body received holds no 16-byte run of FILE's start
no_bytes_of() { ! grep -qF "$(head -c 64 "$1" | tail -c 16 | xxd -p)" <(xxd -p -c 1000000 "$EW_TMP/got"); }
requests() { grep -c "GET /$1 " "$EW_TMP/nginx/access.log" || true; }
status() { ew status --control "$SOCK"; }

ew_say "listed, re-encoded and unlisted pictures"
ew_expect_eq "harbour.jpg (listed) status" "$(fetch harbour.jpg)" 451
no_bytes_of "$WWW/harbour.jpg" || ew_fail "the notice carries bytes of harbour.jpg"
grep -q "test" "$EW_TMP/got" || ew_fail "the notice does not name the category"
ew_ok "the notice, and none of the picture's bytes"
ew_expect_eq "bridge-copy.jpg (PDQ only) status" "$(fetch bridge-copy.jpg)" 451
for f in meadow.jpg forest.jpg desert.png; do
	ew_expect_eq "$f status" "$(fetch $f)" 200
	cmp -s "$EW_TMP/got" "$WWW/$f" || ew_fail "$f arrived altered"
done
ew_ok "unlisted pictures byte for byte"
ew_wait_grep "$LOG" '"enforced":"notice"' || ew_fail "no block event with enforced notice"

ew_say "a learned block: refused before the server is asked"
n=$(requests harbour.jpg)
ew_expect_eq "harbour.jpg again" "$(fetch harbour.jpg)" 451
ew_expect_eq "requests nginx saw for harbour.jpg" "$(requests harbour.jpg)" "$n"
ew_wait_grep "$LOG" '"enforced":"learned"' || ew_fail "no block event with enforced learned"

ew_say "keep-alive, gzip and chunked"
out=$(cli curl -s -m 20 --compressed -w '%{http_code} %{num_connects}\n' \
	-o "$EW_TMP/k1" "http://10.10.2.1/desert.png" \
	-o "$EW_TMP/k2" "http://10.10.2.1/city.png" \
	-o "$EW_TMP/k3" "http://10.10.2.1/meadow.jpg")
ew_expect_eq "statuses and new connections" "$(tr '\n' ' ' <<<"$out")" "200 1 451 0 200 0 "
cmp -s "$EW_TMP/k1" "$WWW/desert.png" || ew_fail "desert.png (gzip, chunked) altered"
cmp -s "$EW_TMP/k3" "$WWW/meadow.jpg" || ew_fail "meadow.jpg after the notice altered"
grep -q "gzip" <<<"$(cli curl -s -D - -o /dev/null --compressed http://10.10.2.1/desert.png)" ||
	ew_fail "nginx did not compress: the test did not test gzip"
ew_ok "one connection: gzip+chunked intact, city.png blocked, the next intact"

ew_say "200 MB of non-media streams through, nothing held for it"
held0=$(status | sed -n 's/.*objects held \([0-9]*\),.*/\1/p')
t0=$(date +%s%N)
ew_expect_eq "big.bin status" "$(fetch big.bin)" 200
cmp -s "$EW_TMP/got" "$WWW/big.bin" || ew_fail "big.bin altered"
ew_ok "intact in $((($(date +%s%N) - t0) / 1000000)) ms"
ew_expect_eq "objects held during it" "$(status | sed -n 's/.*objects held \([0-9]*\),.*/\1/p')" \
	"$held0"

ew_say "reload under load loses no connection"
pids=()
for i in 1 2 3 4; do
	cli curl -s -m 30 -o "$EW_TMP/s$i" "http://10.10.2.1/slow$i.bin" &
	pids+=($!)
done
sleep 0.5
ew reload --control "$SOCK" >/dev/null || ew_fail "reload failed"
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || ew_fail "download $i failed across the reload"
	cmp -s "$EW_TMP/s$i" "$WWW/slow$i.bin" || ew_fail "download $i altered across the reload"
done
ew_ok "4 downloads in flight during the reload, all intact"

ew_say "SIGKILL mid-transfer: traffic keeps flowing"
ew block 10.10.2.2/32 --rule 7 >/dev/null
cli curl -s -m 30 -o "$EW_TMP/cut" "http://10.10.2.1/slow1.bin" &
cut=$!
sleep 0.5
ew_agent_kill KILL
wait "$cut" && cmp -s "$EW_TMP/cut" "$WWW/slow1.bin" &&
	ew_fail "the proxied download survived its proxy"
ew_ok "the proxied connection ended with the agent"
ew_expect_eq "a new connection at once (no listener)" "$(fetch meadow.jpg)" 200
sleep $((STALE + 1))
ew_expect_eq "a new connection once stale" "$(fetch harbour.jpg)" 200
cmp -s "$EW_TMP/got" "$WWW/harbour.jpg" || ew_fail "harbour.jpg altered with no agent"
ew_ok "with no agent, traffic flows uninspected (fail-open)"
ew_tcp_blocked 10.10.2.2 || ew_fail "the blocklist stopped with the agent"
ew_ok "the blocklist is still enforced"
