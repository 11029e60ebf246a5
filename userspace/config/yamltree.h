/* SPDX-License-Identifier: GPL-2.0 */
/* yamltree: an operator's YAML file (the agent's config, policy files) as
 * a tree of nodes, each with its line and column, through libyaml. The
 * readers of the settings walk the tree with the helpers below; every
 * problem goes to a struct diag in compiler format with the source line
 * and a caret, and nothing is printed here.
 *
 * YAML's own surprises are refused, not guessed at: anchors and aliases,
 * tags, several documents and duplicate keys are errors. */
#ifndef EW_YAMLTREE_H
#define EW_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/diag.h"

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum ynode_kind kind;
	unsigned line, col;   /* 1-based, where the node starts */
	char *str;	      /* scalar text, NUL-terminated (no NUL inside) */
	size_t len;
	bool plain;	      /* an unquoted scalar */
	struct ynode **kids;  /* sequence: items; mapping: key, value, key, value ... */
	size_t n;	      /* kids */
};

/* One loaded file: the tree and the text (for source lines). */
struct ydoc {
	const char *name; /* as given; messages start with it */
	char *text;
	size_t len;
	struct ynode *root; /* NULL for an empty file */
};

/* Reads and parses path (at most 16 MiB). Returns 0, -EINVAL when the file
 * is not valid YAML or uses what is refused (d says where), or -errno when
 * it can't be read (also in d). The caller frees doc with ydoc_free in
 * every case. */
int ydoc_load(struct ydoc *doc, const char *path, struct diag *d);

/* The same over text in memory (copied); name is for messages. */
int ydoc_parse(struct ydoc *doc, const char *name, const char *text, size_t len,
	       struct diag *d);

void ydoc_free(struct ydoc *doc);

/* A message about node n: "name:line:col: text", with n's line and a caret. */
void ydoc_error(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
void ydoc_warn(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/* The value of key in mapping map, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);

/* Checks that map is a mapping whose keys are all in keys (a NULL-ended
 * list): an unknown key is an error naming the expected ones. Returns 0 or
 * -EINVAL (reported). */
int ymap_check(const struct ydoc *doc, const struct ynode *map, const char *what,
	       const char *const *keys, struct diag *d);

/* Scalar readers: each checks the node's kind and form, reports what was
 * expected otherwise, and returns 0 or -EINVAL. */
int yget_str(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char **s);
int yget_u64(const struct ydoc *doc, const struct ynode *n, uint64_t lo, uint64_t hi,
	     struct diag *d, uint64_t *v);
int yget_bool(const struct ydoc *doc, const struct ynode *n, struct diag *d, bool *v);
/* A byte size: a number with an optional suffix k, M, G (powers of 1024;
 * also KiB, MiB, GiB), e.g. "256M". */
int yget_size(const struct ydoc *doc, const struct ynode *n, uint64_t lo, uint64_t hi,
	      struct diag *d, uint64_t *v);
/* A duration: a number with a unit ms, s, m, h, d (e.g. "90s", "10m"), in
 * ns. */
int yget_duration(const struct ydoc *doc, const struct ynode *n, uint64_t lo_ns,
		  uint64_t hi_ns, struct diag *d, uint64_t *ns);
/* One of the NULL-ended choices; *idx its position. */
int yget_enum(const struct ydoc *doc, const struct ynode *n, const char *const *choices,
	      struct diag *d, int *idx);

#endif
