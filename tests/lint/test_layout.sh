#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tree shows the pipeline (userspace/README.md):
#  1. every include that crosses a stage folder is one the layering allows
#     (the table below, the same as in userspace/README.md), so no include
#     climbs back up from a lower stage to a higher one;
#  2. no two files of userspace/ call each other in a circle: from the
#     release objects, who defines and who uses each function (nm), and a
#     cycle search over that graph. A stage has one way in and one way out.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
fail=0

declare -A allow=(
	[cli]="*"
	[.]="cli log"
	[agent]="proxy notice icap engine config policy kernel names capture stream classify http object image lists log metrics evidence util"
	[engine]="capture stream classify http object image lists log util"
	[icap]="stream http object log util"
	[proxy]="engine http object stream log util"
	[config]="object lists log util"
	[policy]="config lists object log util"
	[classify]="stream object log util"
	[kernel]="log util"
	[names]="log util"
	[capture]="log util"
	[stream]="capture log util"
	[http]="stream object log util"
	[object]="stream image lists log util"
	[image]="lists log util"
	[lists]="log util"
	[evidence]="object log util"
	[metrics]="engine object log util"
	[report]="log util"
	[notice]="log util"
	[log]="util"
	[util]=""
)

# 1. includes
while IFS= read -r f; do
	rel=${f#userspace/}
	from=$(dirname "$rel")
	while IFS= read -r inc; do
		to=${inc%%/*}
		[ "$inc" = "$to" ] && continue # same folder
		[ "$to" = "$from" ] && continue
		ok=${allow[$from]-}
		if [ "$ok" != "*" ] && [[ " $ok " != *" $to "* ]]; then
			echo "FAIL $f includes \"$inc\": stage '$from' may include only: ${ok:-nothing}"
			fail=1
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -v '\.skel\.h$\|^ew_abi\.h$')
done < <(find userspace -name '*.[ch]' | sort)
[ $fail -eq 0 ] && echo "ok   every cross-stage include follows the layering"

# 2. call cycles between files, from the objects' symbol tables
objs=
for c in $(find userspace -name '*.c' ! -path 'userspace/cli/*' ! -name main.c | sort); do
	o=$B/rel/${c#userspace/}
	o=${o%.c}.o
	[ -f "$o" ] && objs="$objs $o"
done
if [ -z "$objs" ]; then
	echo "FAIL no objects under $B/rel (make first)"
	exit 1
fi
python3 - "$B/rel" $objs <<'PY' || fail=1
import subprocess, sys
base, objs = sys.argv[1], sys.argv[2:]
defs, uses = {}, {}
for o in objs:
    name = o[len(base) + 1:-2]
    out = subprocess.run(["nm", o], capture_output=True, text=True).stdout
    uses[name] = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defs[parts[2]] = name
        elif len(parts) == 2 and parts[0] == "U":
            uses[name].add(parts[1])
graph = {f: sorted({defs[s] for s in u if s in defs and defs[s] != f}) for f, u in uses.items()}
cycles, state, stack = [], {}, []
def dfs(v):
    state[v] = 1
    stack.append(v)
    for w in graph.get(v, []):
        if state.get(w) == 1:
            cycles.append(stack[stack.index(w):] + [w])
        elif not state.get(w):
            dfs(w)
    stack.pop()
    state[v] = 2
for v in sorted(graph):
    if not state.get(v):
        dfs(v)
for c in cycles:
    print("FAIL files call each other in a circle: " + " -> ".join(c))
if not cycles:
    print("ok   no two files call each other in a circle (%d files)" % len(graph))
sys.exit(1 if cycles else 0)
PY
exit $fail
