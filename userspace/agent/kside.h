/* SPDX-License-Identifier: GPL-2.0 */
/* The agent's kernel side: programs loaded (or reused from the pins) and
 * attached to the interfaces, the config map with the heartbeat, the
 * ports the TC program tags, and the flow verdicts the agent writes.
 * Enforcement outlives the agent: nothing here detaches on stop. */
#ifndef EW_AGENT_KSIDE_H
#define EW_AGENT_KSIDE_H

#include <stdint.h>

#include "apolicy.h"
#include "config/runconf.h"
#include "ew_abi.h"
#include "kernel/config.h"
#include "kernel/steer.h"

struct kside {
	struct config *cfg;	/* EW_MAP_CONFIG, mapped: heartbeat, flags */
	int flows_fd;		/* EW_MAP_FLOWS */
	int ports_fd;		/* EW_MAP_PORTS */
	int mirror_fd;		/* EW_MAP_MIRROR (ring buffer) */
	struct steer *steer;	/* inline mode: listeners and flags */
};

/* Mounts bpffs if needed, loads the programs (reusing the pins), beats
 * once, stores the tags of policy g (kside_policy; in inline mode also
 * the routing of steered packets) and attaches to every interface of c
 * (a failure takes back what this call attached). Every problem is
 * printed. Returns 0 or -errno; on failure kside_down is still to be
 * called. */
int kside_up(struct kside *k, const struct runconf *c, const struct apolicy *g);

/* What the TC program tags and steers, from c and the policy g (at start
 * and on every reload):
 *   - no policy: c's ports, every flow to them (EW_STEER_ALL), as before;
 *   - a policy: its tags (kernel/tags.h: clients, destinations, ports;
 *     inline, those of HTTP requests and whole objects, steered; tap,
 *     all of them, mirrored), and c's ports for every flow only when c
 *     has lists of its own (the floor applies to everyone).
 * The tags go in as one flip; then the ports, then the flags. Returns 0
 * or -errno (printed). */
int kside_policy(struct kside *k, const struct runconf *c, const struct apolicy *g);

/* Writes the heartbeat (CLOCK_MONOTONIC ns; 0: stale at once, the kernel
 * stops tagging and steering). */
void kside_beat(struct kside *k, uint64_t now_ns);

/* Puts a RESET verdict on the flow with canonical key (rule id rule): XDP
 * drops its packets both ways from now on and answers each TCP one with a
 * reset to its sender, at the sequence number the sender expects (the
 * agent's own resets may lag: the mirror is behind the wire). Returns 0
 * or -errno. */
int kside_reset_flow(struct kside *k, const struct ew_flow_key *key, uint32_t rule);

/* Stale heartbeat, fds closed. Safe after a failed kside_up. */
void kside_down(struct kside *k);

#endif
