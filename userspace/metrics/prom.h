/* SPDX-License-Identifier: GPL-2.0 */
/* prom: the Prometheus text exposition format (version 0.0.4) built in a
 * buffer, and the two instruments the pipeline's threads update without
 * locks: histograms (fixed buckets, atomic counts) and counters by label
 * (list names, object types). */
#ifndef EW_PROM_H
#define EW_PROM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct prom_buf {
	char *s;
	size_t len, cap;
	int err; /* -ENOMEM once anything failed */
};

/* Appends "# HELP name help\n# TYPE name type\n" (type: counter, gauge,
 * histogram). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);
/* Appends one sample: name{label="value"} v. label NULL: no labels.
 * Label values are escaped (\\, \", \n). */
void prom_sample(struct prom_buf *b, const char *name, const char *label, const char *value,
		 uint64_t v);
/* A family with one unlabelled sample. */
void prom_one(struct prom_buf *b, const char *name, const char *type, const char *help,
	      uint64_t v);
void prom_free(struct prom_buf *b);

#define PROM_BUCKETS 14

/* Seconds histogram, buckets from 10 µs to 10 s. Observed from any
 * thread. */
struct prom_hist {
	uint64_t le_ns[PROM_BUCKETS];
	uint64_t count[PROM_BUCKETS + 1]; /* the last: +Inf */
	uint64_t sum_ns;
};

void prom_hist_init(struct prom_hist *h);
void prom_hist_observe(struct prom_hist *h, uint64_t ns);
/* The family name (with _bucket, _sum, _count samples). */
void prom_hist_put(struct prom_buf *b, const struct prom_hist *h, const char *name,
		   const char *help);

#define PROM_LABELS_MAX 64
#define PROM_LABEL_LEN	64

/* Counters by a label value that arrives at run time (list names): the
 * first PROM_LABELS_MAX values get a counter each, the rest count under
 * "other". Adding is lock-free once a value is known. */
struct prom_bylabel {
	pthread_mutex_t lock; /* taken only to add a new value */
	unsigned n;
	char names[PROM_LABELS_MAX][PROM_LABEL_LEN];
	uint64_t v[PROM_LABELS_MAX + 1];
};

void prom_bylabel_init(struct prom_bylabel *c);
void prom_bylabel_add(struct prom_bylabel *c, const char *value, uint64_t n);
void prom_bylabel_put(struct prom_buf *b, struct prom_bylabel *c, const char *name,
		      const char *label, const char *help);
void prom_bylabel_free(struct prom_bylabel *c);

#endif
