/* SPDX-License-Identifier: GPL-2.0 */
/* The blocked prefixes (EW_MAP_BLOCK4/6, hashes keyed by {prefixlen, masked
 * address}) and the prefix lengths in use (EW_MAP_PLENS, from the counts in
 * EW_MAP_PLENCNT): add, remove, list, and bulk loading from list files. Sits
 * behind prefix.c and loader.c; the CLI and the policy loader change the
 * pinned maps through it, with or without a running agent. */
#ifndef EW_BLOCKLIST_H
#define EW_BLOCKLIST_H

#include <stddef.h>
#include <stdio.h>

#include "ew_abi.h"
#include "prefix.h"

/* The four maps, and the lock that serialises edgeward's writers (the
 * lengths in use are read, changed and written back). */
struct blocklist {
	int fd4;	/* EW_MAP_BLOCK4 */
	int fd6;	/* EW_MAP_BLOCK6 */
	int fd_lens;	/* EW_MAP_PLENS */
	int fd_cnt;	/* EW_MAP_PLENCNT */
	int lock_fd;	/* flock'd around every change; -1: no locking (tests) */
};

/* Opens the pinned maps under loader_pin_dir() and the directory itself as
 * the lock. Returns 0 or -errno (-ENOENT: not pinned); nothing stays open
 * on error. */
int blocklist_open(struct blocklist *bl);

/* Closes what blocklist_open opened. */
void blocklist_close(struct blocklist *bl);

/* Inserts or replaces p with rule (bits of p->addr past p->len are
 * ignored), then marks its length in use. Returns 0 or -errno. */
int blocklist_add(const struct blocklist *bl, const struct ew_prefix *p,
		  const struct ew_block_rule *rule);

/* Removes exactly p; its length stops being probed with the last prefix of
 * that length. Returns 0, -ENOENT if absent, or -errno. */
int blocklist_remove(const struct blocklist *bl, const struct ew_prefix *p);

/* Calls cb for every entry, IPv4 first; stops at and returns the first
 * nonzero cb return. */
int blocklist_foreach(const struct blocklist *bl,
		      int (*cb)(const struct ew_prefix *p, const struct ew_block_rule *rule,
				void *ctx),
		      void *ctx);

/* Counts the prefixes of each family. Returns 0 or -errno. */
int blocklist_count(const struct blocklist *bl, size_t *n4, size_t *n6);

/* Prefixes parsed from a list, ready for the maps. Owned by the caller:
 * zero-initialise, fill with blocklist_parse, release with
 * blocklist_batch_free. */
struct blocklist_batch {
	struct ew_lpm4_key *k4;
	struct ew_block_rule *v4;
	size_t n4, cap4;
	struct ew_lpm6_key *k6;
	struct ew_block_rule *v6;
	size_t n6, cap6;
};

/* Diagnostics from blocklist_parse: the first max are kept in errs, n counts
 * them all. */
struct blocklist_errors {
	struct prefix_error *errs;
	size_t max;
	size_t n;
};

/* Parses a list: one prefix per line, '#' starts a comment, blank lines are
 * skipped. Every entry gets rule. name labels diagnostics (borrowed: keep
 * it alive as long as errs). Returns 0; -EINVAL if any line was bad (all of
 * them reported in errs); -ENOMEM or a read error's -errno. */
int blocklist_parse(FILE *f, const char *name, const struct ew_block_rule *rule,
		    struct blocklist_batch *b, struct blocklist_errors *errs);

void blocklist_batch_free(struct blocklist_batch *b);

/* Writes the batch to the maps: BPF_MAP_UPDATE_BATCH if *batched is set on
 * entry and the kernel supports it, one update per element otherwise; on
 * return *batched says which was used. Then recounts the prefixes per
 * length from the maps and rewrites the lengths in use (a batch cannot
 * tell new prefixes from replaced ones). Returns 0 or -errno. */
int blocklist_load(const struct blocklist *bl, const struct blocklist_batch *b, int *batched);

#endif
