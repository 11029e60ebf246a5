/* SPDX-License-Identifier: GPL-2.0 */
/* Local delivery of steered packets, without iptables. TC gives a steered
 * packet a socket (bpf_sk_assign) and ew_config.steer_mark; routing must
 * then deliver it locally whatever its destination, which per family takes
 *
 *   ip rule add pref 10 fwmark MARK lookup TABLE proto 0x45
 *   ip route add local default dev lo table TABLE proto 0x45
 *
 * both tagged with protocol STEER_RTPROT so edgeward recognises (and
 * removes) only its own. Per network namespace: the current one's. */
#ifndef EW_STEER_ROUTE_H
#define EW_STEER_ROUTE_H

#include <linux/types.h>

/* Defaults chosen to stay clear of common setups: marks and tables of
 * kube-proxy (0x4000, 0x8000), Calico (0xffff0000), Cilium (0x0f00,
 * tables 2004/2005), Tailscale (0xff0000, table 52), wg-quick (0xca6c,
 * table 51820), Istio (1337, table 133). The rule matches the whole mark
 * (mask 0xffffffff); its priority 10 comes before VPN clients' rules,
 * which could otherwise route steered packets away (the forwarding path
 * drops a packet that has a socket). */
#define STEER_MARK_DEFAULT  0xe57u
#define STEER_TABLE_DEFAULT 17751u /* 0x4557, as the TC handle */
#define STEER_RULE_PREF	    10u
#define STEER_RTPROT	    0x45u

/* Adds the rule and the route for IPv4 and IPv6 in the current network
 * namespace where they are missing: a second call changes nothing, and a
 * rule or route equal to ours but someone else's counts as present (and
 * stays theirs). Warns, naming the sysctl, about settings that break
 * local delivery of steered packets (none is changed). Returns 0 or
 * -errno, logging why. */
int steer_route_setup(__u32 mark, __u32 table);

/* Removes every rule and route of ours (protocol STEER_RTPROT, whatever
 * their mark and table) in the current namespace; nothing else. Returns
 * how many are left (0: all gone) or -errno, logging why. */
int steer_route_remove(void);

/* Rules and routes of ours in the current namespace, or -errno. */
int steer_route_count(void);

#endif
