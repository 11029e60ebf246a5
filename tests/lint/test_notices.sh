#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The shipped notice templates (policies/notices/) pass `edgeward notice
# check` with each shipped language as the default, every language has
# every page, and a broken template is refused naming file:line:col.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
bin=$B/edgeward
fail=0
[ -x "$bin" ] || { echo "FAIL $bin not built (make)"; exit 1; }
for lang in en hi ta bn; do
	out=$("$bin" notice check policies/notices --default-language "$lang" 2>&1) ||
		{ echo "FAIL default language $lang: $out"; fail=1; }
	for page in block warn acked; do
		[ -f "policies/notices/$page.$lang.html" ] ||
			{ echo "FAIL policies/notices/$page.$lang.html missing"; fail=1; }
	done
done
[ $fail -eq 0 ] && echo "ok   policies/notices: valid in en, hi, ta, bn; every page in each"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp policies/notices/*.html "$tmp"/
printf '<p>{{category}}</p>\n<p>{{ cateogry }}</p>\n' >"$tmp/block.hi.html"
out=$("$bin" notice check "$tmp" 2>&1)
rc=$?
if [ $rc = 1 ] && grep -qF "$tmp/block.hi.html:2:4: unknown placeholder '{{cateogry}}'" <<<"$out"; then
	echo "ok   a broken template is refused with file:line:col"
else
	echo "FAIL a broken template: exit $rc: $out"
	fail=1
fi
exit $fail
