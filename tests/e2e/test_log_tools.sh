#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The event log tools through the CLI, no root or network needed:
#   - `edgeward report` over the hand-counted fixture (tests/fixtures/
#     README.md), split into a plain and a gzip-compressed rotated file,
#     gives the hand counts, and agrees with `edgeward log query` on the
#     same files (total and per category, list, hash type, month);
#   - `edgeward pcap --log-key` output verifies; an edited field, a
#     deleted line, a cut tail and a wrong key each make `log verify` exit
#     1 naming the line and the problem;
#   - a pcap run with a hash list: report's cases (matched objects) equal
#     the distinct objects of `log query --event match`;
#   - `edgeward lookup` on the PDQ reference photos against the shared PDQ
#     blocklist: each entry within 31 is reported with the distance that
#     the reference hashes in expected.json give, the others are not; a
#     listed SHA-256 is found by hash and by file;
#   - evidence: `pcap --evidence-dir --evidence-key` seals the matched
#     object; `evidence open` with the responders' secret key gives back the
#     listed bytes and records who and why in a signed access log; a wrong
#     key fails (exit 1) and is recorded too.
set -e
set -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EW=${EW_BIN:-$ROOT/${B:-build}/edgeward}
PY=$(command -v python3) || { echo "skipped: python3 not found"; exit 77; }
[ -x "$EW" ] || { echo "FAIL: $EW not built (run make)"; exit 1; }
TMP=$(mktemp -d /tmp/ew-logtools.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }

echo "== report: hand counts, gzip, and log query on the same files"
head -n 7 "$ROOT/tests/fixtures/report.jsonl" >"$TMP/events.jsonl.1"
tail -n +8 "$ROOT/tests/fixtures/report.jsonl" >"$TMP/events.jsonl"
gzip "$TMP/events.jsonl.1"
files=("$TMP/events.jsonl" "$TMP/events.jsonl.1.gz")	# newest first on purpose
"$EW" report --from 2024-01 --to 2024-06 --format json "${files[@]}" >"$TMP/report.json"
"$PY" - "$TMP/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = {"total_cases": 6, "distinct_hashes": 5,
        "by_category": {"csam": 5, "extremism": 1},
        "by_list": {"iwf": 3, "ncmec": 2, "near": 1},
        "by_hash_type": {"md5": 3, "sha256": 2, "pdq": 1},
        "by_content_type": {"jpeg": 3, "png": 1, "image/webp": 1, "mp4": 1},
        "by_rule": {"none": 5, "r7": 1},
        "by_day": {"2024-01-05": 1, "2024-01-20": 1, "2024-02-10": 2, "2024-03-31": 1,
                   "2024-06-30": 1},
        "by_month": {"2024-01": 2, "2024-02": 2, "2024-03": 1, "2024-06": 1}}
for k, v in want.items():
    assert r[k] == v, f"{k}: got {r[k]}, want {v}"
assert r["top_domains"] == [{"host": "a.example", "cases": 3}, {"host": "b.example", "cases": 2},
                            {"host": "cdn.c.example", "cases": 1}], r["top_domains"]
assert [c["event_id"] for c in r["cases"]] == ["e1", "e2", "e3", "e4", "e5", "e6"], r["cases"]
PY
ok "report gives the hand counts, the appendix lists e1..e6 in time order"
q() { "$EW" log query "${files[@]}" --event block --from 2024-01 --to 2024-06 "$@" | wc -l; }
total=$(q)
[ "$total" = 6 ] || fail "log query found $total block events, report 6"
for f in "--category csam" "--category extremism" "--list iwf" "--list ncmec" "--list near"; do
	n=$(q $f)
	key=${f%% *}; key=${key#--}; val=${f#* }
	r=$("$PY" -c "import json,sys; print(json.load(open('$TMP/report.json'))['by_$key'].get('$val', 0))")
	[ "$n" = "$r" ] || fail "$f: log query $n, report $r"
done
for m in 01 02 03 04 05 06; do
	n=$("$EW" log query "${files[@]}" --event block --from 2024-$m --to 2024-$m | wc -l)
	r=$("$PY" -c "import json; print(json.load(open('$TMP/report.json'))['by_month'].get('2024-$m', 0))")
	[ "$n" = "$r" ] || fail "month 2024-$m: log query $n, report $r"
done
ok "log query agrees with report: total, per category, list and month"
"$EW" report --from 2024-01 --to 2024-06 --format csv "${files[@]}" >"$TMP/report.csv"
grep -qx 'total,block events,6' "$TMP/report.csv" || fail "csv total: $(head -3 "$TMP/report.csv")"
grep -qx 'category,csam,5' "$TMP/report.csv" || fail "csv category"
ok "csv has the same numbers"

echo "== verify: pcap --log-key output, and tampering through the CLI"
PCAP=$ROOT/../shared/testdata/pcaps/http/zeek__post.pcap
[ -f "$PCAP" ] || { echo "skipped: $PCAP not found (the shared test data)"; exit 77; }
head -c 32 /dev/urandom >"$TMP/key" && chmod 600 "$TMP/key"
head -c 32 /dev/urandom >"$TMP/other" && chmod 600 "$TMP/other"
"$EW" pcap "$PCAP" --out "$TMP/p.jsonl" --log-key "$TMP/key" >/dev/null || [ $? = 1 ]
out=$("$EW" log verify --log-key "$TMP/key" "$TMP/p.jsonl") || fail "intact log: $out"
ok "intact: $out"
expect_bad() {	# expect_bad FILE PATTERN [KEY]
	local out rc=0
	out=$("$EW" log verify --log-key "${3:-$TMP/key}" "$1") || rc=$?
	[ "$rc" = 1 ] || fail "verify exit $rc for $1 ($out)"
	grep -q "$2" <<<"$out" || fail "verify said '$out', want '$2'"
	ok "$out"
}
sed '2s/"kind":"[a-z_]*"/"kind":"forged"/' "$TMP/p.jsonl" >"$TMP/edited.jsonl"
expect_bad "$TMP/edited.jsonl" ':2: edited line'
sed '3d' "$TMP/p.jsonl" >"$TMP/deleted.jsonl"
expect_bad "$TMP/deleted.jsonl" ':3: deleted lines'
head -n -1 "$TMP/p.jsonl" >"$TMP/cut.jsonl"
expect_bad "$TMP/cut.jsonl" 'truncated tail: no checkpoint'
expect_bad "$TMP/p.jsonl" ':1: signed with key id .*, not with the key given' "$TMP/other"

echo "== report over a pcap run: cases are the matched objects"
SHA=$("$PY" -c "import json,sys
for l in open('$TMP/p.jsonl'):
    e = json.loads(l)
    if e['event'] == 'object' and e.get('sha256'):
        print(e['sha256']); break")
[ -n "$SHA" ] || fail "no hashed object in $PCAP"
echo "$SHA" >"$TMP/list.sha256"
rc=0; "$EW" pcap "$PCAP" --out "$TMP/m.jsonl" --hashlist "known=$TMP/list.sha256,category=test" \
	>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "pcap with a listed object exited $rc"
objs=$("$EW" log query "$TMP/m.jsonl" --event match | "$PY" -c "import json,sys
print(len({json.loads(l)['object'] for l in sys.stdin}))")
cases=$("$EW" report --from 1970-01-01 --to 2100-12 --format json "$TMP/m.jsonl" |
	"$PY" -c "import json,sys; print(json.load(sys.stdin)['total_cases'])")
[ "$objs" = "$cases" ] && [ "$cases" -ge 1 ] || fail "report $cases cases, log query $objs objects"
ok "$cases matched object(s): report and log query agree"
"$EW" evidence keygen --public "$TMP/resp.pub" --secret "$TMP/resp.sec"
"$EW" pcap "$PCAP" --out /dev/null --force --hashlist "known=$TMP/list.sha256" \
	--evidence-dir "$TMP/ev" --evidence-key "$TMP/resp.pub" 2>/dev/null || [ $? = 1 ]
sealed=$(ls "$TMP"/ev/*.sealed | head -1)
[ -n "$sealed" ] && [ "$(stat -c %a "$sealed")" = 600 ] || fail "no sealed object (0600) in $TMP/ev"
grep -q "$SHA" "$sealed" && fail "the sealed file holds the plain hash?"
"$EW" evidence open --public-key "$TMP/resp.pub" --secret-key "$TMP/resp.sec" \
	--reason "case 42" --log-key "$TMP/key" --out "$TMP/opened.bin" "$sealed"
[ "$(sha256sum <"$TMP/opened.bin" | cut -d' ' -f1)" = "$SHA" ] || fail "opened bytes differ"
rc=0
"$EW" evidence open --public-key "$TMP/resp.pub" --secret-key "$TMP/other" --reason "try" \
	--log-key "$TMP/key" --out "$TMP/x.bin" "$sealed" 2>/dev/null || rc=$?
[ "$rc" != 0 ] && [ ! -e "$TMP/x.bin" ] || fail "a wrong secret key opened it (exit $rc)"
"$EW" log verify --log-key "$TMP/key" "$TMP/ev/access.jsonl" >/dev/null || fail "access log"
"$PY" - "$TMP/ev/access.jsonl" "$SHA" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if '"evidence_access"' in l]
assert [e["reason"] for e in a] == ["case 42", "try"], a
assert a[0]["outcome"] == "opened" and a[0]["sha256"] == sys.argv[2], a[0]
assert a[1]["outcome"] != "opened" and "sha256" not in a[1], a[1]
assert all(e["by"] and e["ts"] for e in a)
PY
ok "evidence sealed, opened with the secret key only, both openings in the signed access log"
echo "== lookup: the reference photos against the shared PDQ blocklist"
PDQ=$ROOT/../shared/testdata/pdq
sha=$("$PY" -c "import json; print(json.load(open('$PDQ/expected.json'))['images'][0]['sha256'])")
echo "$sha" >"$TMP/ref.sha256"
"$EW" lookup "$PDQ"/images/bridge-mods__*.jpg "$PDQ"/images/misc__c.png "$sha" \
	--pdqlist "near=$PDQ/blocklist_pdq.txt,category=test" \
	--hashlist "ref=$TMP/ref.sha256,category=test" >"$TMP/lookup.out" || [ $? = 1 ]
"$PY" - "$PDQ" "$TMP/lookup.out" "$sha" <<'PY'
import json, re, sys
pdq, out, sha = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
exp = json.load(open(pdq + "/expected.json"))
entries = [l.split(",", 1) for l in open(pdq + "/blocklist_pdq.txt") if l[0] != "#" and l.strip()]
blocks = {}
cur = None
for line in out.splitlines():
    if not line.startswith("  "):
        cur = line
        blocks[cur] = []
    else:
        blocks[cur].append(line)
n = 0
for im in exp["images"]:
    f = pdq + "/" + im["file"]
    if f not in blocks:
        continue
    want = sorted((lab.strip(), bin(int(h, 16) ^ int(im["pdq"], 16)).count("1"))
                  for h, lab in entries if bin(int(h, 16) ^ int(im["pdq"], 16)).count("1") <= 31)
    got = sorted((m.group(1), int(m.group(2))) for m in
                 (re.search(r"entry '(.*)' on list 'near' .*distance (\d+)\)", l) for l in blocks[f]) if m)
    assert got == want, "%s: got %s, want %s" % (im["file"], got, want)
    n += 1
assert n >= 8, "only %d images checked" % n
assert any("sha256   on list 'ref'" in l for l in blocks[sha]), blocks[sha]
assert any("sha256   on list 'ref'" in l for l in blocks[pdq + "/images/bridge-mods__aaa-orig.jpg"])
print("  ok: %d images: PDQ entries within the threshold and their distances as expected.json "
      "gives; the SHA-256 found by hash and by file" % n)
PY
echo "PASS: ${0##*/}"
