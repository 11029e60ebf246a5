#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two builds of edgeward on every capture of the shared test data: a change
# that must not change any output (a refactoring, a memory saving) shows
# here. Each capture is run alone (`edgeward pcap FILE --workers 1`, nDPI
# on), then each set of captures in one run with --workers 2; output,
# diagnostics and exit status must be the same bytes.
# Prints each difference and a closing count.
# Usage: tests/compare_builds.sh OLD_EDGEWARD NEW_EDGEWARD
set -u
cd "$(dirname "$0")/.."
[ $# -eq 2 ] && [ -x "$1" ] && [ -x "$2" ] ||
	{ echo "usage: $0 OLD_EDGEWARD NEW_EDGEWARD (two binaries)" >&2; exit 2; }
OLD=$1 NEW=$2
TD=${EW_TESTDATA:-../shared/testdata}
[ -d "$TD/pcaps" ] && [ -d "$TD/ndpi" ] || { echo "compare: no test data at $TD" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

same=0 differ=0
# compare NAME ARGS...: one run of each build, compared.
compare() {
	local name=$1 b
	shift
	for b in old new; do
		local ew=$OLD
		[ $b = new ] && ew=$NEW
		"$ew" pcap "$@" >"$TMP/$b.out" 2>"$TMP/$b.err"
		echo "exit $?" >>"$TMP/$b.err"
	done
	if cmp -s "$TMP/old.out" "$TMP/new.out" && cmp -s "$TMP/old.err" "$TMP/new.err"; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		echo "DIFFER $name"
		diff "$TMP/old.out" "$TMP/new.out" | head -n 4
		diff "$TMP/old.err" "$TMP/new.err" | head -n 4
	fi
}

mapfile -t files < <(find "$TD/pcaps" "$TD/ndpi" -type f \
	\( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
for f in "${files[@]}"; do
	compare "${f#"$TD"/}" "$f" --workers 1
done
for set in pcaps/http pcaps/evader ndpi/pcaps; do
	mapfile -t files < <(find "$TD/$set" -maxdepth 1 -type f \
		\( -name '*.pcap' -o -name '*.pcapng' \) | sort)
	compare "$set (all in one run, --workers 2)" "${files[@]}" --workers 2
done
echo "$same identical, $differ differ"
[ $differ -eq 0 ]
