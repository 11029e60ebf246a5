#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs edgeward's test programs and prints one closing line:
#   N passed, N failed, N skipped
# Usage: tests/run.sh all|unit|bpf|e2e|oracle|lint|fuzz|fuzz-long
# A program exiting 77 is skipped (e.g. needs root); its log says why.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
LOGS=$B/test-logs
mkdir -p "$LOGS"
pass=0 fail=0 skip=0
failed=()

run() {	# run NAME CMD...
	local name=$1 log="$LOGS/${1//\//_}.log" rc start
	shift
	start=$(date +%s)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS  %-44s %3ss\n' "$name" $(($(date +%s) - start)) ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-44s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$name")
	   printf '  FAIL  %-44s (exit %d, log %s)\n' "$name" $rc "$log"
	   tail -n 25 "$log" | sed 's/^/        | /' ;;
	esac
}

unit() { for t in $B/tests/unit/test_*; do [ -x "$t" ] && run "unit/${t##*/}" "$t"; done; }
bpf() { for t in $B/tests/bpf/test_*; do [ -x "$t" ] && run "bpf/${t##*/}" "$t"; done; }
e2e() { for t in tests/e2e/test_*.sh; do [ -f "$t" ] && run "e2e/${t##*/}" bash "$t"; done; }
oracle() { for t in tests/oracle/test_*; do [ -f "$t" ] && run "oracle/${t##*/}" "$t"; done; }
lint() { for t in tests/lint/test_*; do [ -f "$t" ] && run "lint/${t##*/}" bash "$t"; done; }

fuzz_replay() {
	local r name
	for r in $B/fuzz/replay_fuzz_*; do
		[ -x "$r" ] || continue
		name=${r##*/replay_fuzz_}
		run "fuzz/replay_$name" "$r" tests/fuzz/corpus/"$name"
	done
}

fuzz_run() {	# fuzz_run SECONDS: a bounded libFuzzer run per target
	local f name dir
	for f in $B/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=${f##*/fuzz_}
		dir=$(mktemp -d)
		cp -r tests/fuzz/corpus/"$name"/. "$dir"/ 2>/dev/null
		run "fuzz/run_$name" "$f" -max_total_time="$1" -rss_limit_mb=2048 \
			-timeout=10 "$dir"
		rm -rf "$dir"
	done
}

case ${1:-all} in
unit) unit ;;
bpf) bpf ;;
e2e) e2e ;;
oracle) oracle ;;
lint) lint ;;
fuzz) fuzz_replay; fuzz_run "${EW_FUZZ_SECONDS:-10}" ;;
fuzz-long) fuzz_run "${EW_FUZZ_SECONDS:-300}" ;;
all) lint; unit; bpf; oracle; fuzz_replay; fuzz_run "${EW_FUZZ_SECONDS:-10}"; e2e ;;
*) echo "usage: $0 all|unit|bpf|e2e|oracle|lint|fuzz|fuzz-long" >&2; exit 2 ;;
esac

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
