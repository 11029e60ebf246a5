// SPDX-License-Identifier: GPL-2.0
/* prom: the text exposition format and lock-free instruments (prom.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

static void add(struct prom_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0 || b->err)
			return;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? 2 * b->cap : 4096;
		char *s;

		while (cap - b->len <= (size_t)n)
			cap *= 2;
		if (!(s = realloc(b->s, cap))) {
			b->err = -ENOMEM;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	add(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_sample(struct prom_buf *b, const char *name, const char *label, const char *value,
		 uint64_t v)
{
	if (!label) {
		add(b, "%s %llu\n", name, (unsigned long long)v);
		return;
	}
	add(b, "%s{%s=\"", name, label);
	for (const char *p = value; *p; p++)
		add(b, *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : "%c", *p);
	add(b, "\"} %llu\n", (unsigned long long)v);
}

void prom_one(struct prom_buf *b, const char *name, const char *type, const char *help,
	      uint64_t v)
{
	prom_family(b, name, type, help);
	prom_sample(b, name, NULL, NULL, v);
}

void prom_free(struct prom_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---- histograms --------------------------------------------------------------------- */

void prom_hist_init(struct prom_hist *h)
{
	static const uint64_t us[PROM_BUCKETS] = {10,	 50,	 100,	  250,	   500,
						  1000,	 2500,	 5000,	  10000,   50000,
						  100000, 500000, 1000000, 10000000};

	memset(h, 0, sizeof(*h));
	for (int i = 0; i < PROM_BUCKETS; i++)
		h->le_ns[i] = us[i] * 1000;
}

void prom_hist_observe(struct prom_hist *h, uint64_t ns)
{
	int i = 0;

	while (i < PROM_BUCKETS && ns > h->le_ns[i])
		i++;
	__atomic_add_fetch(&h->count[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum_ns, ns, __ATOMIC_RELAXED);
}

void prom_hist_put(struct prom_buf *b, const struct prom_hist *h, const char *name,
		   const char *help)
{
	uint64_t cum = 0, sum = __atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED);

	prom_family(b, name, "histogram", help);
	for (int i = 0; i <= PROM_BUCKETS; i++) {
		cum += __atomic_load_n(&h->count[i], __ATOMIC_RELAXED);
		if (i < PROM_BUCKETS)
			add(b, "%s_bucket{le=\"%g\"} %llu\n", name, (double)h->le_ns[i] / 1e9,
			    (unsigned long long)cum);
		else
			add(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	}
	add(b, "%s_sum %.9f\n%s_count %llu\n", name, (double)sum / 1e9, name,
	    (unsigned long long)cum);
}

/* ---- counters by label ------------------------------------------------------------------ */

void prom_bylabel_init(struct prom_bylabel *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

void prom_bylabel_free(struct prom_bylabel *c)
{
	pthread_mutex_destroy(&c->lock);
}

/* Index of value among the first n names, or -1. */
static int find(const struct prom_bylabel *c, unsigned n, const char *value)
{
	for (unsigned i = 0; i < n; i++)
		if (!strncmp(c->names[i], value, PROM_LABEL_LEN - 1))
			return (int)i;
	return -1;
}

void prom_bylabel_add(struct prom_bylabel *c, const char *value, uint64_t n)
{
	unsigned known = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
	int i = find(c, known, value);

	if (i < 0) {
		pthread_mutex_lock(&c->lock);
		i = find(c, c->n, value);
		if (i < 0 && c->n < PROM_LABELS_MAX) {
			snprintf(c->names[c->n], PROM_LABEL_LEN, "%s", value);
			i = (int)c->n;
			__atomic_store_n(&c->n, c->n + 1, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&c->lock);
	}
	__atomic_add_fetch(&c->v[i < 0 ? PROM_LABELS_MAX : i], n, __ATOMIC_RELAXED);
}

void prom_bylabel_put(struct prom_buf *b, struct prom_bylabel *c, const char *name,
		      const char *label, const char *help)
{
	unsigned n = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
	uint64_t other = __atomic_load_n(&c->v[PROM_LABELS_MAX], __ATOMIC_RELAXED);

	prom_family(b, name, "counter", help);
	for (unsigned i = 0; i < n; i++)
		prom_sample(b, name, label, c->names[i], __atomic_load_n(&c->v[i], __ATOMIC_RELAXED));
	if (other)
		prom_sample(b, name, label, "other", other);
}
