/* SPDX-License-Identifier: GPL-2.0 */
/* Exact hash lists (MD5, SHA-1, SHA-256) and the registry the matcher asks:
 * "which loaded lists contain this digest?". Lists come from listfile.c or
 * hashxml.c; the object pipeline queries them with each finished digest. */
#ifndef EW_HASHSET_H
#define EW_HASHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listfile.h"

#define HASHSET_NAME_MAX	64	/* list name and category, with the NUL */

/* One exact list: immutable once built, so any number of threads may query
 * it. Layout (see hashset.c): one flat array of raw digests, an ordered
 * linear-probing table at load factor 0.85, no per-entry pointers. */
struct hashset;

/* Builds a list of kind from n digests (list_kind_len(kind) bytes each,
 * packed). Duplicates are kept once and counted. name and category are
 * copied (each under HASHSET_NAME_MAX bytes). Returns the set (caller owns
 * it: hashset_free) or NULL with errno EINVAL (PDQ kind, name too long) or
 * ENOMEM. */
struct hashset *hashset_build(enum list_kind kind, const char *name,
			      const char *category, const uint8_t *digests,
			      size_t n);

/* Reads a list file (see listfile_read) and builds it. On success *out is
 * the new set and 0 is returned; otherwise *out is NULL and the return is
 * listfile_read's (-EINVAL: d lists the errors) or -ENOMEM. */
int hashset_load(const char *path, const char *name, const char *category,
		 const struct listfile_opts *o, struct diag *d,
		 struct hashset **out);

/* True if digest (list_kind_len bytes) is in the set. O(1) expected. */
bool hashset_contains(const struct hashset *s, const uint8_t *digest);

const char *hashset_name(const struct hashset *s);
const char *hashset_category(const struct hashset *s);
enum list_kind hashset_kind(const struct hashset *s);
size_t hashset_count(const struct hashset *s);		/* distinct digests */
size_t hashset_duplicates(const struct hashset *s);	/* dropped repeats */
size_t hashset_memory(const struct hashset *s);		/* bytes held */

void hashset_free(struct hashset *s);

/* ---- the registry -------------------------------------------------------
 * Lists are grouped by name: a plain list file is a group of one set; a
 * hash-sharing XML file is one group with a set per (kind, category).
 *
 * Concurrency: any number of reader threads call hashdb_lookup while one
 * writer at a time replaces groups. The writer builds the new group with
 * no lock held (the slow part), then takes a write lock only to swap the
 * group pointer, and frees the old group after dropping it. Readers hold a
 * read lock for the length of one lookup, so a reader sees either the whole
 * old group or the whole new one, never half a list and never freed memory. */
struct hashdb;

struct hashdb_hit {
	char list[HASHSET_NAME_MAX];
	char category[HASHSET_NAME_MAX];
};

/* Returns an empty registry or NULL with errno ENOMEM. */
struct hashdb *hashdb_new(void);

/* Installs sets[0..n) as group `name`, replacing any group of that name in
 * one step. The registry takes ownership of the sets (also on failure,
 * when they are freed). n == 0 removes the group. Returns 0, -EINVAL (name
 * too long) or -ENOMEM. */
int hashdb_replace(struct hashdb *db, const char *name, struct hashset **sets,
		   size_t n);

/* hashset_load + hashdb_replace: loads path as group `name`. When the file
 * has errors the old group (if any) stays in place. Returns as hashset_load. */
int hashdb_load(struct hashdb *db, const char *name, const char *path,
		const char *category, const struct listfile_opts *o,
		struct diag *d);

/* Looks digest (of kind) up in every list. Copies up to max hits to hits
 * and returns the number of lists that contain it. */
size_t hashdb_lookup(struct hashdb *db, enum list_kind kind,
		     const uint8_t *digest, struct hashdb_hit *hits, size_t max);

/* Bit (1u << kind) set for each kind some loaded list holds: the hashes the
 * pipeline has to compute. */
unsigned hashdb_kinds(struct hashdb *db);

/* Groups and total distinct digests loaded. */
size_t hashdb_groups(struct hashdb *db);
size_t hashdb_entries(struct hashdb *db);

/* Exchanges every group of live with those of fresh in one step (readers
 * of live see all old lists or all new ones, never a mix within one
 * lookup); fresh then holds the old groups, for the caller to free. One
 * caller at a time; fresh must be the caller's alone. */
void hashdb_swap(struct hashdb *live, struct hashdb *fresh);

/* Moves every group of src into dst, both the caller's alone (not live):
 * src is left empty. A name in both is refused before anything moves:
 * -EEXIST with the name copied to dup (dup_len bytes). Returns 0,
 * -EEXIST or -ENOMEM. */
int hashdb_absorb(struct hashdb *dst, struct hashdb *src, char *dup, size_t dup_len);

void hashdb_free(struct hashdb *db);

#endif
