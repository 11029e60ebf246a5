/* SPDX-License-Identifier: GPL-2.0 */
/* notice: the pages a subscriber sees in place of what policy stopped,
 * block notices and disclaimers (warn), from UTF-8 HTML templates in
 * several languages (policies/notices/), placeholders filled in
 * HTML-escaped, the language chosen from the client's Accept-Language and
 * the rule's. Pure functions (no clock, no I/O but notice_set_load): the
 * agent's inline proxy and the notice server (server.h) render with them.
 * docs/notices.md.
 *
 *   DIR/block.hi.html ─notice_set_load─▶ set: per (name, language) the text
 *   DIR/warn.ta.html ...                 cut into runs and placeholders
 *
 *   set, kind, Accept-Language, vars ─notice_render─▶ page bytes, status */
#ifndef EW_NOTICE_H
#define EW_NOTICE_H

#include <stddef.h>

#include "log/diag.h"

#define NOTICE_FILE_MAX	  (64u << 10) /* bytes of one template */
#define NOTICE_NAME_MAX	  32	      /* a template name's bytes with the NUL */
#define NOTICE_LANG_MAX	  36	      /* a language tag's (BCP 47: 35 at most) */
#define NOTICE_RANGES_MAX 16	      /* Accept-Language entries considered */

/* What a page is for; each kind has a default template name. */
enum notice_kind {
	NOTICE_BLOCK, /* "block": what was blocked and why; 451 or 403 */
	NOTICE_WARN,  /* "warn": a disclaimer with an acknowledge button; 200 */
	NOTICE_ACKED, /* "acked": the acknowledgement was recorded; 200 */
};

/* What fills the placeholders ({{rule}} ...; NULL: empty). Every value is
 * HTML-escaped: fit for element text and quoted attribute values, never
 * for URL attributes, scripts or styles. */
struct notice_vars {
	const char *rule;     /* the rule (or list) that decided */
	const char *category; /* its category: "csam", "adult" ... */
	const char *contact;  /* whom to contact about it */
	const char *host;     /* the requested host */
	const char *url;      /* the requested URL */
	const char *law;      /* the legal basis, when the rule names one */
	const char *ack_url;  /* where a disclaimer's form posts */
	const char *token;    /* the acknowledgement token (ack.h) */
	const char *ref;      /* a reference the subscriber can quote */
	const char *time;     /* when, as the caller writes it (UTC) */
	/* not placeholders: */
	const char *tmpl; /* the template name; NULL: the kind's */
	const char *lang; /* the rule's language: used when the client's
			   * Accept-Language names none there is */
	int status;	  /* NOTICE_BLOCK: 403 (policy) or 451 (legal,
			   * also for anything else) */
};

struct notice_set;

/* An empty set whose default language is default_lang (copied; "en" if
 * NULL). Returns NULL with errno set. */
struct notice_set *notice_set_new(const char *default_lang);

/* Parses text[0..len) as template name in language lang (file names it
 * in messages) and adds it to s, replacing one of the same name and
 * language. Every problem goes to d as file:line:col (invalid UTF-8, a
 * NUL byte, an unknown or unclosed placeholder, too large). Returns 0,
 * -EINVAL (problems in d) or -ENOMEM. */
int notice_set_add(struct notice_set *s, const char *file, const char *name, const char *lang,
		   const char *text, size_t len, struct diag *d);

/* Reads every NAME.LANG.html of dir (other files are left alone) into a
 * new set; the default language must have a block template. Returns 0
 * with *out set, or -errno with every problem in d (-EINVAL: templates
 * with errors, a file name that is no NAME.LANG.html, no block template
 * in the default language; else the directory could not be read). */
int notice_set_load(const char *dir, const char *default_lang, struct notice_set **out,
		    struct diag *d);

void notice_set_free(struct notice_set *s);

/* The set's default language. */
const char *notice_set_default_lang(const struct notice_set *s);

/* One Accept-Language entry: a language range ("hi-IN", "ta", "*") and
 * its weight, 0..1000 (q=0.8 is 800). */
struct notice_range {
	char tag[NOTICE_LANG_MAX];
	unsigned q;
};

/* Parses an Accept-Language field value (RFC 9110 12.5.4: ranges with
 * optional q-values, comma-separated) into at most max entries, heaviest
 * first, equal weights in their order; malformed entries are skipped, as
 * are ranges past NOTICE_LANG_MAX - 1 bytes. Returns the count. */
int notice_lang_parse(const char *field, struct notice_range *r, int max);

/* The language to render template name in: the first range of the
 * client's accept (Accept-Language, NULL or "": none) with q > 0 that a
 * template matches (the same tag, any case; else the same primary
 * language: "hi-IN" finds "hi", "ta" finds "ta-IN"; "*" the default
 * language), else rule_lang, else the default language, else the first
 * language that has it, leaving out languages the client refused (q=0).
 * Returns the tag (the set's own) or NULL when no language has name. */
const char *notice_lang_choose(const struct notice_set *s, const char *name, const char *accept,
			       const char *rule_lang);

/* Renders the page of kind k (template v->tmpl, else the kind's) in the
 * language notice_lang_choose picks, into buf (size bytes; a NUL follows
 * the page when it fits). *status: 200 for WARN and ACKED, 403 or 451 for
 * BLOCK (v->status). Returns the page's length, -ENOENT (no such
 * template) or -ENOSPC (it does not fit: buf holds nothing usable). */
int notice_render(const struct notice_set *s, enum notice_kind k, const char *accept,
		  const struct notice_vars *v, char *buf, size_t size, int *status);

#endif
