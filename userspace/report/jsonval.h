/* SPDX-License-Identifier: GPL-2.0 */
/* jsonval: one JSON text (an event line) as a tree, for the readers of the
 * event log (verify, query, report). Strict RFC 8259 (no comments, no
 * trailing commas, no leading zeros), depth-limited, every node in one
 * arena freed at once. Strings are decoded to UTF-8 (\u0000..\u00ff from
 * the log's byte escapes come back as those code points). Parsing never
 * prints: errors say where and why in struct jerr. */
#ifndef EW_JSONVAL_H
#define EW_JSONVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JV_DEPTH_MAX 32

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv;

struct jv_member {
	const char *key;
	size_t keylen;
	const struct jv *val;
};

struct jv {
	enum jv_type t;
	bool b;
	bool is_int;	  /* a number written without fraction or exponent */
	int64_t i;	  /* its value when is_int and it fits */
	double n;
	const char *s;	  /* JV_STR: decoded, NUL-terminated (may hold NULs: use len) */
	size_t len;	  /* string bytes, array items, object members */
	const struct jv *const *items;	 /* JV_ARR */
	const struct jv_member *members; /* JV_OBJ, in the order written */
};

struct jerr {
	size_t offset;	/* byte where it went wrong */
	char msg[96];
};

struct jdoc {
	const struct jv *root;
	void *arena; /* private */
};

/* Parses text[0..len) (one value, whitespace around it allowed). Returns 0,
 * -EINVAL (e says where and why) or -ENOMEM. Free with jdoc_free in every
 * case. */
int jdoc_parse(struct jdoc *d, const char *text, size_t len, struct jerr *e);
void jdoc_free(struct jdoc *d);

/* Member key of object o (the last one if written twice), or NULL. */
const struct jv *jv_get(const struct jv *o, const char *key);
/* A dotted path of members: "flow.client". NULL when any step is missing. */
const struct jv *jv_path(const struct jv *o, const char *path);
/* The string, or NULL when v is not a string (or NULL). */
const char *jv_str(const struct jv *v);
/* True when v is a non-negative whole number; *out its value. */
bool jv_u64(const struct jv *v, uint64_t *out);

#endif
