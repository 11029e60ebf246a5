// SPDX-License-Identifier: GPL-2.0
/* lang: the client's Accept-Language (RFC 9110 12.5.4, q-values 12.4.2)
 * and the language a notice is rendered in (notice.h). */
#include <string.h>
#include <strings.h>

#include "notice_int.h"

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* language-range: "*" or 1*8ALPHA *("-" 1*8alphanum). */
static int range_ok(const char *s, size_t n)
{
	size_t run = 0;
	int first = 1;

	if (n == 1 && s[0] == '*')
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' && run) {
			run = 0;
			first = 0;
		} else if ((is_alpha(s[i]) || (!first && s[i] >= '0' && s[i] <= '9')) && run < 8) {
			run++;
		} else {
			return 0;
		}
	}
	return run > 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths; -1 when it is none. */
static int qvalue(const char *s, size_t n)
{
	int q = 0, scale = 100;

	if (!n || (s[0] != '0' && s[0] != '1') || n > 5 || (n > 1 && s[1] != '.'))
		return -1;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	if (s[0] == '1')
		return q ? -1 : 1000;
	return q;
}

/* The weight of one entry's parameters (";q=0.5"), 1000 without one, -1
 * when they are not a weight. */
static int weight(const char *p, size_t n)
{
	while (n && is_ows(*p))
		p++, n--;
	if (!n)
		return 1000;
	if (*p != ';')
		return -1;
	p++, n--;
	while (n && is_ows(*p))
		p++, n--;
	if (n < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return -1;
	while (n > 2 && is_ows(p[n - 1]))
		n--;
	return qvalue(p + 2, n - 2);
}

/* One comma-separated entry s[0..n); 1 if it went into *r. */
static int entry(const char *s, size_t n, struct notice_range *r)
{
	size_t k = 0;
	int q;

	while (n && is_ows(*s))
		s++, n--;
	while (k < n && s[k] != ';' && !is_ows(s[k]))
		k++;
	q = weight(s + k, n - k);
	if (q < 0 || !range_ok(s, k) || k >= sizeof(r->tag))
		return 0;
	memcpy(r->tag, s, k);
	r->tag[k] = '\0';
	r->q = (unsigned)q;
	return 1;
}

int notice_lang_parse(const char *field, struct notice_range *r, int max)
{
	int n = 0;

	while (field && *field && n < max) {
		size_t len = strcspn(field, ",");
		struct notice_range one;

		if (entry(field, len, &one)) {
			int j = n++;

			/* insertion: heaviest first, equal weights in order */
			for (; j > 0 && r[j - 1].q < one.q; j--)
				r[j] = r[j - 1];
			r[j] = one;
		}
		field += len + (field[len] == ',');
	}
	return n;
}

/* ---- choosing ----------------------------------------------------------- */

static size_t primary_len(const char *tag)
{
	return strcspn(tag, "-");
}

/* Does range (not "*") cover lang: the same tag, or lang under it
 * ("hi" covers "hi-IN")? */
static int covers(const char *range, const char *lang)
{
	size_t n = strlen(range);

	return !strncasecmp(range, lang, n) && (lang[n] == '\0' || lang[n] == '-');
}

static int refused(const char *lang, const struct notice_range *r, int n)
{
	for (int i = 0; i < n; i++)
		if (!r[i].q && strcmp(r[i].tag, "*") && covers(r[i].tag, lang))
			return 1;
	return 0;
}

/* The template name in the language tag stands for: the same tag, else
 * one of the same primary language; none that the client refused. */
static const struct tmpl *match(const struct notice_set *s, const char *name, const char *tag,
				const struct notice_range *r, int n)
{
	const struct tmpl *t = tmpl_find(s, name, tag);
	size_t p = primary_len(tag);

	if (t && !refused(t->lang, r, n))
		return t;
	for (size_t i = 0; i < s->n; i++) {
		t = &s->t[i];
		if (!strcmp(t->name, name) && primary_len(t->lang) == p &&
		    !strncasecmp(t->lang, tag, p) && !refused(t->lang, r, n))
			return t;
	}
	return NULL;
}

static const struct tmpl *any(const struct notice_set *s, const char *name,
			      const struct notice_range *r, int n)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->t[i].name, name) && !refused(s->t[i].lang, r, n))
			return &s->t[i];
	return NULL;
}

const char *notice_lang_choose(const struct notice_set *s, const char *name, const char *accept,
			       const char *rule_lang)
{
	struct notice_range r[NOTICE_RANGES_MAX];
	int n = notice_lang_parse(accept, r, NOTICE_RANGES_MAX);
	const struct tmpl *t = NULL;

	for (int i = 0; i < n && !t && r[i].q; i++)
		t = match(s, name, strcmp(r[i].tag, "*") ? r[i].tag : s->def, r, n);
	if (!t && rule_lang && *rule_lang)
		t = match(s, name, rule_lang, r, n);
	if (!t)
		t = match(s, name, s->def, r, n);
	if (!t)
		t = any(s, name, r, n);
	if (!t)
		t = any(s, name, NULL, 0); /* every language refused: one all the same */
	return t ? t->lang : NULL;
}
