#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: edgeward's main job, live. Three network namespaces (the e2e
# topology of tests/e2e/lib.sh): a client, an edge host running `edgeward
# run` inline, and a server running Debian's nginx with generated, benign
# pictures. A synthetic list names two of them by their hashes, and a PDQ
# list names a third picture, which the server only has re-encoded (other
# bytes, so only PDQ can catch it). The client fetches every picture with
# curl; listed ones never reach it (it gets the notice), every other
# arrives byte for byte. A table shows it, then the block events; then
# everything is torn down, also on Ctrl-C. The pictures and the event log
# stay in $EW_DEMO_OUT (default build/demo/).
. "$(dirname "$0")/lib.sh"

OUT=${EW_DEMO_OUT:-$EW_ROOT/${B:-build}/demo}

STEP=0
BOLD= PLAIN=
[ -t 1 ] && BOLD=$'\033[1m' PLAIN=$'\033[0m'
step() { STEP=$((STEP + 1)); printf '\n%s%d. %s%s\n' "$BOLD" "$STEP" "$*" "$PLAIN"; }
show() { printf '   $ %s\n' "$*"; }
indent() { sed 's/^/     /'; }

if [ "$(id -u)" != 0 ]; then
	echo "edgeward demo: needs root (network namespaces, BPF): make demo as root" >&2
	exit 1
fi
ew_require_root
mkdir -p "$OUT"
rm -f "$OUT"/events.jsonl

cat <<'EOF'
edgeward demo: a client, an edge host running edgeward inline, and a web
server, each in its own network namespace. Everything the client fetches
from the server crosses the edge, where HTTP on port 80 is steered to
edgeward's transparent proxy: pictures are held until their hashes are
checked, and a listed one never reaches the client.

  client 10.10.1.1 ──veth── edge: XDP + TC ─▶ edgeward (proxy, hashes, PDQ) ──veth── server (nginx)
EOF

step "Generated pictures on the server, and a synthetic list naming some"
ew_topology_up
WWW=$EW_TMP/www
mkdir -p "$WWW"
show "make_images.py www/   (gradients and shapes: benign, made here)"
"$EW_PY" "$EW_ROOT/tests/e2e/make_images.py" "$WWW" | indent
cp "$WWW"/*.jpg "$WWW"/*.png "$OUT"/
# bridge.jpg is listed by its PDQ only; the server has just its re-encode
"$EW_BIN" hash "$WWW/bridge.jpg" | awk '$1 == "pdq" {print $2, "demo-bridge"}' \
	>"$EW_TMP/demo.pdq"
rm "$WWW/bridge.jpg"
sha256sum "$WWW/harbour.jpg" | cut -d' ' -f1 >"$EW_TMP/demo.sha256"
md5sum "$WWW/city.png" | cut -d' ' -f1 >"$EW_TMP/demo.md5"
echo "synthetic list: harbour.jpg by SHA-256, city.png by MD5, bridge.jpg by PDQ" | indent
ew_nginx_server "$WWW" 80

step "Start edgeward inline on the edge"
show "edgeward run --iface ewc --iface ews --mode inline \\"
show "    --hashlist demo=demo.sha256,category=synthetic --hashlist demo5=demo.md5,category=synthetic \\"
show "    --pdqlist near=demo.pdq,category=synthetic --log events.jsonl"
ew_agent_start --mode inline --control "$EW_TMP/agent.sock" --log "$OUT/events.jsonl" \
	--hashlist "demo=$EW_TMP/demo.sha256,category=synthetic" \
	--hashlist "demo5=$EW_TMP/demo.md5,category=synthetic" \
	--pdqlist "near=$EW_TMP/demo.pdq,category=synthetic"
ew status --control "$EW_TMP/agent.sock" | grep -E '^(agent|lists|engine|inline):' | indent

step "The client fetches every picture"
printf '%-18s %-26s %-28s %s\n' FILE EXPECTED RESULT LIST | indent
ok=0 bad=0
for f in harbour.jpg city.png bridge-copy.jpg meadow.jpg forest.jpg desert.png; do
	case $f in
	harbour.jpg) want="blocked (SHA-256)" ;;
	city.png) want="blocked (MD5)" ;;
	bridge-copy.jpg) want="blocked (PDQ only)" ;;
	*) want="delivered intact" ;;
	esac
	code=$(cli curl -s -m 10 -o "$EW_TMP/got" -w '%{http_code}' "http://10.10.2.1/$f" || true)
	if [ "$code" = 200 ] && cmp -s "$EW_TMP/got" "$WWW/$f"; then
		got="delivered intact"
	elif [ "$code" = 451 ]; then
		got="blocked: HTTP 451 notice"
		grep -q "$(head -c 64 "$WWW/$f" | tr -d '\0' | head -c 16)" "$EW_TMP/got" 2>/dev/null &&
			got="$got (WITH image bytes!)"
	else
		got="other: HTTP $code"
	fi
	[[ $want == blocked* ]] && ew_wait_grep "$OUT/events.jsonl" "\"uri\":\"/$f\""
	list=$("$EW_PY" -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "block" and e["uri"] == "/" + sys.argv[2]:
        print(e["list"], e["hash_type"], "distance %s" % e["distance"] if e["distance"] is not None else ""); break' \
		"$OUT/events.jsonl" "$f")
	printf '%-18s %-26s %-28s %s\n' "$f" "$want" "$got" "$list" | indent
	if [[ $want == blocked* && $got == "blocked: HTTP 451 notice" ]] ||
		[[ $want == delivered* && $got == "delivered intact" ]]; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
	fi
done
echo "$ok as expected, $bad not" | indent

step "The block events (what a responder reads)"
show "grep '\"event\":\"block\"' events.jsonl"
"$EW_PY" -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "block":
        print("%s  %s:%s -> %s  %s  list %s (%s) %s %s...  %s" % (e["ts"], e["flow"]["client"],
              e["flow"]["client_port"], e["host"], e["uri"], e["list"], e["category"],
              e["hash_type"], e["hash"][:16], e["enforced"]))' "$OUT/events.jsonl" | indent

step "Tear down"
show "edgeward detach"
ew detach --control "$EW_TMP/agent.sock" | indent
echo "namespaces, programs, routes and pins are removed on exit (also on Ctrl-C);" | indent
echo "the pictures and events.jsonl stay in $OUT" | indent
[ "$bad" = 0 ] || ew_fail "$bad pictures not as expected"
