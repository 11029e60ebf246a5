/* SPDX-License-Identifier: GPL-2.0 */
/* report's insides, shared by report.c (cases, counting) and report_out.c
 * (JSON, CSV, Markdown). */
#ifndef EW_REPORT_INT_H
#define EW_REPORT_INT_H

#include <stdbool.h>

#include "report.h"

enum { F_TS, F_KIND, F_EVENT_ID, F_HOST, F_URI, F_LIST, F_CATEGORY, F_HASH_TYPE, F_HASH,
       F_DISTANCE, F_QUALITY, F_CONTENT, F_SIZE, F_RULE, F_SUBSCRIBER, F_SOURCE, F_MAX };

enum { D_CATEGORY, D_LIST, D_HASH_TYPE, D_CONTENT, D_RULE, D_DAY, D_MONTH, D_HOST, D_MAX };

struct rcase {
	char *f[F_MAX];
};

struct cases {
	struct rcase *v;
	size_t n, cap;
};

struct tally {
	const char *key;
	size_t keylen;
	uint64_t n;
};

struct report {
	struct report_conf c;
	struct cases blocks, matches;
	/* the last object event, for the cases of its matches */
	char *obj_file, *obj_content, *obj_size;
	uint64_t obj_id, matched_id;
	const char *matched_file;
};

/* The chosen cases: block events if there are any, else matched objects. */
const struct cases *rep_chosen(const struct report *r);
/* Distinct values of dimension d with their cases (sorted by key, or by
 * cases when sort_count); caller frees. */
struct tally *rep_tally(const struct report *r, int d, bool sort_count, size_t *n);
const char *rep_dim_name(int d, bool top);
const char *rep_field_name(int f);

#endif
