/* SPDX-License-Identifier: GPL-2.0 */
/* objsink_json: the pieces of objsink's event lines that do not depend on
 * its object state: the flow member, hash members and flag arrays, and
 * the names of the OBJ_* and ANOM_* bits. Used by objsink.c only. */
#ifndef EW_OBJSINK_JSON_H
#define EW_OBJSINK_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "log/eventjson.h"
#include "hash.h"
#include "stream/stream.h"

/* What the events say about the flow; copied when an object begins. */
struct objsink_flow {
	uint64_t id;
	uint8_t client[16], server[16];
	uint16_t cport, sport, vlan;
	uint8_t flags;
};

void objsink_flow_copy(struct objsink_flow *dst, const struct flow_info *f);

/* Writes "flow": {...}, or null when f is NULL. */
void objsink_put_flow(struct ej_writer *w, const struct objsink_flow *f);

/* Writes "md5": ..., one member per type in mask; null unless valid. */
void objsink_put_hashes(struct ej_writer *w, unsigned mask, const struct hash_result *r,
			bool valid);

/* Writes the names of the set bits as an array, then extra if not NULL. */
void objsink_put_bits(struct ej_writer *w, const char *key, unsigned bits,
		      const char *(*name)(unsigned), const char *extra);

#endif
