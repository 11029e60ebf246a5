#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs edgeward's test programs and prints one closing line:
#   N passed, N failed, N skipped
# Usage: tests/run.sh all|unit|bpf|e2e|oracle|lint|fuzz|fuzz-long
# A program exiting 77 is skipped (e.g. needs root); the last line of its log
# says why. Nothing passes without running: a test that is not built, a
# skip without a reason, or a cmocka skip behind exit 0 (tests/ewtest.h
# turns skips into 77) fails.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
# The repository, for test binaries built outside it (tests/ewtest.h).
export EW_ROOT=$PWD
LOGS=$B/test-logs
mkdir -p "$LOGS"
pass=0 fail=0 skip=0
failed=()

run() {	# run NAME CMD...
	local name=$1 log="$LOGS/${1//\//_}.log" rc start why
	shift
	start=$(date +%s)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	why=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	if [ $rc = 0 ] && grep -q '^\[  SKIPPED \]' "$log"; then
		echo "run.sh: cmocka skipped tests but the program exited 0" \
			"(end main with ewtest_run, tests/ewtest.h)" >>"$log"
		rc=1
	elif [ $rc = 77 ] && [ -z "$why" ]; then
		echo "run.sh: exit 77 (skipped) without saying why" >>"$log"
		rc=1
	fi
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS  %-44s %3ss\n' "$name" $(($(date +%s) - start)) ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-44s %s\n' "$name" "$why" ;;
	*) fail=$((fail + 1)); failed+=("$name")
	   printf '  FAIL  %-44s (exit %d, log %s)\n' "$name" $rc "$log"
	   tail -n 25 "$log" | sed 's/^/        | /' ;;
	esac
}

# built NAME BINARY: true if BINARY is there, else a failure of NAME.
built() {
	[ -x "$2" ] && return 0
	fail=$((fail + 1)); failed+=("$1")
	printf '  FAIL  %-44s (%s not built: make B=%s build-tests)\n' "$1" "$2" "$B"
	return 1
}

# Each test source has its program: one that was not built fails.
unit() {
	local s t
	for s in tests/unit/test_*.c; do
		t=$B/tests/unit/$(basename "$s" .c)
		built "unit/${t##*/}" "$t" && run "unit/${t##*/}" "$t"
	done
}
bpf() {
	local s t
	for s in tests/bpf/test_*.c; do
		t=$B/tests/bpf/$(basename "$s" .c)
		built "bpf/${t##*/}" "$t" && run "bpf/${t##*/}" "$t"
	done
}
e2e() { for t in tests/e2e/test_*.sh; do [ -f "$t" ] && run "e2e/${t##*/}" bash "$t"; done; }
oracle() { for t in tests/oracle/test_*; do [ -f "$t" ] && run "oracle/${t##*/}" "$t"; done; }
lint() { for t in tests/lint/test_*; do [ -f "$t" ] && run "lint/${t##*/}" bash "$t"; done; }

fuzz_replay() {
	local s r name
	for s in tests/fuzz/fuzz_*.c; do
		name=$(basename "$s" .c)
		name=${name#fuzz_}
		r=$B/fuzz/replay_fuzz_$name
		built "fuzz/replay_$name" "$r" || continue
		# replay.c passes an empty corpus: that is no test
		if [ -z "$(ls -A tests/fuzz/corpus/"$name" 2>/dev/null)" ]; then
			fail=$((fail + 1)); failed+=("fuzz/replay_$name")
			printf '  FAIL  %-44s (no corpus in tests/fuzz/corpus/%s)\n' \
				"fuzz/replay_$name" "$name"
			continue
		fi
		run "fuzz/replay_$name" "$r" tests/fuzz/corpus/"$name"
	done
}

fuzz_run() {	# fuzz_run SECONDS: a bounded libFuzzer run per target
	local s f name dir
	for s in tests/fuzz/fuzz_*.c; do
		f=$B/fuzz/$(basename "$s" .c)
		name=${f##*/fuzz_}
		built "fuzz/run_$name" "$f" || continue
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
