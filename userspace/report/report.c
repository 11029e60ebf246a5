// SPDX-License-Identifier: GPL-2.0
/* report: cases of a period, their counts and the appendix (report.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log/eventjson.h"
#include "query.h"
#include "report_int.h"

static const char *const field_names[F_MAX] = {
	"ts",	    "kind",	"event_id", "host",	"uri",	     "list", "category", "hash_type",
	"hash",	    "distance", "quality",  "content_type", "size", "rule", "subscriber", "source"};

static const struct {
	const char *name;
	int field;
	size_t prefix; /* 0: whole value */
} dims[D_MAX] = {
	{"category", F_CATEGORY, 0}, {"list", F_LIST, 0},    {"hash_type", F_HASH_TYPE, 0},
	{"content_type", F_CONTENT, 0}, {"rule", F_RULE, 0}, {"day", F_TS, 10},
	{"month", F_TS, 7},	     {"host", F_HOST, 0},
};

struct report *report_new(const struct report_conf *c)
{
	struct report *r = calloc(1, sizeof(*r));

	if (r) {
		r->c = *c;
		if (!r->c.top)
			r->c.top = 10;
	}
	return r;
}

static void cases_free(struct cases *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		for (int k = 0; k < F_MAX; k++)
			free(cs->v[i].f[k]);
	free(cs->v);
}

void report_free(struct report *r)
{
	if (!r)
		return;
	cases_free(&r->blocks);
	cases_free(&r->matches);
	free(r->obj_file);
	free(r->obj_content);
	free(r->obj_size);
	free(r);
}

const struct cases *rep_chosen(const struct report *r)
{
	return r->blocks.n ? &r->blocks : &r->matches;
}

uint64_t report_cases(const struct report *r)
{
	return rep_chosen(r)->n;
}

/* ---- taking events ----------------------------------------------------------------- */

/* A member as text: strings as they are, numbers in decimal, else "". */
static char *text(const struct jv *v)
{
	char b[32];

	if (v && v->t == JV_STR)
		return strdup(v->s);
	if (v && v->t == JV_NUM && v->is_int) {
		snprintf(b, sizeof(b), "%lld", (long long)v->i);
		return strdup(b);
	}
	return strdup("");
}

static struct rcase *new_case(struct cases *cs)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 64;
		struct rcase *v = realloc(cs->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		cs->v = v;
		cs->cap = cap;
	}
	memset(&cs->v[cs->n], 0, sizeof(cs->v[0]));
	return &cs->v[cs->n++];
}

/* Fills the members block and match events share. */
static int fill(struct rcase *k, const struct jv *ev, const char *kind, const char *file,
		uint64_t line)
{
	static const char *const from[F_MAX] = {
		[F_TS] = "ts", [F_EVENT_ID] = "event_id", [F_HOST] = "host", [F_URI] = "uri",
		[F_LIST] = "list", [F_CATEGORY] = "category", [F_HASH_TYPE] = "hash_type",
		[F_HASH] = "hash", [F_DISTANCE] = "distance", [F_QUALITY] = "quality",
		[F_SIZE] = "size", [F_RULE] = "rule", [F_SUBSCRIBER] = "subscriber.client"};
	char src[4200];

	for (int i = 0; i < F_MAX; i++)
		if (from[i] && !(k->f[i] = text(jv_path(ev, from[i]))))
			return -ENOMEM;
	if (!k->f[F_SUBSCRIBER][0]) {
		free(k->f[F_SUBSCRIBER]);
		k->f[F_SUBSCRIBER] = text(jv_path(ev, "flow.client"));
	}
	snprintf(src, sizeof(src), "%s:%llu", file, (unsigned long long)line);
	k->f[F_KIND] = strdup(kind);
	k->f[F_SOURCE] = strdup(src);
	return k->f[F_SUBSCRIBER] && k->f[F_KIND] && k->f[F_SOURCE] ? 0 : -ENOMEM;
}

/* The content type of a case: sniffed, else declared, else "unknown". */
static char *content(const struct jv *ev)
{
	const char *s = jv_str(jv_get(ev, "sniffed"));

	if (!s || !*s)
		s = jv_str(jv_get(ev, "content_type"));
	return strdup(s && *s ? s : "unknown");
}

static int add_block(struct report *r, const struct jv *ev, const char *file, uint64_t line)
{
	struct rcase *k = new_case(&r->blocks);

	if (!k || fill(k, ev, "block", file, line))
		return -ENOMEM;
	k->f[F_CONTENT] = content(ev);
	return k->f[F_CONTENT] ? 0 : -ENOMEM;
}

/* The first match of an object makes its case. */
static int add_match(struct report *r, const struct jv *ev, const char *file, uint64_t line)
{
	uint64_t id = 0;
	struct rcase *k;

	jv_u64(jv_get(ev, "object"), &id);
	if (id == r->matched_id && r->matched_file && !strcmp(r->matched_file, file))
		return 0;
	r->matched_id = id;
	r->matched_file = file;
	if (!(k = new_case(&r->matches)) || fill(k, ev, "match", file, line))
		return -ENOMEM;
	if (id == r->obj_id && r->obj_file && !strcmp(r->obj_file, file)) {
		k->f[F_CONTENT] = strdup(r->obj_content);
		free(k->f[F_SIZE]);
		k->f[F_SIZE] = strdup(r->obj_size);
	} else {
		k->f[F_CONTENT] = strdup("unknown");
	}
	return k->f[F_CONTENT] && k->f[F_SIZE] ? 0 : -ENOMEM;
}

static int note_object(struct report *r, const struct jv *ev, const char *file)
{
	free(r->obj_file);
	free(r->obj_content);
	free(r->obj_size);
	r->obj_id = 0;
	jv_u64(jv_get(ev, "id"), &r->obj_id);
	r->obj_file = strdup(file);
	r->obj_content = content(ev);
	r->obj_size = text(jv_get(ev, "size"));
	return r->obj_file && r->obj_content && r->obj_size ? 0 : -ENOMEM;
}

int report_add(struct report *r, const struct jv *ev, const char *file, uint64_t line)
{
	const char *event = jv_str(jv_get(ev, "event"));
	uint64_t ts = query_event_time(ev);

	if (!event)
		return 0;
	if (!strcmp(event, "object"))
		return note_object(r, ev, file);
	if (!ts || ts < r->c.from_ns || (r->c.to_ns && ts >= r->c.to_ns))
		return 0;
	if (!strcmp(event, "block"))
		return add_block(r, ev, file, line);
	if (!strcmp(event, "match"))
		return add_match(r, ev, file, line);
	return 0;
}

/* ---- counting ----------------------------------------------------------------------- */

static int by_key(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

static int by_count(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return by_key(a, b);
}

/* The distinct values of dimension d and their cases, sorted by key
 * (sort_count: by cases, most first). *n set; caller frees. */
struct tally *rep_tally(const struct report *r, int d, bool sort_count, size_t *n)
{
	const struct cases *cs = rep_chosen(r);
	struct tally *t = calloc(cs->n ? cs->n : 1, sizeof(*t));
	size_t k = 0;

	*n = 0;
	if (!t)
		return NULL;
	for (size_t i = 0; i < cs->n; i++) {
		const char *v = cs->v[i].f[dims[d].field];
		size_t len = strlen(v);

		if (dims[d].prefix && len > dims[d].prefix)
			len = dims[d].prefix;
		t[i] = (struct tally){.key = *v ? v : "none", .keylen = *v ? len : 4, .n = 1};
	}
	qsort(t, cs->n, sizeof(*t), by_key);
	for (size_t i = 0; i < cs->n; i++) {
		if (k && !by_key(&t[k - 1], &t[i]))
			t[k - 1].n++;
		else
			t[k++] = t[i];
	}
	if (sort_count)
		qsort(t, k, sizeof(*t), by_count);
	*n = k;
	return t;
}

uint64_t report_count(struct report *r, const char *dim, const char *val)
{
	uint64_t found = 0;
	struct tally *t;
	size_t n;

	for (int d = 0; d < D_MAX; d++) {
		if (strcmp(dims[d].name, dim) || !(t = rep_tally(r, d, false, &n)))
			continue;
		for (size_t i = 0; i < n; i++)
			if (t[i].keylen == strlen(val) && !memcmp(t[i].key, val, t[i].keylen))
				found = t[i].n;
		free(t);
	}
	return found;
}

uint64_t report_distinct_hashes(struct report *r)
{
	const struct cases *cs = rep_chosen(r);
	struct tally *t = calloc(cs->n ? cs->n : 1, sizeof(*t));
	uint64_t k = 0;

	if (!t)
		return 0;
	for (size_t i = 0; i < cs->n; i++)
		t[i] = (struct tally){.key = cs->v[i].f[F_HASH], .keylen = strlen(cs->v[i].f[F_HASH])};
	qsort(t, cs->n, sizeof(*t), by_key);
	for (size_t i = 0; i < cs->n; i++)
		k += t[i].keylen && (!i || by_key(&t[i - 1], &t[i]));
	free(t);
	return k;
}

const char *rep_dim_name(int d, bool top)
{
	return top ? "domains" : dims[d].name;
}

const char *rep_field_name(int f)
{
	return field_names[f];
}
