// SPDX-License-Identifier: GPL-2.0
/* jsonval: a recursive-descent JSON parser into an arena (jsonval.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"

#define BLOCK (64u << 10)

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

struct parser {
	const char *p, *start, *end;
	struct block *arena;
	struct jerr *e;
	int depth;
};

static void *alloc(struct parser *ps, size_t n)
{
	struct block *b = ps->arena;
	void *r;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > BLOCK ? n : BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = ps->arena;
		ps->arena = b;
	}
	r = (char *)b->data + b->used;
	b->used += n;
	return r;
}

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	ps->e->offset = (size_t)(ps->p - ps->start);
	va_start(ap, fmt);
	vsnprintf(ps->e->msg, sizeof(ps->e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
				   *ps->p == '\r'))
		ps->p++;
}

static int value(struct parser *ps, struct jv **out);

/* ---- strings ------------------------------------------------------------------- */

static int hex4(struct parser *ps, unsigned *v)
{
	*v = 0;
	if (ps->end - ps->p < 4)
		return fail(ps, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f')
			*v |= (unsigned)((c | 32) - 'a' + 10);
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	return 0;
}

static size_t utf8(unsigned cp, char *o)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 63)), 2;
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 63));
		o[2] = (char)(0x80 | (cp & 63));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 63));
	o[2] = (char)(0x80 | (cp >> 6 & 63));
	o[3] = (char)(0x80 | (cp & 63));
	return 4;
}

/* \uXXXX (and a low surrogate after a high one) into o. */
static int uescape(struct parser *ps, char *o, size_t *n)
{
	unsigned cp, lo;

	if (hex4(ps, &cp))
		return -EINVAL;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail(ps, "high surrogate without a low one");
		ps->p += 2;
		if (hex4(ps, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "high surrogate without a low one");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return fail(ps, "lone low surrogate");
	}
	*n += utf8(cp, o + *n);
	return 0;
}

static int escape(struct parser *ps, char *o, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;

	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	if (*ps->p == 'u') {
		ps->p++;
		return uescape(ps, o, n);
	}
	k = strchr(from, *ps->p);
	if (!k || !*ps->p)
		return fail(ps, "bad escape '\\%c'", *ps->p);
	o[(*n)++] = to[k - from];
	ps->p++;
	return 0;
}

/* A string (the opening quote read) into the arena. */
static int string(struct parser *ps, const char **s, size_t *len)
{
	const char *q = ps->p;
	size_t n = 0;
	char *o;

	while (q < ps->end && *q != '"') /* decoded text is never longer */
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	o = alloc(ps, (size_t)(q - ps->p) + 1);
	if (!o)
		return -ENOMEM;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20)
			return fail(ps, "control character in a string");
		ps->p++;
		if (c != '\\')
			o[n++] = (char)c;
		else if (escape(ps, o, &n))
			return -EINVAL;
	}
	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	ps->p++;
	o[n] = '\0';
	*s = o;
	*len = n;
	return 0;
}

/* ---- numbers and words ----------------------------------------------------------- */

static bool digit(struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static int number(struct parser *ps, struct jv *v)
{
	const char *s = ps->p;
	char buf[64];

	v->is_int = true;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (!digit(ps))
		return fail(ps, "expected a digit");
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
		return fail(ps, "leading zero");
	while (digit(ps))
		ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++, v->is_int = false;
		if (!digit(ps))
			return fail(ps, "expected a digit after '.'");
		while (digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p | 32) == 'e') {
		ps->p++, v->is_int = false;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digit(ps))
			return fail(ps, "expected a digit in the exponent");
		while (digit(ps))
			ps->p++;
	}
	if (ps->p - s >= (long)sizeof(buf))
		return fail(ps, "number too long");
	memcpy(buf, s, (size_t)(ps->p - s));
	buf[ps->p - s] = '\0';
	v->t = JV_NUM;
	v->n = strtod(buf, NULL);
	errno = 0;
	if (v->is_int)
		v->i = strtoll(buf, NULL, 10);
	if (errno)
		v->is_int = false; /* out of range: only the double */
	return 0;
}

static int word(struct parser *ps, struct jv *v)
{
	static const struct {
		const char *w;
		enum jv_type t;
		bool b;
	} words[] = {{"true", JV_BOOL, true}, {"false", JV_BOOL, false}, {"null", JV_NULL, false}};

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].w);

		if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i].w, n)) {
			ps->p += n;
			v->t = words[i].t;
			v->b = words[i].b;
			return 0;
		}
	}
	return fail(ps, "unexpected character '%c'", *ps->p);
}

/* ---- containers ----------------------------------------------------------------- */

/* Growable scratch for the children of one container. */
struct kids {
	void *v;
	size_t n, cap, size;
};

static int kid_add(struct kids *k, const void *item)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 8;
		void *v = realloc(k->v, cap * k->size);

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	memcpy((char *)k->v + k->n++ * k->size, item, k->size);
	return 0;
}

/* Copies the children into the arena. */
static const void *kids_done(struct parser *ps, struct kids *k)
{
	void *a = k->n ? alloc(ps, k->n * k->size) : NULL;

	if (a)
		memcpy(a, k->v, k->n * k->size);
	return a;
}

static int array(struct parser *ps, struct jv *v)
{
	struct kids k = {.size = sizeof(struct jv *)};
	struct jv *item;
	int err = 0;

	v->t = JV_ARR;
	ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if ((err = value(ps, &item)) || (err = kid_add(&k, &item)))
			break;
		ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		}
		err = fail(ps, "expected ',' or ']'");
		break;
	}
	if (!err && !(v->items = kids_done(ps, &k)) && k.n)
		err = -ENOMEM;
	v->len = k.n;
	free(k.v);
	return err;
}

static int member(struct parser *ps, struct kids *k)
{
	struct jv_member m;
	struct jv *val;
	int err;

	ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a member name");
	ps->p++;
	if ((err = string(ps, &m.key, &m.keylen)))
		return err;
	ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, "expected ':'");
	ps->p++;
	if ((err = value(ps, &val)))
		return err;
	m.val = val;
	return kid_add(k, &m);
}

static int object(struct parser *ps, struct jv *v)
{
	struct kids k = {.size = sizeof(struct jv_member)};
	int err = 0;

	v->t = JV_OBJ;
	ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if ((err = member(ps, &k)))
			break;
		ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		err = fail(ps, "expected ',' or '}'");
		break;
	}
	if (!err && !(v->members = kids_done(ps, &k)) && k.n)
		err = -ENOMEM;
	v->len = k.n;
	free(k.v);
	return err;
}

static int value(struct parser *ps, struct jv **out)
{
	struct jv *v = alloc(ps, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	*out = v;
	ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	if (++ps->depth > JV_DEPTH_MAX)
		return fail(ps, "nested deeper than %d", JV_DEPTH_MAX);
	switch (*ps->p) {
	case '{': ps->p++; err = object(ps, v); break;
	case '[': ps->p++; err = array(ps, v); break;
	case '"':
		ps->p++;
		v->t = JV_STR;
		err = string(ps, &v->s, &v->len);
		break;
	default:
		err = *ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9') ? number(ps, v) : word(ps, v);
	}
	ps->depth--;
	return err;
}

/* ---- the document ------------------------------------------------------------------ */

int jdoc_parse(struct jdoc *d, const char *text, size_t len, struct jerr *e)
{
	struct parser ps = {.p = text, .start = text, .end = text + len, .e = e};
	struct jv *root;
	int err = value(&ps, &root);

	if (!err) {
		ws(&ps);
		if (ps.p != ps.end)
			err = fail(&ps, "text after the value");
	}
	d->arena = ps.arena;
	d->root = err ? NULL : root;
	return err;
}

void jdoc_free(struct jdoc *d)
{
	struct block *b = d->arena, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	d->arena = NULL;
	d->root = NULL;
}

const struct jv *jv_get(const struct jv *o, const char *key)
{
	size_t n = strlen(key);

	if (!o || o->t != JV_OBJ)
		return NULL;
	for (size_t i = o->len; i-- > 0;)
		if (o->members[i].keylen == n && !memcmp(o->members[i].key, key, n))
			return o->members[i].val;
	return NULL;
}

const struct jv *jv_path(const struct jv *o, const char *path)
{
	char part[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = jv_get(o, part);
		path += n + (path[n] == '.');
	}
	return o;
}

const char *jv_str(const struct jv *v)
{
	return v && v->t == JV_STR ? v->s : NULL;
}

bool jv_u64(const struct jv *v, uint64_t *out)
{
	if (!v || v->t != JV_NUM || !v->is_int || v->i < 0)
		return false;
	*out = (uint64_t)v->i;
	return true;
}
