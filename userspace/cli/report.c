// SPDX-License-Identifier: GPL-2.0
/* `edgeward report --from DATE --to DATE [--format json|csv|md] FILE...`:
 * the cases of a period counted for a regulator or a clearinghouse
 * (report/report.h), from event log files (rotated, gzip). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "log/log.h"
#include "report/logread.h"
#include "report/query.h"
#include "report/report.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward report --from DATE --to DATE [--format json|csv|md] [--top N]\n"
		"                       FILE...\n"
		"Counts the cases of the period (DATE: 2024-01-31, a month 2024-01, or\n"
		"2024-01-31T12:00:00Z; --to includes that day or month): total, per\n"
		"category, list, hash type, content type, rule, day and month, distinct\n"
		"hashes, top domains, and an appendix of every case. A case is a block\n"
		"event; in a log without any (edgeward pcap) a matched object.\n");
}

/* Feeds every event of the files to the report. Returns 0 or -1. */
static int feed(struct report *r, const char **files, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct logread lr;
		const char *s;
		char msg[512];
		bool torn;
		long len;

		if (logread_open(&lr, files[i], msg, sizeof(msg))) {
			ew_err("report: %s", msg);
			rc = -1;
			continue;
		}
		while ((len = logread_next(&lr, &s, &torn)) >= 0) {
			struct jdoc d = {0};
			struct jerr e;

			if (!jdoc_parse(&d, s, (size_t)len, &e) &&
			    report_add(r, d.root, files[i], lr.line))
				rc = -1;
			jdoc_free(&d);
		}
		if (len != -1) {
			ew_err("report: %s:%llu: unreadable", files[i], (unsigned long long)lr.line + 1);
			rc = -1;
		}
		logread_close(&lr);
	}
	return rc;
}

static int parse(int argc, char **argv, struct report_conf *c, enum report_format *f)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'F'}, {"top", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0}};
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'f' && !query_parse_time(optarg, false, &c->from_ns))
			c->from = optarg;
		else if (o == 't' && !query_parse_time(optarg, true, &c->to_ns))
			c->to = optarg;
		else if (o == 'F' && (!strcmp(optarg, "json") || !strcmp(optarg, "csv") ||
				      !strcmp(optarg, "md")))
			*f = optarg[0] == 'j' ? REPORT_JSON : optarg[0] == 'c' ? REPORT_CSV : REPORT_MD;
		else if (o == 'n')
			c->top = (unsigned)strtoul(optarg, NULL, 10);
		else if (o == 'h')
			return 1;
		else {
			ew_err("report: bad value '%s' (dates: 2024-01-31, 2024-01 or "
			       "2024-01-31T12:00:00Z; formats: json, csv, md)", optarg ? optarg : "");
			return -EINVAL;
		}
	}
	if (!c->from || !c->to || optind == argc) {
		ew_err("report: give --from, --to and the log files");
		return -EINVAL;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_conf c = {0};
	enum report_format f = REPORT_JSON;
	struct report *r;
	int rc = parse(argc, argv, &c, &f), n = argc - optind;
	const char **files;

	if (rc)
		return usage(rc > 0 ? stdout : stderr), rc > 0 ? 0 : 2;
	files = calloc((size_t)n, sizeof(*files));
	r = files ? report_new(&c) : NULL;
	if (!r) {
		free(files);
		ew_err("report: out of memory");
		return 2;
	}
	for (int i = 0; i < n; i++)
		files[i] = argv[optind + i];
	query_sort_files(files, n);
	rc = feed(r, files, n) ? 2 : 0;
	if (report_write(r, stdout, f) || fflush(stdout)) {
		ew_err("report: couldn't write: %s", strerror(errno));
		rc = 2;
	}
	report_free(r);
	free(files);
	return rc;
}
