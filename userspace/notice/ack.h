/* SPDX-License-Identifier: GPL-2.0 */
/* ack: acknowledgements of disclaimers (warn). Who (a subscriber's
 * address) acknowledged which category, until when: a bounded table with
 * expiry that any thread may ask ("has X acknowledged C now?"). And the
 * tokens that bind an acknowledge form to one subscriber, category and
 * URL, so nobody can acknowledge for someone else. Times are the
 * caller's (CLOCK_MONOTONIC in the server), so tests inject them.
 *
 *   token (hex, 48) = issued (8 bytes, seconds) ‖ HMAC-SHA256(key,
 *       "edgeward-ack-v1" ‖ address ‖ category NUL ‖ SHA-256(url) ‖ issued)[0..16) */
#ifndef EW_NOTICE_ACK_H
#define EW_NOTICE_ACK_H

#include <stdbool.h>
#include <stdint.h>

#define ACK_CATEGORY_MAX 48 /* a category's bytes with the NUL */
#define ACK_TOKEN_LEN	 48 /* hex digits of a token */
#define ACK_KEY_LEN	 32
#define ACK_PROBE	 8 /* slots a subscriber and category may sit in */

struct ack_store;

struct ack_stats {
	uint64_t recorded; /* acknowledgements recorded (renewals too) */
	uint64_t evicted;  /* live ones dropped for a new one: the table was full */
	uint64_t live;	   /* entries not expired at the last ack_stats */
	uint64_t slots;	   /* the table's size */
};

/* A table of at least max entries (rounded up to a power of two; 0:
 * 65536), each holding for lifetime_ns after it is recorded. NULL with
 * errno set. */
struct ack_store *ack_store_new(uint32_t max, uint64_t lifetime_ns);
void ack_store_free(struct ack_store *a);

/* addr (16 bytes; IPv4 as ::ffff:a.b.c.d) acknowledged category at
 * now_ns: it holds until now_ns + lifetime (renewed if there). A full
 * neighbourhood drops the entry that expires first. Returns 0 or -EINVAL
 * (category empty or ACK_CATEGORY_MAX bytes or more). Thread-safe. */
int ack_record(struct ack_store *a, const uint8_t *addr, const char *category, uint64_t now_ns);

/* Has addr acknowledged category, and does it still hold at now_ns: at
 * most the store's lifetime ago, and at most max_age_ns ago when that is
 * not 0 (a warn rule's acknowledge_for, shorter than the store's)?
 * Thread-safe. */
bool ack_check(struct ack_store *a, const uint8_t *addr, const char *category, uint64_t now_ns,
	       uint64_t max_age_ns);

void ack_stats(struct ack_store *a, uint64_t now_ns, struct ack_stats *st);

/* A token for addr, category and url issued at now_s (seconds), into out
 * (ACK_TOKEN_LEN + 1 bytes). */
void ack_token(const uint8_t key[ACK_KEY_LEN], const uint8_t *addr, const char *category,
	       const char *url, uint64_t now_s, char *out);

/* Is token one that ack_token made for addr, category and url, issued at
 * most ttl_s seconds before now_s (and not after it)? Compared in
 * constant time. */
bool ack_token_ok(const uint8_t key[ACK_KEY_LEN], const uint8_t *addr, const char *category,
		  const char *url, const char *token, uint64_t now_s, uint64_t ttl_s);

#endif
