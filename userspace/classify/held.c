// SPDX-License-Identifier: GPL-2.0
/* held: payload-less packets kept for nDPI until it is given the flow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"

#define REC_HEAD 10 /* ts_ns, len; unaligned, so copied with memcpy */

struct held {
	uint16_t n;    /* packets */
	uint16_t used; /* bytes of rec */
	uint8_t rec[];
};

_Static_assert(HELD_BYTES_MAX <= UINT16_MAX, "used would overflow");

int held_add(struct held **h, const uint8_t *ip, size_t len, uint64_t ts_ns)
{
	size_t used = *h ? (*h)->used : 0;
	uint16_t len16 = (uint16_t)len;
	struct held *g;

	if (len > HELD_BYTES_MAX || used + REC_HEAD + len > HELD_BYTES_MAX)
		return -ENOSPC;
	/* exactly sized: most flows hold a SYN or a handshake, and many of
	 * them are held at once */
	g = realloc(*h, sizeof(*g) + used + REC_HEAD + len);
	if (!g)
		return -ENOMEM;
	if (!*h)
		g->n = 0;
	memcpy(g->rec + used, &ts_ns, 8);
	memcpy(g->rec + used + 8, &len16, 2);
	memcpy(g->rec + used + REC_HEAD, ip, len);
	g->n++;
	g->used = (uint16_t)(used + REC_HEAD + len);
	*h = g;
	return 0;
}

unsigned held_count(const struct held *h)
{
	return h ? h->n : 0;
}

void held_replay(const struct held *h,
		 bool (*fn)(void *ctx, const uint8_t *ip, size_t len, uint64_t ts_ns), void *ctx)
{
	size_t off = 0;

	for (unsigned i = 0; i < held_count(h); i++) {
		uint64_t ts;
		uint16_t len;

		memcpy(&ts, h->rec + off, 8);
		memcpy(&len, h->rec + off + 8, 2);
		if (!fn(ctx, h->rec + off + REC_HEAD, len, ts))
			return;
		off += REC_HEAD + len;
	}
}

void held_free(struct held *h)
{
	free(h);
}
