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
 * The no-history clients are those of the config's prefixes and those a
 * hook names: the agent's asks the policy in force, whose groups may say
 * `no_history: true`. Block events of a named group keep its name. */
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

/* Adds the clients for which fn(ctx, addr) is true to the no-history
 * ones; fn is called from the log's writer thread. Needs a key (as the
 * prefixes do). Set before the log starts. */
void privacy_set_hook(struct privacy *p, bool (*fn)(void *ctx, const uint8_t addr[16]),
		      void *ctx);

/* True when addr is in a no-history prefix or the hook says so. */
bool privacy_no_history(const struct privacy *p, const uint8_t addr[16]);

/* The pseudonym of addr into out (PRIVACY_PSEUDO_LEN + 1 bytes). Not
 * thread-safe (one MAC context): the log's writer calls it. */
void privacy_pseudonym(struct privacy *p, const uint8_t addr[16], char *out);

/* The filter itself, for tests and fuzzing: see eventlog_filter. */
int privacy_apply(void *ctx, const char *line, size_t len, char *out, size_t cap,
		  size_t *outlen);

#endif
