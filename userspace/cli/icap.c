// SPDX-License-Identifier: GPL-2.0
/* edgeward icap: the ICAP service (RFC 3507) for proxies that decrypt
 * HTTPS (Squid with ssl-bump, e2guardian). Parses options, loads the
 * lists, builds the engine in live mode (records written by its merger
 * thread), wires one engine inspector to each ICAP server thread and
 * serves until SIGINT or SIGTERM; SIGUSR1 prints the counters. docs/icap.md.
 *
 * Exit status: 0 stopped by a signal, 2 error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/listopts.h"
#include "engine/engine.h"
#include "agent/decide.h"
#include "agent/icapsvc.h"
#include "agent/settings.h"
#include "agent/stamp.h"
#include "icap/icap.h"
#include "log/log.h"

struct icap_opts {
	const char *listen;
	const char *policy;	/* --policy FILE; NULL: a list hit blocks */
	const char *log;
	unsigned workers;
	unsigned log_mask;
	struct icap_conf conf;
	struct listopts lists;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward icap [--listen ADDR:PORT] [--log FILE] [--workers N]\n"
		"                     [--hashlist ...]... [--pdqlist ...]... [--hashxml PATH]...\n"
		"                     [limits and modes below]\n"
		"ICAP service for proxies that decrypt HTTPS: icap://HOST:PORT/respmod (response\n"
		"bodies) and icap://HOST:PORT/reqmod (uploads). Media bodies are hashed and\n"
		"matched like edgeward pcap's objects; a match is answered with an HTTP 451\n"
		"notice and logged. Events go to the log as JSON Lines (docs/log-schema.md).\n"
		"  --listen ADDR:PORT  where to listen (default 127.0.0.1:1344; [v6]:port)\n"
		"  --log FILE          append events to FILE, created 0600 (default: stdout)\n"
		"  --workers N         server threads, each with its own inspector (default 2)\n"
		"  --hash LIST         hashes written to the log (default md5,sha1,sha256)\n"
		"  --policy FILE       decide with this policy's rules at the object point\n"
		"                      (docs/policy.md); the lists given here stay the floor\n"
		LISTOPTS_USAGE
		"  --inspect-types LIST  sniffed types inspected whole (default\n"
		"                  " ICAP_DEF_TYPES ")\n"
		"  --no-multipart  don't inspect REQMOD multipart uploads whole by default\n"
		"  --preview N     Preview bytes asked for in OPTIONS (default 1024)\n"
		"  --max-connections N  served connections; more get the fail mode (256)\n"
		"  --hold-max BYTES     bytes held per message to echo it (16 MiB)\n"
		"  --hold-total BYTES   bytes held by all messages (256 MiB)\n"
		"  --idle-timeout S, --read-timeout S  close idle connections (60) and\n"
		"                  drop stalled messages (30)\n"
		"  --fail-closed   over a limit, block (default: --fail-open, pass)\n");
}

/* A whole decimal number in [lo, hi]. */
static int number(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
		  unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *v < lo || *v > hi) {
		ew_err("icap: bad %s '%s' (expected %llu..%llu)", opt, s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int types_option(struct icap_conf *c, const char *arg)
{
	char bad[64];

	if (strlen(arg) >= sizeof(c->types) || icap_types_check(arg, bad, sizeof(bad))) {
		ew_err("icap: bad --inspect-types '%s': unknown type '%s' (expected names such "
		       "as jpeg, png, mp4, zip)", arg, strlen(arg) >= sizeof(c->types) ? "" : bad);
		return -EINVAL;
	}
	strcpy(c->types, arg);
	return 0;
}

static int limit_option(struct icap_opts *o, int c, const char *arg)
{
	struct icap_conf *cf = &o->conf;
	unsigned long long v;

	switch (c) {
	case 'P':
		return number("--preview", arg, 0, 1 << 20, &v) ?: (cf->preview = (unsigned)v, 0);
	case 'M':
		return number("--max-connections", arg, 1, 65536, &v) ?:
		       (cf->max_conns = (unsigned)v, 0);
	case 'X':
		return number("--hold-max", arg, 1, 1ull << 40, &v) ?: (cf->hold_max = v, 0);
	case 'T':
		return number("--hold-total", arg, 1, 1ull << 40, &v) ?: (cf->hold_total = v, 0);
	case 'I':
		return number("--idle-timeout", arg, 1, 86400, &v) ?:
		       (cf->idle_ms = (unsigned)v * 1000, 0);
	case 'R':
		return number("--read-timeout", arg, 1, 86400, &v) ?:
		       (cf->read_ms = (unsigned)v * 1000, 0);
	case 'w':
		return number("--workers", arg, 1, 64, &v) ?: (o->workers = (unsigned)v, 0);
	}
	return 1;
}

static int parse_opt(struct icap_opts *o, int c)
{
	int err;

	switch (c) {
	case 'l':
		o->listen = optarg;
		return 0;
	case 'L':
		o->log = optarg;
		return 0;
	case 'p':
		o->policy = optarg;
		return 0;
	case 'H':
		if (!hash_parse_mask(optarg, &o->log_mask))
			return 0;
		ew_err("icap: bad --hash '%s' (expected a comma-separated list of md5, sha1, "
		       "sha256)", optarg);
		return -EINVAL;
	case 'y':
		return types_option(&o->conf, optarg);
	case 'm':
		o->conf.multipart = false;
		return 0;
	case 'C':
		o->conf.fail_closed = true;
		return 0;
	case 'O':
		o->conf.fail_closed = false;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	}
	if ((err = limit_option(o, c, optarg)) <= 0)
		return err;
	err = listopts_option(&o->lists, "icap", c, optarg);
	if (err > 0)
		usage(stderr);
	return err ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct icap_opts *o)
{
	static const struct option lopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"log", required_argument, NULL, 'L'},
		{"policy", required_argument, NULL, 'p'},
		{"workers", required_argument, NULL, 'w'},
		{"hash", required_argument, NULL, 'H'},
		{"inspect-types", required_argument, NULL, 'y'},
		{"no-multipart", no_argument, NULL, 'm'},
		{"preview", required_argument, NULL, 'P'},
		{"max-connections", required_argument, NULL, 'M'},
		{"hold-max", required_argument, NULL, 'X'},
		{"hold-total", required_argument, NULL, 'T'},
		{"idle-timeout", required_argument, NULL, 'I'},
		{"read-timeout", required_argument, NULL, 'R'},
		{"fail-closed", no_argument, NULL, 'C'},
		{"fail-open", no_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		LISTOPTS_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, err;

	o->listen = "127.0.0.1:1344";
	o->workers = 2;
	o->log_mask = HASH_ALL;
	icap_conf_default(&o->conf);
	listopts_init(&o->lists);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1)
		if ((err = parse_opt(o, c)))
			return err;
	if (optind < argc) {
		ew_err("icap: unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* The event log: appended to, created 0600, never through a symlink. */
static FILE *open_log(const char *path)
{
	int fd;
	FILE *f;

	if (!path || !strcmp(path, "-"))
		f = stdout;
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
			    0600)) < 0 ||
		 !(f = fdopen(fd, "a"))) {
		ew_err("icap: couldn't open '%s' for appending: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0); /* a service: every event at once */
	return f;
}

/* The counters as (name, value) pairs, for the log line and SIGUSR1. */
#define ICAP_COUNTERS(X)                                                                 \
	X(connections) X(conns_over_limit) X(requests) X(options) X(reqmod) X(respmod)  \
	X(bad_requests) X(not_found) X(preview_pass) X(passed) X(inspected) X(objects)  \
	X(blocked) X(allowed) X(continues) X(fail_open) X(fail_closed) X(timeouts)      \
	X(idle_closed) X(held_peak)

static int put_stats(struct ej_writer *w, const struct icap_opts *o, const struct icap_stats *st)
{
	ej_begin(w);
	ej_str(w, "event", "icap_stats");
	ej_str(w, "istag", o->conf.istag);
#define PUT(f) ej_u64(w, #f, st->f);
	ICAP_COUNTERS(PUT)
#undef PUT
	ej_arr(w, "lists");
	listset_put(w, &o->lists.ls);
	ej_arr_end(w);
	return ej_end(w);
}

static void say_counters(const struct icap_stats *st)
{
	char line[1024];
	size_t n = 0;

#define SAY(f)                                                                              \
	if (n < sizeof(line))                                                               \
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu", #f,            \
				      (unsigned long long)st->f);
	ICAP_COUNTERS(SAY)
#undef SAY
	ew_info("icap:%s", line);
}

/* Waits for SIGINT or SIGTERM (blocked in every thread, taken here);
 * SIGUSR1 prints the counters. */
static void serve(struct icap_server *srv, const sigset_t *set)
{
	struct icap_stats st;
	int sig;

	for (;;) {
		if (sigwait(set, &sig))
			return;
		if (sig != SIGUSR1)
			return;
		icap_server_stats(srv, &st);
		say_counters(&st);
	}
}

/* The log file as the sink behind the stamp. */
static int file_line(void *ctx, const char *line, size_t len)
{
	return fwrite(line, 1, len, ctx) == len ? 0 : -EIO;
}

static int file_flush(void *ctx)
{
	return fflush(ctx) ? -errno : 0;
}

static int run(struct icap_opts *o, struct apolicy *pol, FILE *out)
{
	const struct ej_sink file = {.line = file_line, .flush = file_flush, .ctx = out};
	struct stamp stamp;
	struct rcu r;
	struct decider dc = {.pol = &r};
	struct icapsvc *svc = NULL;
	struct icap_server *srv;
	struct icap_stats st;
	struct engine_conf c;
	struct ej_writer w;
	struct engine *e;
	sigset_t set, old;
	int rc = 2, err;

	/* with a policy every line names its version, as the agent's do */
	stamp_init(&stamp, &file);
	stamp_set(&stamp, pol->version);
	if (pol->p)
		ej_init_sink(&w, &stamp.sink);
	else
		ej_init(&w, out);
	engine_conf_default(&c);
	c.workers = 1; /* frames: none; the ICAP threads inspect */
	c.log_mask = o->log_mask;
	c.hashdb = o->lists.ls.db;
	c.img = o->lists.ic;
	c.out = &w;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old); /* before any thread starts */
	e = engine_new(&c);
	if (!e || (err = engine_start(e))) {
		ew_err("icap: couldn't set up the pipeline: %s", strerror(e ? -err : errno));
		goto out;
	}
	rcu_init(&r, pol);
	dc.e = e;
	o->conf.judge = decide_icap; /* the policy, or every hit blocks without one */
	o->conf.judge_ctx = &dc;
	svc = icapsvc_start(e, &o->conf, o->listen, o->workers);
	if (!svc)
		goto out;
	srv = icapsvc_server(svc);
	serve(srv, &set);
	icapsvc_stop(svc, &st);
	svc = NULL;
	engine_stop(e);
	say_counters(&st);
	rc = put_stats(&w, o, &st) ? 2 : 0;
out:
	icapsvc_stop(svc, NULL);
	engine_free(e);
	ej_free(&w);
	stamp_free(&stamp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int cmd_icap(int argc, char **argv)
{
	struct icap_opts o = {0};
	struct apolicy *pol = NULL;
	struct dpi *names = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	FILE *out = NULL;
	int err, rc = 2;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (icapsvc_parse_listen(o.listen, &ss, &sl)) {
		ew_err("icap: bad --listen '%s' (expected ADDR:PORT or [V6ADDR]:PORT)", o.listen);
		goto out;
	}
	if (listopts_load(&o.lists, "icap") ||
	    agent_policy_load(o.policy, &o.lists.ls, &names, &pol, stderr))
		goto out;
	icapsvc_istag(&o.conf, &o.lists.ls, o.lists.ic.min_quality, pol->version);
	out = open_log(o.log);
	if (!out)
		goto out;
	rc = run(&o, pol, out);
	if ((out == stdout ? fflush(out) : fclose(out)) != 0) {
		ew_err("icap: couldn't write the events: %s", strerror(errno));
		rc = 2;
	}
out:
	apolicy_free(pol);
	dpi_free(names);
	listopts_free(&o.lists);
	return rc;
}
