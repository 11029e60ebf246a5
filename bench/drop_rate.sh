#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drop rate on a veth pair, in one invocation: edgeward's XDP program dropping
# N blocked IPv4 prefixes, versus nftables dropping the same prefixes (an
# interval set on the netdev ingress hook, nftables' earliest: the baseline;
# and on ip prerouting at raw priority, where rulesets usually drop), versus
# xdp-filter where it applies (it matches whole addresses only, so in the /32
# case). Prints packets/s and packets per CPU-second (medians of RUNS
# interleaved runs) and the ratios to nftables; also the floor, a bare
# XDP_DROP program (bench/xdp_floor.bpf.c), which bounds any XDP dropper's
# rate on this setup.
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
# The generator and d0's NAPI share CPU 0, so the rate is the whole path's;
# per CPU-second (generator CPU time, which includes the NAPI work run on its
# way out of each syscall, plus ksoftirqd/0's) it is steadier on a shared
# machine than per wall-clock second. Runs alternate between droppers.
#
# Usage: bench/drop_rate.sh   (env: EW_DROP_PREFIXES=100000 EW_DROP_SECONDS=2
#        EW_DROP_RUNS=5 EW_DROP_PLENS="24 32"
#        EW_DROP_DROPPERS="edgeward xdp-filter" B=build)
set -e -o pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
N=${EW_DROP_PREFIXES:-100000}
SECS=${EW_DROP_SECONDS:-2}
RUNS=${EW_DROP_RUNS:-5}
PLENS=${EW_DROP_PLENS:-24 32}
DROPPERS=${EW_DROP_DROPPERS:-edgeward xdp-filter}	# nftables always runs
BASE=20.0.0.0
EW_BIN=$ROOT/$B/edgeward
PIN=/sys/fs/bpf/edgeward
NG=ew-bgen-$$
ND=ew-bdut-$$
TMP=$(mktemp -d /tmp/ew-bench.XXXXXX)
AGENT=

if [ "$(id -u)" != 0 ]; then
	echo "skipped: drop_rate needs root (namespaces, XDP)"
	exit 77
fi
if [[ " $DROPPERS " == *" edgeward "* ]]; then
	[ -x "$EW_BIN" ] || { echo "drop_rate: $EW_BIN not built (run make)" >&2; exit 1; }
	[ -e "$PIN" ] && { echo "drop_rate: $PIN in use by another edgeward" >&2; exit 1; }
fi

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
	[[ " $DROPPERS " == *" edgeward "* ]] && rm -rf "$PIN"
	ip netns del "$NG" 2>/dev/null
	ip netns del "$ND" 2>/dev/null
	# libxdp (xdp-filter) leaves its lock directory; removed only if empty.
	rmdir /sys/fs/bpf/xdp 2>/dev/null
	rm -rf "$TMP"
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
# CPU ticks (USER_HZ) of ksoftirqd/0: NAPI work deferred off the generator.
ksoft_ticks() { awk '{ print $14 + $15 }' "/proc/$(pgrep -x ksoftirqd/0)/stat"; }

# measure_once PLEN COUNTER_FN: one run of SECS seconds with the generator on
# CPU 0; appends "wall_rate cpu_rate" to $TMP/rates.$DROPPER.
measure_once()
{
	local before after k0 k1

	before=$($2)
	k0=$(ksoft_ticks)
	in_g taskset -c 0 "$GEN" g0 "$MAC" "$BASE" "$N" $((32 - $1)) "$SECS" >"$TMP/gen"
	k1=$(ksoft_ticks)
	after=$($2)
	awk -v d=$((after - before)) -v k=$((k1 - k0)) -v hz="$(getconf CLK_TCK)" \
		'/^sent/ { printf "%.0f %.0f\n", d / $5, d / ($8 + k / hz) }' \
		"$TMP/gen" >>"$TMP/rates.$DROPPER"
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
edgeward_up()
{
	local i

	# nsenter itself, not the in_d function: $! must be the agent's pid.
	nsenter --net="/run/netns/$ND" "$EW_BIN" run --iface d0 --xdp-mode native \
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
	edgeward_down
}

# The floor: XDP_DROP without a lookup, the bound for any XDP dropper here.
run_xdp_floor()
{
	ip -n "$ND" link set dev d0 xdpdrv obj "$FLOOR" sec xdp
	measure_once "$1" xdp_drops
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

# median FILE COLUMN
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# report NAME: one line per dropper, ratios against nftables ($NF_W, $NF_C).
report()
{
	local f=$TMP/rates.$1 w c

	w=$(median "$f" 1)
	c=$(median "$f" 2)
	printf '    %-14s %9s pkt/s %9s pkt/CPU-s  %5sx %5sx  CPU-s runs: %s\n' \
		"$1" "$w" "$c" "$(ratio "$w" "$NF_W")" "$(ratio "$c" "$NF_C")" \
		"$(cut -d' ' -f2 "$f" | tr '\n' ' ')"
}

build_gen
topology
printf 'drop rate on a veth pair: %d blocked prefixes, 60-byte frames, %d interleaved runs of %d s\n' \
	"$N" "$RUNS" "$SECS"
printf 'medians; ratios to nftables per wall-clock second, then per CPU-second\n'
for plen in $PLENS; do
	prefixes "$plen"
	list=(nftables nft-prerouting xdp-floor)
	[[ " $DROPPERS " == *" edgeward "* ]] && list+=(edgeward)
	xf_na=
	if [[ " $DROPPERS " == *" xdp-filter "* ]]; then
		xf_na=$(xdp_filter_na "$plen")
		[ -z "$xf_na" ] && list+=(xdp-filter)
	fi
	nft_load
	[[ " ${list[*]} " == *" edgeward "* ]] && edgeward_load
	rm -f "$TMP"/rates.*
	for r in $(seq "$RUNS"); do
		for DROPPER in "${list[@]}"; do
			"run_${DROPPER//-/_}" "$plen"
		done
	done
	NF_W=$(median "$TMP/rates.nftables" 1)
	NF_C=$(median "$TMP/rates.nftables" 2)
	echo "  /$plen prefixes:"
	for d in "${list[@]}"; do report "$d"; done
	[ -n "$xf_na" ] && printf '    %-14s n/a: %s\n' xdp-filter "$xf_na"
	nft_unload
done
