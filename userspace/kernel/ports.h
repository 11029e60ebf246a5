/* SPDX-License-Identifier: GPL-2.0 */
/* Which server ports the TC program tags for inspection (EW_MAP_PORTS), as
 * given to `edgeward run --ports`: "tcp/80,udp/53,tcp/443:4" where ":N"
 * mirrors only the first N payload packets (default: all). */
#ifndef EW_PORTS_H
#define EW_PORTS_H

#include <stddef.h>

#include "ew_abi.h"

#define PORTS_DEFAULT "tcp/80,tcp/53,udp/53,tcp/443:4"

struct ports_entry {
	struct ew_port_key key;
	struct ew_port_tag tag;
};

/* Parses spec into out[0..max). Returns the number of entries, or -EINVAL
 * with a message quoting the bad item in err (errsize bytes). */
int ports_parse(const char *spec, struct ports_entry *out, size_t max, char *err, size_t errsize);

/* Flags the entries of ports[0..*n) whose key is among inl[0..n_inl)
 * EW_PORT_INLINE (steered in inline mode), appending the missing ones
 * with mirror budget 0 (inline only: not tagged for mirroring), up to max
 * entries. Returns 0 or -E2BIG (then *n and ports are unchanged). */
int ports_mark_inline(struct ports_entry *ports, int *n, int max, const struct ports_entry *inl,
		      int n_inl);

/* Replaces the contents of the ports map fd with entries. Returns 0 or
 * -errno. */
int ports_store(int fd, const struct ports_entry *entries, size_t n);

#endif
