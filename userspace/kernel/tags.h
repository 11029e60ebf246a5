/* SPDX-License-Identifier: GPL-2.0 */
/* tags: the policy's tags as the TC program reads them (include/ew_abi.h,
 * "The policy's tags"; bpf/lib/tags.h): which new flows go to inspection,
 * by server port, client prefix and server prefix, so that only flows
 * that can match a content rule take the expensive path.
 *
 *   tags_rule (one per policy tag) ─tags_add─▶ classes (same clients and
 *   servers: one class), ports ─▶ masks, prefixes ─▶ union masks
 *                                  ─tags_store─▶ the set not in use, flip, empty the old
 *
 * Building is pure (tags_add, tags_port, tags_prefix_mask: unit tests);
 * tags_store writes the pinned maps. Over EW_TAG_CLASSES classes, too
 * many ports or prefixes, tags grow to a superset (any client, any
 * server, any port): more flows inspected, never fewer; decisions in
 * userspace stay exact. */
#ifndef EW_KERNEL_TAGS_H
#define EW_KERNEL_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"
#include "ports.h"

struct tags_prefix {
	uint8_t addr[16]; /* IPv4-mapped for IPv4 */
	uint8_t len;	  /* 0..128 over the 16 bytes */
};

struct tags_port {
	uint8_t proto;	  /* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t lo, hi;  /* host order */
};

/* One tag of the policy: flows to ports, from clients (0: any), to
 * servers (0: any), mirrored (budget packets, EW_MIRROR_ALL: all) or
 * steered to the proxy (TCP, inline mode). */
struct tags_rule {
	const struct tags_port *ports;
	size_t nports;
	uint16_t budget;
	bool steer;
	const struct tags_prefix *clients;
	size_t nclients;
	const struct tags_prefix *servers;
	size_t nservers;
};

struct tags;

/* An empty set of tags, or NULL (ENOMEM). */
struct tags *tags_new(void);
void tags_free(struct tags *t);

/* Adds one tag: its class (a new one, or the one with the same clients
 * and servers), its ports. Returns 0 or -ENOMEM. */
int tags_add(struct tags *t, const struct tags_rule *r);

/* Counts, for status and tests. */
unsigned tags_classes(const struct tags *t);
size_t tags_ports(const struct tags *t);

/* What the kernel will read for server port (proto, port; 0: the
 * any-port entry): false when there is none. */
bool tags_port(const struct tags *t, uint8_t proto, uint16_t port, struct ew_tagport *out);

/* The classes an address is in as a client (servers false) or server:
 * the any classes and those of every prefix holding it. */
uint32_t tags_mask(const struct tags *t, bool servers, const uint8_t addr[16]);

/* The TCP ports the tags steer, appended to ports[0..*n) with
 * EW_PORT_INLINE | EW_PORT_LIMITED unless already there (an inline port
 * of the config steers every flow and keeps its flags). Returns 0 or
 * -E2BIG. */
int tags_steer_ports(const struct tags *t, struct ports_entry *ports, int *n, int max);

/* Writes t (NULL: no policy) into the pinned maps: the set not in use,
 * then the flip, then the old set emptied (tags_store.c). Sorts t's
 * prefix lists. Returns 0 or -errno (printed). */
int tags_store(struct tags *t);

#endif
