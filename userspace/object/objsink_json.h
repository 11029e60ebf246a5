/* SPDX-License-Identifier: GPL-2.0 */
/* objsink_json: the pieces of objsink's event lines that do not depend on
 * its object state: the flow member, hash members and flag arrays, and
 * the names of the OBJ_* and ANOM_* bits. Used by objsink.c and assemble.c. */
#ifndef EW_OBJSINK_JSON_H
#define EW_OBJSINK_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "log/eventjson.h"
#include "objsink.h"
#include "stream/stream.h"

void objsink_flow_copy(struct objsink_flow *dst, const struct flow_info *f);

/* Writes "flow": {...}, or null when f is NULL. */
void objsink_put_flow(struct ej_writer *w, const struct objsink_flow *f);

/* Writes "md5": ..., one member per type in mask; null unless valid. */
void objsink_put_hashes(struct ej_writer *w, unsigned mask, const struct hash_result *r,
			bool valid);

/* Writes the members of an exact-hash match line after its ids: list,
 * category, hash_type, hash, body. */
void objsink_put_match(struct ej_writer *w, const char *list, const char *category,
		       enum hash_type t, const uint8_t *d, const char *body);

/* Writes the members every object and match line starts with (after the
 * event name and id): source, ts, kind, host, uri, flow. */
void objsink_put_head(struct ej_writer *w, const char *source, uint64_t ts, const char *kind,
		      const char *host, const char *uri, const struct objsink_flow *f);

/* Writes the names of the set bits as an array, then extra if not NULL. */
void objsink_put_bits(struct ej_writer *w, const char *key, unsigned bits,
		      const char *(*name)(unsigned), const char *extra);

#endif
