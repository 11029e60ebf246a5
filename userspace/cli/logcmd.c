// SPDX-License-Identifier: GPL-2.0
/* `edgeward log verify|query|send|preserve`: the event log read back
 * (report/verify, report/query), forwarded again (log/syslogfwd), and its
 * files kept past retention (log/retention). Thin: options to the
 * library and its result to the terminal. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "log/log.h"
#include "log/logmac.h"
#include "log/retention.h"
#include "log/syslogfwd.h"
#include "report/logread.h"
#include "report/query.h"
#include "report/verify.h"

static void log_usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward log verify [--log-key FILE] FILE...\n"
		"       edgeward log query FILE... [--from T] [--to T] [--event E] [--rule R]\n"
		"                          [--action A] [--category C] [--list L] [--hash H]\n"
		"                          [--host H] [--subscriber S] [--format json|table]\n"
		"       edgeward log send --syslog HOST:PORT [--facility N] [--rate N]\n"
		"                         [--queue-max BYTES] FILE...\n"
		"       edgeward log preserve --reason TEXT FILE...\n"
		"verify: exits 0 when the signed log is intact (every HMAC, the chain across\n"
		"  the rotated files, a checkpoint at the end), 1 naming the first bad file\n"
		"  and line and why, 2 on errors. Files in any order, plain or gzip.\n"
		"query: the events that match every filter given (T: RFC 3339 or a date).\n"
		"send: forwards log files to a syslog collector (RFC 5424, TCP, octet\n"
		"  counting), e.g. after it was away; exits 1 if any event was not delivered.\n"
		"preserve: marks rotated files as holding preserved cases: retention keeps\n"
		"  them (FILE.preserve says who and why).\n");
}

static int load_key(const char *path, uint8_t *key, size_t cap)
{
	char msg[512];
	int n = logmac_read_key(path, key, cap, msg, sizeof(msg));

	if (n < 0)
		ew_err("log: %s", msg);
	return n;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"log-key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	uint8_t key[LOGMAC_KEY_MAX + 1];
	const char *keyfile = NULL;
	struct verify_result r;
	int c, n = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'k')
			keyfile = optarg;
		else
			return log_usage(c == 'h' ? stdout : stderr), c == 'h' ? 0 : 2;
	}
	if (optind == argc) {
		ew_err("log verify: no file given");
		return 2;
	}
	if (keyfile && (n = load_key(keyfile, key, sizeof(key))) < 0)
		return 2;
	rc = verify_files((const char *const *)argv + optind, argc - optind, keyfile ? key : NULL,
			  (size_t)n, &r);
	explicit_bzero(key, sizeof(key));
	if (rc < 0) {
		ew_err("log verify: %s", strerror(-rc));
		return 2;
	}
	if (rc) {
		if (r.line)
			printf("%s:%llu: %s\n", r.file, (unsigned long long)r.line, r.why);
		else
			printf("%s: %s\n", r.file, r.why);
		return r.problem == VERIFY_UNREADABLE ? 2 : 1;
	}
	printf("ok: %llu lines in %llu files, seq %llu to %llu, %llu checkpoints, %llu events "
	       "lost by the writer%s%s\n",
	       (unsigned long long)r.lines, (unsigned long long)r.files,
	       (unsigned long long)r.first_seq, (unsigned long long)r.last_seq,
	       (unsigned long long)r.checkpoints, (unsigned long long)r.lost,
	       r.why[0] ? "; " : "", r.why);
	if (r.first_seq > 1)
		printf("note: the chain starts at seq %llu: earlier files were not given\n",
		       (unsigned long long)r.first_seq);
	return 0;
}

/* ---- query ------------------------------------------------------------------------- */

static void table_row(const struct jv *ev)
{
	const char *client = jv_str(jv_path(ev, "subscriber.client"));
	const char *hash = jv_str(jv_get(ev, "hash"));

	if (!client)
		client = jv_str(jv_path(ev, "flow.client"));
	printf("%-27s %-10s %-8s %-24.24s %-12.12s %-10.10s %-7s %-16.16s %s\n",
	       jv_str(jv_get(ev, "ts")) ?: "-", jv_str(jv_get(ev, "event")) ?: "-",
	       jv_str(jv_get(ev, "action")) ?: "-", jv_str(jv_get(ev, "host")) ?: "-",
	       jv_str(jv_get(ev, "list")) ?: "-", jv_str(jv_get(ev, "category")) ?: "-",
	       jv_str(jv_get(ev, "hash_type")) ?: "-", hash ? hash : "-", client ? client : "-");
}

/* Prints the matching lines of one file; counts lines that are not JSON. */
static int query_file(const char *path, const struct query *q, bool table, uint64_t *shown)
{
	struct logread r;
	const char *s;
	char msg[512];
	bool torn;
	long n;
	int bad = 0;

	if (logread_open(&r, path, msg, sizeof(msg))) {
		ew_err("log query: %s", msg);
		return -1;
	}
	while ((n = logread_next(&r, &s, &torn)) >= 0) {
		struct jdoc d = {0};
		struct jerr e;

		if (jdoc_parse(&d, s, (size_t)n, &e)) {
			if (!bad++)
				ew_warn("log query: %s:%llu:%zu: not an event: %s", path,
					(unsigned long long)r.line, e.offset + 1, e.msg);
		} else if (query_match(q, d.root)) {
			if (table)
				table_row(d.root);
			else
				printf("%.*s\n", (int)n, s);
			(*shown)++;
		}
		jdoc_free(&d);
	}
	logread_close(&r);
	if (n != -1)
		ew_err("log query: %s:%llu: %s", path, (unsigned long long)r.line + 1,
		       n == -EFBIG ? "line too long" : "unreadable (corrupt compressed data?)");
	return n != -1 ? -1 : bad;
}

static int query_opt(int c, struct query *q, bool *table)
{
	switch (c) {
	case 'f': return query_parse_time(optarg, false, &q->from_ns);
	case 't': return query_parse_time(optarg, true, &q->to_ns);
	case 'e': q->event = optarg; return 0;
	case 'r': q->rule = optarg; return 0;
	case 'a': q->action = optarg; return 0;
	case 'c': q->category = optarg; return 0;
	case 'l': q->list = optarg; return 0;
	case 'H': q->hash = optarg; return 0;
	case 'o': q->host = optarg; return 0;
	case 's': q->subscriber = optarg; return 0;
	case 'F':
		*table = !strcmp(optarg, "table");
		return *table || !strcmp(optarg, "json") ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},	 {"to", required_argument, NULL, 't'},
		{"event", required_argument, NULL, 'e'}, {"rule", required_argument, NULL, 'r'},
		{"action", required_argument, NULL, 'a'}, {"category", required_argument, NULL, 'c'},
		{"list", required_argument, NULL, 'l'},	 {"hash", required_argument, NULL, 'H'},
		{"host", required_argument, NULL, 'o'},	 {"subscriber", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0}};
	struct query q = {0};
	const char **f;
	uint64_t shown = 0;
	bool table = false;
	int c, n, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (query_opt(c, &q, &table)) {
			ew_err("log query: bad option value '%s' (times: 2024-01-31, 2024-01 or "
			       "2024-01-31T12:00:00Z; --format json or table)", optarg ? optarg : "");
			return 2;
		}
	n = argc - optind;
	if (!n || !(f = calloc((size_t)n, sizeof(*f)))) {
		ew_err("log query: no file given");
		return 2;
	}
	for (int i = 0; i < n; i++)
		f[i] = argv[optind + i];
	query_sort_files(f, n);
	if (table)
		printf("%-27s %-10s %-8s %-24s %-12s %-10s %-7s %-16s %s\n", "ts", "event", "action",
		       "host", "list", "category", "hash", "value", "subscriber");
	for (int i = 0; i < n; i++)
		if (query_file(f[i], &q, table, &shown) < 0)
			rc = 2;
	free(f);
	if (table)
		printf("(%llu events)\n", (unsigned long long)shown);
	return rc;
}

/* ---- send and preserve -------------------------------------------------------------- */

static void pace(uint64_t i, unsigned long rate, const struct timespec *t0)
{
	struct timespec now, until;
	uint64_t due_ns, el;

	if (!rate)
		return;
	due_ns = i * 1000000000ull / rate;
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (uint64_t)(now.tv_sec - t0->tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
	     (uint64_t)t0->tv_nsec;
	if (el >= due_ns)
		return;
	until = (struct timespec){.tv_sec = (time_t)((due_ns - el) / 1000000000ull),
				  .tv_nsec = (long)((due_ns - el) % 1000000000ull)};
	nanosleep(&until, NULL);
}

/* Feeds every line of the files to the forwarder. Returns lines or -1. */
static long send_files(struct syslogfwd *fw, char **files, int n, unsigned long rate)
{
	const struct ej_sink *s = syslogfwd_sink(fw);
	struct timespec t0;
	uint64_t i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < n; k++) {
		struct logread r;
		const char *line;
		char msg[512];
		bool torn;
		long len;

		if (logread_open(&r, files[k], msg, sizeof(msg))) {
			ew_err("log send: %s", msg);
			return -1;
		}
		while ((len = logread_next(&r, &line, &torn)) >= 0) {
			pace(i++, rate, &t0);
			s->line(s->ctx, line, (size_t)len);
		}
		logread_close(&r);
	}
	return (long)i;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {{"syslog", required_argument, NULL, 's'},
					     {"facility", required_argument, NULL, 'f'},
					     {"rate", required_argument, NULL, 'r'},
					     {"queue-max", required_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	struct syslogfwd_conf sc;
	struct syslogfwd_stats st;
	struct syslogfwd *fw;
	unsigned long rate = 0;
	char msg[512], host[256] = "";
	long lines;
	int c, rc;

	syslogfwd_conf_default(&sc);
	sc.drain_ns = 30 * 1000000000ull;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			sc.address = optarg;
		else if (c == 'f' && (sc.facility = atoi(optarg)) >= 0 && sc.facility <= 23)
			continue;
		else if (c == 'r')
			rate = strtoul(optarg, NULL, 10);
		else if (c == 'q')
			sc.queue_max = strtoul(optarg, NULL, 10);
		else {
			ew_err("log send: bad option (--facility takes 0..23)");
			return 2;
		}
	}
	if (!sc.address || optind == argc) {
		ew_err("log send: give --syslog HOST:PORT and the files");
		return 2;
	}
	gethostname(host, sizeof(host) - 1);
	sc.hostname = host;
	if (!(fw = syslogfwd_new(&sc, msg, sizeof(msg))) || syslogfwd_start(fw)) {
		ew_err("log send: %s", fw ? "couldn't start the forwarder" : msg);
		return 2;
	}
	lines = send_files(fw, argv + optind, argc - optind, rate);
	rc = syslogfwd_close(fw, &st, msg, sizeof(msg));
	printf("delivered %llu of %ld events to %s, %llu lost; %llu sent again after %llu "
	       "refused or broken connections\n", (unsigned long long)st.sent, lines,
	       sc.address, (unsigned long long)st.lost, (unsigned long long)st.resent,
	       (unsigned long long)st.failures);
	return lines < 0 ? 2 : rc ? 1 : 0;
}

static int cmd_preserve(int argc, char **argv)
{
	const char *why = NULL, *who = getenv("SUDO_USER");
	int i = 1, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "--reason"))
		why = argv[2], i = 3;
	if (!why || i == argc) {
		ew_err("log preserve: give --reason TEXT and the files");
		return 2;
	}
	for (; i < argc; i++) {
		int err = retention_preserve(argv[i], who ? who : getlogin() ?: "root", why);

		if (err) {
			ew_err("log preserve: couldn't mark '%s': %s", argv[i], strerror(-err));
			rc = 1;
		}
	}
	return rc;
}

int cmd_log(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		log_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "query"))
		return cmd_query(argc - 1, argv + 1);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "preserve"))
		return cmd_preserve(argc - 1, argv + 1);
	ew_err("log: unknown subcommand '%s' (expected verify, query, send or preserve)", argv[1]);
	return 2;
}
