/* SPDX-License-Identifier: GPL-2.0 */
/* privacy: what the event log keeps about subscribers, applied to every
 * line before it is signed (an eventlog filter):
 *
 *   - with a pseudonym key, every subscriber address ("client" members)
 *     becomes "anon-" and 16 hex digits of HMAC-SHA256(key, address): the
 *     same address gives the same pseudonym under one key, and without the
 *     key nobody can go back;
 *   - clients in a no-history prefix (a group that may keep no history of
 *     what its members fetched, e.g. children under India's DPDP Act
 *     s.9(3)) leave no per-subscriber record but block events, and those
 *     carry only the pseudonym and "group":"no_history".
 *
 * Policy groups (later) name their no-history groups; the agent turns
 * their client prefixes into this list. */
#ifndef EW_PRIVACY_H
#define EW_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eventlog.h"

#define PRIVACY_PSEUDO_LEN 21 /* "anon-" + 16 hex digits */

struct privacy_prefix {
	uint8_t addr[16]; /* IPv4 mapped */
	unsigned bits;	  /* 0..128 */
};

struct privacy;

/* key may be NULL (no pseudonyms; then no_history must be empty). The
 * prefixes are copied. Returns NULL with errno set (EINVAL: no_history
 * without a key). */
struct privacy *privacy_new(const uint8_t *key, size_t key_len, const struct privacy_prefix *nh,
			    size_t n);
void privacy_free(struct privacy *p);

/* The filter for eventlog_conf.filter; valid while p lives. */
const struct eventlog_filter *privacy_filter(struct privacy *p);

/* True when addr is in a no-history prefix. */
bool privacy_no_history(const struct privacy *p, const uint8_t addr[16]);

/* The pseudonym of addr into out (PRIVACY_PSEUDO_LEN + 1 bytes). Not
 * thread-safe (one MAC context): the log's writer calls it. */
void privacy_pseudonym(struct privacy *p, const uint8_t addr[16], char *out);

/* The filter itself, for tests and fuzzing: see eventlog_filter. */
int privacy_apply(void *ctx, const char *line, size_t len, char *out, size_t cap,
		  size_t *outlen);

#endif
