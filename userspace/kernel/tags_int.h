/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of tags.c (building) and tags_store.c (the maps). */
#ifndef EW_KERNEL_TAGS_INT_H
#define EW_KERNEL_TAGS_INT_H

#include "tags.h"

#define TAGS_PFX_SET  (EW_TAGPFX_MAX / 2)  /* prefixes per side and set */
#define TAGS_PORT_SET (EW_TAGPORT_MAX / 2) /* port entries per set */

struct tclass {
	struct tags_prefix *cli, *srv;
	size_t ncli, nsrv;
};

struct tport {
	uint8_t proto;
	uint16_t port; /* host order; 0: any port */
	struct ew_tagport v;
};

/* A prefix and the class bit(s) it was given (not yet the union of
 * those around it: tags_store.c computes that). */
struct tpfx {
	struct tags_prefix p;
	uint32_t mask;
};

struct pfxlist {
	struct tpfx *v;
	size_t n, cap;
};

struct tags {
	struct tclass cls[EW_TAG_CLASSES];
	unsigned ncls;
	uint32_t any_cli, any_srv; /* classes with any client, any server */
	struct tport *ports;
	size_t nports, capports;
	struct pfxlist cli, srv;
};

/* The value the kernel reads for port entry p: an exact port's carries
 * the any-port classes of its protocol too (the kernel looks no further
 * once it finds one). */
void tags_port_value(const struct tags *t, const struct tport *p, struct ew_tagport *out);

/* Does prefix p hold addr? */
bool tags_holds(const struct tags_prefix *p, const uint8_t addr[16]);

/* Sorts l and writes to out[i] the union of the masks of every prefix
 * holding l->v[i] (itself included): what the LPM value of that prefix
 * must say, as the longest match is the only one the kernel finds. One
 * binary search per prefix length in use. */
void tags_union_masks(struct pfxlist *l, uint32_t *out);

#endif
