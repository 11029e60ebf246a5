#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The metrics endpoint scraped by a real Prometheus (Debian's), started
# here on loopback with a private config and storage:
#
#   edgeward pcap ... --metrics 127.0.0.1:PORT ──/metrics──▶ prometheus (scrape every 1 s)
#                                                               │ API 127.0.0.1:PORT2
#   the test asks Prometheus ◀──────────────────────────────────┘
#
# Prometheus accepts the exposition (the target is up, no parse errors),
# and what it stored equals the run's own summary: frames, objects, the
# objects per type add up to the inspection histogram's count, matches per
# list equal the run's matches. The agent serves the same families and
# adds the kernel's and the tap's (they need BPF: not here).
set -e
set -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EW=${EW_BIN:-$ROOT/${B:-build}/edgeward}
PROM=$(command -v prometheus || echo /usr/bin/prometheus)
PY=$(command -v python3) || { echo "skipped: python3 not found"; exit 77; }
[ -x "$PROM" ] || { echo "skipped: prometheus not installed (apt-get install prometheus)"; exit 77; }
[ -x "$EW" ] || { echo "FAIL: $EW not built (run make)"; exit 1; }
DATA=$ROOT/../shared/testdata/pcaps/http
[ -d "$DATA" ] || { echo "skipped: $DATA not found (the shared test data)"; exit 77; }
TMP=$(mktemp -d /tmp/ew-metrics-$$.XXXXXX)
PIDS=()
cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

EWPORT=$(port)
PPORT=$(port)
cat >"$TMP/prometheus.yml" <<CONF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: edgeward
    static_configs: [{targets: ['127.0.0.1:$EWPORT']}]
CONF

# a list holding the first hashed object, so there is a match to count
"$EW" pcap "$DATA"/*.pcap --workers 1 >"$TMP/plain.jsonl" || true
"$PY" -c "import json
for l in open('$TMP/plain.jsonl'):
    e = json.loads(l)
    if e['event'] == 'object' and e.get('sha256'):
        print(e['sha256']); break" >"$TMP/known.sha256"

echo "== edgeward pcap serving metrics on 127.0.0.1:$EWPORT, Prometheus on 127.0.0.1:$PPORT"
"$EW" pcap "$DATA"/*.pcap --workers 2 --hashlist "known=$TMP/known.sha256,category=test" \
	--out "$TMP/events.jsonl" --metrics "127.0.0.1:$EWPORT" --metrics-wait 40 \
	>"$TMP/pcap.log" 2>&1 &
PIDS+=($!)
"$PROM" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
PIDS+=($!)

query() {	# query PROMQL: the value of the first sample, "" if none
	curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		"$PY" -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")'
}
for i in $(seq 200); do
	[ -s "$TMP/events.jsonl" ] && grep -q '"event":"summary"' "$TMP/events.jsonl" &&
		[ "$(query 'edgeward_objects_total')" != "" ] &&
		[ "$(query 'edgeward_objects_total')" != 0 ] && break
	sleep 0.2
done
[ "$(query 'up{job="edgeward"}')" = 1 ] || { cat "$TMP/prometheus.log"; fail "target not up"; }
ok "Prometheus scrapes the endpoint: up = 1"
sleep 2 # one more scrape of the final numbers
read -r frames objects matches <<<"$("$PY" -c "import json
for l in open('$TMP/events.jsonl'):
    e = json.loads(l)
    if e['event'] == 'summary':
        print(e['packets']['frames'], e['objects'], e['matches'])")"
expect() {	# expect PROMQL WANT
	local got
	got=$(query "$1")
	[ "$got" = "$2" ] || fail "$1 = '$got', want '$2'"
	ok "$1 = $2"
}
expect 'edgeward_frames_total' "$frames"
expect 'edgeward_objects_total' "$objects"
expect 'edgeward_matches_total{list="known"}' "$matches"
expect 'sum(edgeward_objects_inspected_total)' "$(query 'edgeward_inspection_seconds_count')"
expect 'count(edgeward_inspection_seconds_bucket)' 15
[ "$(query 'edgeward_resident_memory_bytes > 0')" != "" ] || fail "no resident memory gauge"
ok "resident memory reported"
echo "PASS: ${0##*/}"
