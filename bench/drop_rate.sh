#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drop rate on a veth pair, in one invocation: edgeward's XDP program dropping
# N blocked IPv4 prefixes, versus nftables dropping the same prefixes (an
# interval set on the netdev ingress hook, nftables' earliest: the baseline;
# and on ip prerouting at raw priority, where rulesets usually drop), versus
# xdp-filter where it applies (it matches whole addresses only, so in the /32
# case), versus the floor: a bare XDP_DROP program (bench/xdp_floor.bpf.c),
# the most any XDP dropper can reach on this setup.
#
#   generator ns: g0 ──veth── d0 :device-under-test ns
#                 xdpgen            edgeward | nftables | xdp-filter | floor
#
# bench/xdpgen (built here) sends 60-byte UDP frames from g0 with XDP live
# frames, each to a random address inside a random blocked prefix, so every
# frame is dropped and each dropper walks its full table. Frames reach d0 as
# xdp_frames, as from a NIC: XDP droppers see them before any skb exists;
# nftables gets them after d0 (GRO on) has built skbs. Drops are counted at
# d0: veth's rx_queue_0_xdp_drops for XDP, the rule's counter for nftables.
# The generator and d0's NAPI share one CPU (EW_DROP_CPU), so the rate is the
# whole path's.
#
# What it reports, per prefix length (medians of RUNS rounds; a round runs
# every dropper once, back to back, so ratios are medians of the per-round
# ratios and load that changes between rounds cancels):
#   - the headline: packets dropped per wall-clock second, edgeward against
#     nftables (netdev ingress), same generator, same run: what a user gets
#     from the same CPU;
#   - edgeward's rate as a fraction of the floor's (target >= 0.9): how much
#     of what XDP allows here the lookup leaves;
#   - the XDP programs' own time per packet, edgeward's and the floor's:
#     run_time_ns / run_cnt from the kernel's BPF statistics, in separate
#     runs (kernel.bpf_stats_enabled costs two clock reads per program run,
#     so the rate runs go without it; its previous value is put back).
# Not the rate per CPU-second of the generator and ksoftirqd: with IRQ time
# accounted separately, the NAPI work run in softirq on the way out of the
# generator's syscalls is charged to no task, so that figure left out part of
# the droppers' own work and flattered the XDP droppers.
#
# Needs root and a quiet machine: numbers from a shared one are noisy.
# Namespaces and the pin directory carry this shell's pid; all are removed.
#
# EW_DROP_ALT=PATH adds "edgeward-alt": another edgeward binary (a build
# before a change, say) run in the same rounds on the same pinned list, so a
# change is measured against its predecessor on the same machine state.
#
# Usage: bench/drop_rate.sh   (env: EW_DROP_PREFIXES=100000 EW_DROP_SECONDS=2
#        EW_DROP_RUNS=5 EW_DROP_PLENS="24 32" EW_DROP_CPU=0 EW_DROP_COST=1
#        EW_DROP_DROPPERS="edgeward xdp-filter" EW_DROP_ALT= B=build)
set -e -o pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
N=${EW_DROP_PREFIXES:-100000}
SECS=${EW_DROP_SECONDS:-2}
RUNS=${EW_DROP_RUNS:-5}
PLENS=${EW_DROP_PLENS:-24 32}
CPU=${EW_DROP_CPU:-0}
COST=${EW_DROP_COST:-1}		# 0: no program-time runs
DROPPERS=${EW_DROP_DROPPERS:-edgeward xdp-filter}	# nftables always runs
BASE=20.0.0.0
EW_BIN=${EW_BIN:-$ROOT/$B/edgeward}
ALT=${EW_DROP_ALT:-}
# Our own pin directory: the default one belongs to whoever else runs edgeward.
PIN=/sys/fs/bpf/ew-bench-$$
export EDGEWARD_PIN_DIR=$PIN
NG=ew-bgen-$$
ND=ew-bdut-$$
TMP=$(mktemp -d /tmp/ew-bench.XXXXXX)
AGENT=
STATS0=		# kernel.bpf_stats_enabled before we touched it

if [ "$(id -u)" != 0 ]; then
	echo "skipped: drop_rate needs root (namespaces, XDP)"
	exit 77
fi
if [[ " $DROPPERS " == *" edgeward "* ]]; then
	[ -x "$EW_BIN" ] || { echo "drop_rate: $EW_BIN not built (run make)" >&2; exit 1; }
	[ -z "$ALT" ] || [ -x "$ALT" ] || { echo "drop_rate: EW_DROP_ALT: no $ALT" >&2; exit 1; }
else
	ALT=
fi
for n in "$NG" "$ND" "$PIN"; do
	[ -e "/run/netns/$n" ] || [ -e "$n" ] || continue
	echo "drop_rate: $n exists already" >&2
	exit 1
done

in_g() { nsenter --net="/run/netns/$NG" "$@"; }
in_d() { nsenter --net="/run/netns/$ND" "$@"; }

cleanup()
{
	set +e
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	if [ -e "/run/netns/$ND" ]; then
		in_d "$EW_BIN" detach >/dev/null 2>&1
		in_d xdp-filter unload d0 >/dev/null 2>&1
		in_d nft delete table netdev ewbench 2>/dev/null
		in_d nft delete table ip ewbench 2>/dev/null
		ip -n "$ND" link set dev d0 xdpdrv off 2>/dev/null
	fi
	stats_off
	rm -rf "$PIN"
	ip netns del "$NG" 2>/dev/null
	ip netns del "$ND" 2>/dev/null
	# libxdp (xdp-filter) leaves its lock directory; removed only if empty.
	rmdir /sys/fs/bpf/xdp 2>/dev/null
	rm -rf "$TMP"
	# Nothing may be left behind.
	left=
	[ -e "/run/netns/$NG" ] || [ -e "/run/netns/$ND" ] && left="$left namespaces"
	[ -e "$PIN" ] && left="$left $PIN"
	if [ -n "$left" ]; then
		echo "drop_rate: left behind:$left" >&2
		exit 1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_gen()
{
	local out=$ROOT/$B/bench

	mkdir -p "$out"
	clang -g -O2 -target bpf -mcpu=v3 -Wall -Werror \
		-idirafter "/usr/include/$(gcc -dumpmachine)" \
		-c bench/xdpgen.bpf.c -o "$out/xdpgen.bpf.o"
	bpftool gen skeleton "$out/xdpgen.bpf.o" name xdpgen >"$out/xdpgen.skel.h"
	gcc -O2 -Wall -Wextra -Werror -I"$out" -o "$out/xdpgen" bench/xdpgen.c -lbpf
	GEN=$out/xdpgen
	clang -g -O2 -target bpf -mcpu=v3 -Wall -Werror \
		-idirafter "/usr/include/$(gcc -dumpmachine)" \
		-c bench/xdp_floor.bpf.c -o "$out/xdp_floor.bpf.o"
	FLOOR=$out/xdp_floor.bpf.o
}

topology()
{
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	ip netns add "$NG"
	ip netns add "$ND"
	ip -n "$NG" link add g0 type veth peer name d0 netns "$ND"
	ip -n "$NG" link set g0 up
	ip -n "$ND" link set d0 up
	ip -n "$ND" addr add 10.99.0.2/24 dev d0	# the generator's subnet
	MAC=$(ip -n "$ND" link show d0 | awk '/link\/ether/ { print $2 }')
}

# The kernel's BPF run-time statistics, on only for the program-time runs.
stats_on()
{
	[ -n "$STATS0" ] || STATS0=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
}

stats_off()
{
	[ -n "$STATS0" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS0"
	return 0
}

# prefixes PLEN: writes the N blocked prefixes, one per line, to $TMP/list.
prefixes()
{
	python3 - "$BASE" "$N" "$1" >"$TMP/list" <<'EOF'
import ipaddress, sys
base, n, plen = int(ipaddress.ip_address(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    print("%s/%d" % (ipaddress.ip_address(base + (i << (32 - plen))), plen))
EOF
}

xdp_drops() { in_d ethtool -S d0 | awk '/rx_queue_0_xdp_drops/ { print $2 }'; }
nft_drops() { in_d nft list chain netdev ewbench in | grep -o 'packets [0-9]*' | cut -d' ' -f2; }
pre_drops() { in_d nft list chain ip ewbench pre | grep -o 'packets [0-9]*' | cut -d' ' -f2; }
# xdp_prog: the id of the XDP program on d0.
xdp_prog() { ip -n "$ND" link show d0 | grep -o 'prog/xdp id [0-9]*' | cut -d' ' -f3; }
# prog_stats ID: "run_time_ns run_cnt" of program ID (0 0 without statistics).
prog_stats()
{
	bpftool prog show id "$1" | awk '{
		for (i = 1; i < NF; i++) {
			if ($i == "run_time_ns") t = $(i + 1)
			if ($i == "run_cnt") c = $(i + 1)
		} } END { print t + 0, c + 0 }'
}

# generate PLEN: one run of the generator, SECS seconds on CPU $CPU; its
# "sent N frames in T s, cpu C s" line goes to $TMP/gen.
generate()
{
	in_g taskset -c "$CPU" "$GEN" g0 "$MAC" "$BASE" "$N" $((32 - $1)) "$SECS" >"$TMP/gen"
}

# measure_once PLEN COUNTER_FN: one run; appends the packets dropped per
# wall-clock second to $TMP/rate.$DROPPER. A run that dropped nothing is an
# error, not a rate of 0.
measure_once()
{
	local before after

	before=$($2)
	generate "$1"
	after=$($2)
	[ $((after - before)) -gt 0 ] ||
		{ echo "drop_rate: $DROPPER dropped nothing ($(cat "$TMP/gen"))" >&2; exit 1; }
	awk -v d=$((after - before)) '/^sent/ { printf "%.0f\n", d / $5 }' \
		"$TMP/gen" >>"$TMP/rate.$DROPPER"
}

# cost_once PLEN: with the statistics on, one run of the XDP program on d0;
# appends its own ns per packet (run_time_ns / run_cnt) to $TMP/cost.$DROPPER.
cost_once()
{
	local id s0 s1

	[ "$COST" = 1 ] || return 0
	id=$(xdp_prog)
	stats_on
	s0=$(prog_stats "$id")
	generate "$1"
	s1=$(prog_stats "$id")
	stats_off
	awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " ")
		if (y[2] <= x[2]) exit 1
		printf "%.1f\n", (y[1] - x[1]) / (y[2] - x[2]) }' >>"$TMP/cost.$DROPPER" ||
		{ echo "drop_rate: no BPF statistics for program $id ($DROPPER)" >&2; exit 1; }
}

# nftables: two tables with the same set, one on netdev ingress (the
# baseline) and one on ip prerouting at raw priority (before conntrack, where
# most rulesets drop), loaded once and dormant; a run wakes one of them. While
# an XDP program drops first they see nothing. veth takes xdp_frames only
# when it runs XDP or has GRO on.
nft_load()
{
	local fam hook

	for fam in netdev ip; do
		hook="ingress device d0 priority 0"
		[ "$fam" = ip ] && hook="prerouting priority raw"
		echo "table $fam ewbench {"
		echo "  flags dormant"
		echo "  set blk { type ipv4_addr; flags interval; elements = {"
		sed 's/$/,/' "$TMP/list"
		echo "  } }"
		echo "  chain $([ "$fam" = ip ] && echo pre || echo in) {"
		echo "    type filter hook $hook; policy accept;"
		echo "    ip daddr @blk counter drop"
		echo "  }"
		echo "}"
	done >"$TMP/nft"
	nft_unload
	in_d nft -f "$TMP/nft"
}

nft_unload()
{
	in_d nft delete table netdev ewbench 2>/dev/null || true
	in_d nft delete table ip ewbench 2>/dev/null || true
}

# nft_run FAMILY COUNTER_FN PLEN: wake the table, measure, put it to sleep.
nft_run()
{
	in_d ethtool -K d0 gro on
	in_d nft add table "$1" ewbench "{ }"
	measure_once "$3" "$2"
	in_d nft add table "$1" ewbench "{ flags dormant; }"
	in_d ethtool -K d0 gro off
}

run_nftables() { nft_run netdev nft_drops "$1"; }
run_nft_prerouting() { nft_run ip pre_drops "$1"; }

# edgeward: the pinned blocklist is loaded once and outlives the agent; each
# run attaches (native XDP), measures, and detaches d0 only.
# edgeward_up [BINARY]: the agent (default $EW_BIN) attached to d0.
edgeward_up()
{
	local i

	# nsenter itself, not the in_d function: $! must be the agent's pid.
	nsenter --net="/run/netns/$ND" "${1:-$EW_BIN}" run --iface d0 --mode tap --xdp-mode native \
		>>"$TMP/agent.log" 2>&1 &
	AGENT=$!
	for i in $(seq 100); do
		grep -q prog/xdp <<<"$(ip -n "$ND" link show d0)" &&
			[ -e "$PIN/ew_ptcls_v1" ] && return 0
		sleep 0.1
	done
	cat "$TMP/agent.log" >&2
	return 1
}

edgeward_down()
{
	kill "$AGENT"
	wait "$AGENT" 2>/dev/null || true
	AGENT=
	in_d "$EW_BIN" detach --iface d0 >/dev/null
}

edgeward_load()
{
	[ -e "$PIN" ] && in_d "$EW_BIN" detach >/dev/null
	edgeward_up
	in_d "$EW_BIN" block --file "$TMP/list" >/dev/null
	edgeward_down
}

run_edgeward()
{
	edgeward_up
	measure_once "$1" xdp_drops
	cost_once "$1"
	edgeward_down
}

run_edgeward_alt()
{
	edgeward_up "$ALT"
	measure_once "$1" xdp_drops
	cost_once "$1"
	edgeward_down
}

# The floor: XDP_DROP without a lookup, the bound for any XDP dropper here.
run_xdp_floor()
{
	ip -n "$ND" link set dev d0 xdpdrv obj "$FLOOR" sec xdp
	measure_once "$1" xdp_drops
	cost_once "$1"
	ip -n "$ND" link set dev d0 xdpdrv off
}

# xdp-filter matches whole addresses in a hash map of fixed size: it applies
# to /32 lists that fit. Prints why it does not apply, or nothing.
xdp_filter_na()
{
	local max

	[ "$1" = 32 ] || { echo "matches whole addresses only"; return; }
	in_d xdp-filter load -m native -f ipv4 d0
	max=$(bpftool map show pinned /sys/fs/bpf/xdp-filter/filter_ipv4 |
		grep -o 'max_entries [0-9]*' | cut -d' ' -f2)
	in_d xdp-filter unload d0
	[ "$max" -ge "$N" ] || echo "its address map holds $max entries"
}

run_xdp_filter()
{
	in_d xdp-filter load -m native -f ipv4 d0
	python3 - "$TMP/list" >"$TMP/batch" <<'EOF'
import ipaddress, sys
for line in open(sys.argv[1]):
    a = ipaddress.ip_network(line.strip()).network_address.packed
    print("map update pinned /sys/fs/bpf/xdp-filter/filter_ipv4 key %s value 2 0 0 0 0 0 0 0"
          % " ".join(str(b) for b in a))
EOF
	bpftool batch file "$TMP/batch" >/dev/null
	measure_once "$1" xdp_drops
	in_d xdp-filter unload d0
}

# median: of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
# ratios A B: per-round A / B (line i of $TMP/rate.A over line i of rate.B).
ratios() { paste -d' ' "$TMP/rate.$1" "$TMP/rate.$2" | awk '{ printf "%.3f\n", $2 ? $1 / $2 : 0 }'; }
runs() { tr '\n' ' ' <"$1" | sed 's/ $//'; }

# report NAME: packets dropped per wall-clock second, and against nftables.
report()
{
	printf '    %-14s %9s pkt/s  %6sx nftables   runs: %s\n' "$1" \
		"$(median <"$TMP/rate.$1")" "$(ratios "$1" nftables | median | xargs printf '%.2f')" \
		"$(runs "$TMP/rate.$1")"
}

# summary PLEN: the headline and edgeward against the floor.
summary()
{
	local head floor

	[ -f "$TMP/rate.edgeward" ] || return 0
	head=$(ratios edgeward nftables | median | xargs printf '%.2f')
	floor=$(ratios edgeward xdp-floor | median | xargs printf '%.2f')
	printf '    edgeward / nftables, per wall-clock second: %sx   (runs: %s)\n' "$head" \
		"$(ratios edgeward nftables | xargs printf '%.2f ' | sed 's/ $//')"
	printf '    edgeward / XDP_DROP floor: %s (target >= 0.90)   (runs: %s)\n' "$floor" \
		"$(ratios edgeward xdp-floor | xargs printf '%.2f ' | sed 's/ $//')"
	if [ "$COST" = 1 ]; then
		printf '    XDP program time, run_time_ns / run_cnt: edgeward %s ns/pkt, floor %s ns/pkt   (runs: %s; %s)\n' \
			"$(median <"$TMP/cost.edgeward")" "$(median <"$TMP/cost.xdp-floor")" \
			"$(runs "$TMP/cost.edgeward")" "$(runs "$TMP/cost.xdp-floor")"
	fi
	if [ -f "$TMP/rate.edgeward-alt" ]; then
		printf '    edgeward / edgeward-alt (%s): %s   (runs: %s)\n' "$ALT" \
			"$(ratios edgeward edgeward-alt | median | xargs printf '%.3f')" \
			"$(ratios edgeward edgeward-alt | xargs printf '%.2f ' | sed 's/ $//')"
		[ "$COST" = 1 ] && printf '    edgeward-alt program time: %s ns/pkt   (runs: %s)\n' \
			"$(median <"$TMP/cost.edgeward-alt")" "$(runs "$TMP/cost.edgeward-alt")"
	fi
	HEADLINES+=("/$1: edgeward drops ${head}x nftables' packets per wall-clock second; ${floor} of the XDP_DROP floor (target 0.90)")
}

build_gen
topology
printf 'drop rate on a veth pair: %d blocked prefixes, 60-byte frames, %d interleaved rounds of %d s runs, generator on CPU %s\n' \
	"$N" "$RUNS" "$SECS" "$CPU"
printf 'medians; ratios are medians of the per-round ratios\n'
[ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ] ||
	echo "note: kernel.bpf_stats_enabled is already on: every XDP rate includes its cost"
HEADLINES=()
for plen in $PLENS; do
	prefixes "$plen"
	list=(nftables nft-prerouting xdp-floor)
	[[ " $DROPPERS " == *" edgeward "* ]] && list+=(edgeward)
	[ -n "$ALT" ] && list+=(edgeward-alt)
	xf_na=
	if [[ " $DROPPERS " == *" xdp-filter "* ]]; then
		xf_na=$(xdp_filter_na "$plen")
		[ -z "$xf_na" ] && list+=(xdp-filter)
	fi
	nft_load
	[[ " ${list[*]} " == *" edgeward "* ]] && edgeward_load
	rm -f "$TMP"/rate.* "$TMP"/cost.*
	for r in $(seq "$RUNS"); do
		for DROPPER in "${list[@]}"; do
			"run_${DROPPER//-/_}" "$plen"
		done
	done
	echo "  /$plen prefixes, packets dropped per wall-clock second:"
	for d in "${list[@]}"; do report "$d"; done
	[ -n "$xf_na" ] && printf '    %-14s n/a: %s\n' xdp-filter "$xf_na"
	summary "$plen"
	nft_unload
done
for h in "${HEADLINES[@]}"; do echo "headline $h"; done
