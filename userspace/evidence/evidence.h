/* SPDX-License-Identifier: GPL-2.0 */
/* evidence: matched objects preserved for incident responders, sealed so
 * that the edge host itself cannot read them back (libsodium sealed box to
 * the responders' X25519 public key; only their secret key opens it).
 * Off by default.
 *
 *   objsink (worker) ─body of a matched object─▶ keep: seal ─▶ queue
 *   writer thread ◀──────────────────────────────────────────────┘
 *        └─▶ DIR/<UTC time>-<SHA-256 prefix>.sealed (0600)
 *   edgeward evidence open ─▶ the bytes, and a line in DIR/access.jsonl
 *                            (who, when, why; signed with a log key)
 *
 * How the body gets here: the object stage keeps no body (hashes are
 * streamed), so with evidence on, objsink keeps each open object's
 * decoded body up to max_object bytes (a hard cap per object) and within
 * a budget shared by all workers (total_max); an object past either is
 * not kept and its block event says so ("evidence": null, counted). Only
 * a matched object's body reaches keep(); the plaintext is sealed there,
 * in the worker, and freed with the object. */
#ifndef EW_EVIDENCE_H
#define EW_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "object/objsink.h"

#define EVIDENCE_KEY_LEN 32 /* X25519 keys */

struct evidence_conf {
	const char *dir;	/* created 0700 if missing */
	uint8_t pk[EVIDENCE_KEY_LEN];
	uint64_t max_object;	/* bytes kept per object (16 MiB) */
	uint64_t total_max;	/* bytes kept for all open objects (256 MiB) */
	uint64_t queue_max;	/* sealed bytes waiting for the writer (256 MiB) */
};

struct evidence_stats {
	uint64_t kept;	   /* sealed and written */
	uint64_t too_big;  /* matched, over max_object or total_max: not kept */
	uint64_t dropped;  /* sealed, but the queue was full or the write failed */
};

struct evidence;

/* Sets up the store (the directory made); sealed objects queue until
 * evidence_start. Returns NULL with errno set and msg filled. */
struct evidence *evidence_new(const struct evidence_conf *c, char *msg, size_t msglen);

/* Starts the writer thread (the agent: after dropping capabilities).
 * Returns 0 or -errno. */
int evidence_start(struct evidence *e);

/* The hook for engine_conf.evidence; valid while e lives. */
const struct objsink_evidence *evidence_hook(struct evidence *e);

void evidence_stats(struct evidence *e, struct evidence_stats *st);

/* Writes what is queued and stops; the final counters into *st (optional). */
void evidence_free(struct evidence *e, struct evidence_stats *st);

/* Reads a key file of 64 hex digits (a secret one must be 0600). Returns
 * 0 or -errno with msg filled. */
int evidence_read_key(const char *path, uint8_t key[EVIDENCE_KEY_LEN], int secret, char *msg,
		      size_t msglen);

/* Makes a key pair into two new files (hex; the secret one 0600). */
int evidence_keygen(const char *pub, const char *sec, char *msg, size_t msglen);

/* Opens sealed file path with the key pair into *out (malloc'd, *len).
 * Returns 0, -EBADMSG (not sealed to this key, or altered) or -errno. */
int evidence_open(const char *path, const uint8_t pk[EVIDENCE_KEY_LEN],
		  const uint8_t sk[EVIDENCE_KEY_LEN], uint8_t **out, size_t *len);

#endif
