/* SPDX-License-Identifier: GPL-2.0 */
/* logmac: the event log's integrity primitives (OpenSSL): SHA-256 of a
 * line for the chain, HMAC-SHA256 of a line under the log key, the key's
 * id, and reading a key file. Used by the writer (eventlog) and by the
 * readers that verify it (report/verify). */
#ifndef EW_LOGMAC_H
#define EW_LOGMAC_H

#include <stddef.h>
#include <stdint.h>

#define LOGMAC_LEN	32	/* SHA-256 and HMAC-SHA256 output */
#define LOGMAC_KEY_MIN	16	/* shortest key accepted */
#define LOGMAC_KEY_MAX	1024
#define LOGMAC_ID_HEX	16	/* hex digits of a key id */

struct logmac;

/* A context for key[0..len) (copied). Returns NULL with errno set. */
struct logmac *logmac_new(const uint8_t *key, size_t len);
void logmac_free(struct logmac *m);

/* HMAC-SHA256 of p[0..n) under the context's key. Returns 0 or -EIO. */
int logmac_hmac(struct logmac *m, const void *p, size_t n, uint8_t out[LOGMAC_LEN]);

/* The key id: the first 8 bytes of SHA-256("edgeward log key\n" || key) as
 * 16 lower-case hex digits and a NUL. It names a key in the log without
 * giving it away. */
void logmac_key_id(const struct logmac *m, char out[LOGMAC_ID_HEX + 1]);

/* SHA-256 of p[0..n). */
void logmac_sha256(const void *p, size_t n, uint8_t out[LOGMAC_LEN]);
/* The same with m's fetched digest (faster, for every line). */
void logmac_digest(struct logmac *m, const void *p, size_t n, uint8_t out[LOGMAC_LEN]);

/* Reads a key file: its bytes, one trailing newline dropped. The file must
 * be a regular file no one but its owner can read (the key forges the
 * log), LOGMAC_KEY_MIN..LOGMAC_KEY_MAX bytes. Returns the length, or
 * -errno with msg filled ("key file 'k' is readable by group or others
 * (chmod 600 it)"). */
int logmac_read_key(const char *path, uint8_t *key, size_t cap, char *msg, size_t msglen);

#endif
