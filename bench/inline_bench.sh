#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of inline inspection as a user feels it: picture downloads from
# Debian's nginx through the edge namespace (tests/e2e/lib.sh), with no
# filter (plain forwarding, the baseline) and with `edgeward run --mode
# inline` holding every picture until its verdict, with exact hashes only
# and with PDQ on. In one invocation, interleaved, medians of RUNS:
#   - throughput: wrk, 2 threads, 16 connections, requests/s and MB/s over
#     a mix of 16, 64 and 256 KB JPEGs; target with edgeward >= 0.8 of the
#     baseline;
#   - latency per object: wrk, one connection, p50 and p99 per picture size;
#     target: added p99 < 1 ms with exact hashes, and with PDQ < 1 ms beyond
#     the picture's own decode + PDQ time, measured here too (bench/pdq_time.c,
#     in the sandboxed worker as the agent does it).
# Usage: bench/inline_bench.sh [RUNS (3)] [SECONDS per wrk run (5)]
set -eu
RUNS=${1:-3}
SECS=${2:-5}
cd "$(dirname "$0")/.."
B=${B:-build}
. tests/e2e/lib.sh
command -v wrk >/dev/null || { echo "bench: wrk is not installed (packages.txt)" >&2; exit 2; }
make -s --no-print-directory B="$B" "$B/rel/libew.a" all
mkdir -p "$B/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Wall -Wextra -Werror -o "$B/bench/pdq_time" \
	bench/pdq_time.c "$B/rel/libew.a" $(pkg-config --libs libpng libwebp libseccomp) \
	-ljpeg -lgif -lm

ew_require_root
ew_topology_up
WWW=$EW_TMP/www
mkdir -p "$WWW"
# Pictures of about 16, 64 and 256 KB: generated scenes with grain, so
# JPEG keeps their size (benign, made here).
"$EW_PY" - "$WWW" <<'EOF'
import random, sys
from PIL import Image, ImageDraw, ImageFilter
for name, side in (("p16", 180), ("p64", 400), ("p256", 860)):
    rng = random.Random(side)
    img = Image.new("RGB", (side, side))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y, r = rng.randrange(side), rng.randrange(side), rng.randrange(side // 12 + 2, side // 4)
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.effect_noise((side, side), 40).convert("RGB")
    Image.blend(img, noise, 0.25).save(f"{sys.argv[1]}/{name}.jpg", "JPEG", quality=88)
EOF
ew_nginx_server "$WWW" 80
ls -l "$WWW" | awk 'NR > 1 {printf "picture %s: %d bytes\n", $9, $5}'
cat >"$EW_TMP/mix.lua" <<'EOF'
local paths = {"/p16.jpg", "/p64.jpg", "/p256.jpg"}
local i = 0
request = function()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
EOF
head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1 >"$EW_TMP/dummy.sha256"
echo "0000000000000000000000000000000000000000000000000000000000000001" >"$EW_TMP/dummy.pdq"

start() {	# start MODE: none | exact | pdq
	case $1 in
	none) return ;;
	exact) ew_agent_start --mode inline --control "$EW_TMP/agent.sock" --log /dev/null --hash sha256 \
		--hashlist "x=$EW_TMP/dummy.sha256" ;;
	pdq) ew_agent_start --mode inline --control "$EW_TMP/agent.sock" --log /dev/null --hash sha256 \
		--hashlist "x=$EW_TMP/dummy.sha256" --pdqlist "y=$EW_TMP/dummy.pdq" ;;
	esac
}
stop() { ew_agent_kill TERM; ew detach >/dev/null 2>&1 || true; }

# wrk output -> "REQS_PER_S MB_PER_S P50_MS P99_MS"
parse() {
	awk '
	function ms(s,   x) {
		x = s
		sub(/[a-z]+$/, "", x)
		if (s ~ /us$/) return x / 1000
		if (s ~ /ms$/) return x
		return x * 1000
	}
	function mb(s,   x) {
		x = s
		sub(/[A-Za-z]+$/, "", x)
		if (s ~ /GB$/) return x * 1024
		if (s ~ /MB$/) return x
		if (s ~ /KB$/) return x / 1024
		return x / 1048576
	}
	/Requests\/sec/ { r = $2 }
	/Transfer\/sec/ { v = mb($2) }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	END { printf "%s %.2f %.3f %.3f\n", r, v, p50, p99 }'
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A R
for run in $(seq "$RUNS"); do
	for mode in none exact pdq; do
		start "$mode"
		read -r rps mbs _ _ < <(cli wrk -t2 -c16 -d"${SECS}s" --latency -s "$EW_TMP/mix.lua" \
			http://10.10.2.1/ | parse)
		R[$mode.rps]+="$rps "
		R[$mode.mbs]+="$mbs "
		for p in p16 p64 p256; do
			read -r _ _ p50 p99 < <(cli wrk -t1 -c1 -d"${SECS}s" --latency \
				"http://10.10.2.1/$p.jpg" | parse)
			R[$mode.$p.p50]+="$p50 "
			R[$mode.$p.p99]+="$p99 "
		done
		stop
	done
done
med() { tr ' ' '\n' <<<"${R[$1]}" | grep . | median; }

declare -A PDQ
while read -r f us; do PDQ[$(basename "$f" .jpg)]=$us; done < <(
	"$B/bench/pdq_time" 50 "$WWW/p16.jpg" "$WWW/p64.jpg" "$WWW/p256.jpg")

echo
echo "throughput, wrk -t2 -c16, mix of 16/64/256 KB (medians of $RUNS runs of ${SECS}s):"
for mode in none exact pdq; do
	printf '  %-6s %9.1f req/s %8.2f MB/s   ratio %.2f\n' "$mode" "$(med $mode.rps)" \
		"$(med $mode.mbs)" "$(awk -v a="$(med $mode.rps)" -v b="$(med none.rps)" \
		'BEGIN {print a / b}')"
done
echo "  target: exact and pdq >= 0.80 of none"
echo
echo "latency per object, wrk -t1 -c1 (ms; medians of $RUNS runs):"
printf '  %-6s %8s %8s %8s %8s %12s %12s %14s\n' size none.p50 none.p99 exact.p99 pdq.p99 \
	"+p99 exact" "+p99 pdq" "pdq minus D+P"
for p in p16 p64 p256; do
	n99=$(med none.$p.p99) e99=$(med exact.$p.p99) q99=$(med pdq.$p.p99)
	dp=$(awk -v us="${PDQ[$p]}" 'BEGIN {print us / 1000}')
	printf '  %-6s %8.3f %8.3f %8.3f %8.3f %12.3f %12.3f %14.3f   (decode+PDQ %.3f)\n' \
		"$p" "$(med none.$p.p50)" "$n99" "$e99" "$q99" \
		"$(awk -v a="$e99" -v b="$n99" 'BEGIN {print a - b}')" \
		"$(awk -v a="$q99" -v b="$n99" 'BEGIN {print a - b}')" \
		"$(awk -v a="$q99" -v b="$n99" -v c="$dp" 'BEGIN {print a - b - c}')" "$dp"
done
echo "  target: +p99 exact < 1 ms; pdq minus decode+PDQ < 1 ms"
