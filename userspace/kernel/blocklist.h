/* SPDX-License-Identifier: GPL-2.0 */
/* The blocked prefixes: one dense table per family (ew_abi.h, "Blocked
 * prefixes"; built by ptable.c), replaced whole and swapped in atomically
 * on every change. Add, remove, list, count, and bulk loading from list
 * files; the CLI and the policy loader change the pinned tables through
 * it, with or without a running agent. */
#ifndef EW_BLOCKLIST_H
#define EW_BLOCKLIST_H

#include <stddef.h>
#include <stdio.h>

#include "ew_abi.h"
#include "prefix.h"
#include "ptable.h"

struct bpf_object;

/* The class map, the array-of-maps of every (family, class), and the lock
 * that serialises edgeward's writers (a change reads the table, edits the
 * list and writes a new table). */
struct blocklist {
	int fd_cls;				/* EW_MAP_PTCLASS */
	int fd_outer[2][EW_PT_CLASSES];		/* [family == 6][class index] */
	int lock_fd;				/* flock'd around every change; -1: none */
};

/* The pinned name of the array-of-maps of (family, class k) into buf
 * (at least 16 bytes), e.g. "ew_pt4c12_v1"; returns buf. */
const char *blocklist_outer_name(int family, unsigned int k, char *buf, size_t size);

/* Opens the pinned maps under loader_pin_dir() and the directory itself as
 * the lock. Returns 0 or -errno (-ENOENT: not pinned); nothing stays open
 * on error. */
int blocklist_open(struct blocklist *bl);

/* The same maps from a loaded (possibly unpinned) object, e.g. a test's
 * skeleton; no lock. Returns 0 or -ENOENT. Close with blocklist_close. */
int blocklist_from_obj(struct blocklist *bl, const struct bpf_object *obj);

/* Closes what blocklist_open opened. */
void blocklist_close(struct blocklist *bl);

/* Inserts or replaces p with rule (bits of p->addr past p->len are
 * ignored). Returns 0 or -errno (-E2BIG: the family's table is full). */
int blocklist_add(const struct blocklist *bl, const struct ew_prefix *p,
		  const struct ew_block_rule *rule);

/* Removes exactly p. Returns 0, -ENOENT if absent, or -errno. */
int blocklist_remove(const struct blocklist *bl, const struct ew_prefix *p);

/* Calls cb for every entry, IPv4 first; stops at and returns the first
 * nonzero cb return. */
int blocklist_foreach(const struct blocklist *bl,
		      int (*cb)(const struct ew_prefix *p, const struct ew_block_rule *rule,
				void *ctx),
		      void *ctx);

/* Counts the prefixes of each family. Returns 0 or -errno. */
int blocklist_count(const struct blocklist *bl, size_t *n4, size_t *n6);

/* Prefixes parsed from a list, ready for the tables. Owned by the caller:
 * zero-initialise, fill with blocklist_parse, release with
 * blocklist_batch_free. */
struct blocklist_batch {
	struct ptable_list v4;
	struct ptable_list v6;
};

/* Diagnostics from blocklist_parse: the first max are kept in errs, n counts
 * them all. */
struct blocklist_errors {
	struct prefix_error *errs;
	size_t max;
	size_t n;
};

/* (blocklist_file.c) Parses a list: one prefix per line, '#' starts a comment, blank lines are
 * skipped. Every entry gets rule. name labels diagnostics (borrowed: keep
 * it alive as long as errs). Returns 0; -EINVAL if any line was bad (all of
 * them reported in errs); -ENOMEM or a read error's -errno. */
int blocklist_parse(FILE *f, const char *name, const struct ew_block_rule *rule,
		    struct blocklist_batch *b, struct blocklist_errors *errs);

void blocklist_batch_free(struct blocklist_batch *b);

/* Adds the batch to the blocked prefixes (a prefix already blocked takes
 * the batch's rule): one new table per family. Returns 0 or -errno. */
int blocklist_load(const struct blocklist *bl, const struct blocklist_batch *b);

/* The lengths in use in the family's table (as ew_pt_head.lens; all zero
 * without a table). Returns 0 or -errno. */
int blocklist_lengths(const struct blocklist *bl, int family, __u64 lens[3]);

#endif
