/* SPDX-License-Identifier: GPL-2.0 */
/* Streaming MD5, SHA-1 and SHA-256 of object bodies (OpenSSL EVP). Sits
 * after the object producers: objsink feeds each body here, then hands the
 * digests to the matchers and the event log. Only the types in the mask are
 * computed, so a run that needs SHA-256 alone pays for SHA-256 alone. */
#ifndef EW_HASH_H
#define EW_HASH_H

#include <stddef.h>
#include <stdint.h>

enum hash_type {
	HASH_T_MD5,
	HASH_T_SHA1,
	HASH_T_SHA256,
	HASH_T_MAX,
};

#define HASH_MD5    (1u << HASH_T_MD5)
#define HASH_SHA1   (1u << HASH_T_SHA1)
#define HASH_SHA256 (1u << HASH_T_SHA256)
#define HASH_ALL    (HASH_MD5 | HASH_SHA1 | HASH_SHA256)

#define HASH_MAX_LEN 32 /* bytes of the longest digest (SHA-256) */
#define HASH_HEX_MAX (2 * HASH_MAX_LEN + 1)

struct evp_md_ctx_st;

/* One running computation. Callers treat the fields as private. */
struct hash_ctx {
	unsigned mask;
	struct evp_md_ctx_st *md[HASH_T_MAX];
};

/* Finished digests; only the types in mask are valid. */
struct hash_result {
	unsigned mask;
	uint8_t d[HASH_T_MAX][HASH_MAX_LEN];
};

/* Starts the digests in mask (HASH_* bits; 0 is allowed and computes
 * nothing). Returns 0, -EINVAL for unknown bits, or -ENOMEM. On failure the
 * context holds nothing and hash_free is a no-op. */
int hash_init(struct hash_ctx *h, unsigned mask);

/* Feeds len bytes to every running digest. */
void hash_update(struct hash_ctx *h, const void *p, size_t len);

/* Writes the digests to r and restarts the context with the same mask, so a
 * context can serve object after object. Returns 0 or -EIO (OpenSSL failed). */
int hash_final(struct hash_ctx *h, struct hash_result *r);

/* Releases the context (safe after a failed hash_init, and twice). */
void hash_free(struct hash_ctx *h);

/* Digest length in bytes (16, 20, 32) and name ("md5", "sha1", "sha256"). */
size_t hash_len(enum hash_type t);
const char *hash_name(enum hash_type t);

/* Parses "md5,sha1,sha256" (any order, no spaces) into *mask. Returns 0 or
 * -EINVAL for an empty or unknown name. */
int hash_parse_mask(const char *s, unsigned *mask);

/* Parses exactly 2*hash_len(t) hex digits (either case) into d. Returns 0
 * or -EINVAL. */
int hash_unhex(enum hash_type t, const char *s, uint8_t *d);

#endif
