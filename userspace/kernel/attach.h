/* SPDX-License-Identifier: GPL-2.0 */
/* Hooking loaded programs to interfaces, and unhooking them: XDP through a
 * pinned bpf_link, TC through a clsact ingress filter. What is attached is
 * recorded as pins under the pin directory's links/, so `edgeward detach` and status
 * work without the agent:
 *
 *   links/xdp_IF     the XDP link (unpinning + detaching it removes XDP)
 *   links/tc_IF      the TC program; our filter has EW_TC_HANDLE/EW_TC_PRIO
 *   links/clsact_IF  present when edgeward created IF's clsact qdisc
 */
#ifndef EW_ATTACH_H
#define EW_ATTACH_H

#include <stdbool.h>

#define EW_TC_HANDLE 0x4557
#define EW_TC_PRIO   0x4557

enum attach_xdp_mode {
	ATTACH_XDP_AUTO, /* native, falling back to generic */
	ATTACH_XDP_NATIVE,
	ATTACH_XDP_GENERIC,
};

/* Attaches prog_fd as ifname's XDP program. An edgeward link already pinned
 * for ifname is updated in place (no gap, the mode stays); *created says
 * whether a new attachment was made. Returns 0 or -errno, logging why. */
int attach_xdp(int prog_fd, const char *ifname, enum attach_xdp_mode mode, bool *created);

/* Attaches prog_fd to ifname's clsact ingress hook (created if missing),
 * replacing edgeward's earlier filter atomically. Returns 0 or -errno. */
int attach_tc(int prog_fd, const char *ifname, bool *created);

/* Removes edgeward's XDP link, resp. TC filter (and the clsact qdisc if
 * edgeward created it), from ifname and unpins their records; only what
 * this pin directory recorded is touched. Returns 1 if something was
 * removed, 0 if nothing was attached (not an error), or -errno. */
int attach_xdp_remove(const char *ifname);
int attach_tc_remove(const char *ifname);

/* Calls cb once for each interface with a record under links/, in
 * directory order. Stops at and returns the first nonzero cb return. */
int attach_foreach_iface(int (*cb)(const char *ifname, void *ctx), void *ctx);

/* Describes what is attached to ifname: "xdp native (prog 42)" and the like
 * into xdp/tc (each at least 64 bytes); "-" when nothing is. */
void attach_describe(const char *ifname, char *xdp, char *tc, unsigned int size);

#endif
