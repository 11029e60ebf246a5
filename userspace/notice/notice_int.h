/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of notice/ shared by template.c (parsing, loading), lang.c
 * (Accept-Language) and render.c. Not an interface: use notice.h. */
#ifndef EW_NOTICE_INT_H
#define EW_NOTICE_INT_H

#include <stdint.h>

#include "notice.h"

/* The placeholders, in the order of their names (template.c). */
enum notice_ph {
	PH_RULE,
	PH_CATEGORY,
	PH_CONTACT,
	PH_HOST,
	PH_URL,
	PH_LAW,
	PH_ACK_URL,
	PH_TOKEN,
	PH_REF,
	PH_TIME,
	PH_LANG,
	PH_STATUS,
	PH_MAX,
};

/* A template is its text cut into pieces: a run of text, or a placeholder. */
struct piece {
	uint32_t off, len; /* the run in text; len 0: a placeholder */
	int ph;		   /* enum notice_ph, or -1 for a run */
};

struct tmpl {
	char name[NOTICE_NAME_MAX];
	char lang[NOTICE_LANG_MAX];
	char *text;
	struct piece *pieces;
	size_t npieces;
};

struct notice_set {
	char def[NOTICE_LANG_MAX];
	struct tmpl *t;
	size_t n, cap;
};

/* The template name in lang (exact tag, any case), or NULL. */
const struct tmpl *tmpl_find(const struct notice_set *s, const char *name, const char *lang);

#endif
