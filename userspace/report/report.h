/* SPDX-License-Identifier: GPL-2.0 */
/* report: the cases of a period, counted the way regulators and
 * clearinghouses ask (India's NCPCR asked platforms for January to June
 * 2024 exactly this): total cases blocked; cases per category, list, hash
 * type, content type, rule, day and month; distinct hashes; top domains;
 * and an appendix of every case with its time, hashes and metadata.
 *
 * A case is a block event (the agent). A log with no block event at all
 * (edgeward pcap) has its matched objects as cases: one per object, its
 * first match naming the list, category and hash. Events come in through
 * report_add, already filtered by time as `log query --from --to` does
 * (report and query agree on what is in the period). */
#ifndef EW_REPORT_H
#define EW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "jsonval.h"

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_MD };

struct report_conf {
	uint64_t from_ns, to_ns; /* [from, to) */
	const char *from, *to;	 /* as the user wrote them, for the heading */
	unsigned top;		 /* top domains shown (10) */
};

struct report;

/* Returns NULL with errno set. conf's strings must outlive the report. */
struct report *report_new(const struct report_conf *c);

/* Takes one event (file and line say where it came from). Returns 0 or
 * -ENOMEM. */
int report_add(struct report *r, const struct jv *ev, const char *file, uint64_t line);

/* The numbers, for tests. */
uint64_t report_cases(const struct report *r);
uint64_t report_distinct_hashes(struct report *r);
/* Cases whose dimension dim ("category", "list", "hash_type", "content_type",
 * "rule", "day", "month", "host") has value val. */
uint64_t report_count(struct report *r, const char *dim, const char *val);

/* Writes the report. Returns 0 or -EIO. */
int report_write(struct report *r, FILE *out, enum report_format f);

void report_free(struct report *r);

#endif
