// SPDX-License-Identifier: GPL-2.0
/* `edgeward evidence keygen|open`: the responders' key pair, and opening a
 * sealed object (evidence/evidence.h) with an entry in the access log for
 * every opening, successful or not: who, when, why, what. The access log
 * is an event log (log/eventlog.h), signed with --log-key. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evidence/evidence.h"
#include "log/eventlog.h"
#include "log/log.h"
#include "log/logmac.h"

struct open_opts {
	const char *pub, *sec, *reason, *out, *log_key, *access, *file;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: edgeward evidence keygen --public FILE --secret FILE\n"
		   "       edgeward evidence open --public-key FILE --secret-key FILE --reason TEXT\n"
		   "                             --out FILE [--access-log FILE] [--log-key FILE]\n"
		   "                             SEALED\n"
		   "keygen: the responders' X25519 key pair (hex); give the public one to the\n"
		   "  agent (evidence: public_key), keep the secret one off the edge host.\n"
		   "open: writes the object to --out (0600, never over a file) and records the\n"
		   "  opening, who and why, in the access log (default: access.jsonl beside\n"
		   "  SEALED), signed with --log-key when given.\n");
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Who opens: the user sudo came from, else the login name, else the uid. */
static void who(char *out, size_t len)
{
	const char *s = getenv("SUDO_USER");

	if (!s)
		s = getlogin();
	if (s)
		snprintf(out, len, "%s", s);
	else
		snprintf(out, len, "uid %u", (unsigned)getuid());
}

/* One line in the access log. Returns 0 or -errno (printed). */
static int record(const struct open_opts *o, const char *outcome, const uint8_t *body,
		  size_t len)
{
	uint8_t key[LOGMAC_KEY_MAX + 1], h[LOGMAC_LEN];
	char msg[512], user[128], host[256] = "", path[4200], *dup = strdup(o->file);
	struct eventlog_conf c;
	struct eventlog *l;
	struct ej_writer w;
	int n = 0, err;

	if (o->log_key && (n = logmac_read_key(o->log_key, key, sizeof(key), msg, sizeof(msg))) < 0) {
		ew_err("evidence: %s", msg);
		free(dup);
		return n;
	}
	snprintf(path, sizeof(path), "%s/access.jsonl", dup ? dirname(dup) : ".");
	free(dup);
	gethostname(host, sizeof(host) - 1);
	eventlog_conf_default(&c);
	c.path = o->access ? o->access : path;
	c.key = o->log_key ? key : NULL;
	c.key_len = (size_t)n;
	c.sensor = host;
	c.flush_ns = 0;
	c.fsync = EVENTLOG_FSYNC_FLUSH;
	c.checkpoint_ns = 0;
	if (!(l = eventlog_open(&c, msg, sizeof(msg)))) {
		ew_err("evidence: %s", msg);
		return -EIO;
	}
	who(user, sizeof(user));
	ej_init_sink(&w, eventlog_sink(l));
	ej_begin(&w);
	ej_str(&w, "event", "evidence_access");
	ej_time(&w, "ts", now_ns());
	ej_str(&w, "sensor", host);
	ej_str(&w, "file", o->file);
	ej_str(&w, "by", user);
	ej_u64(&w, "uid", getuid());
	ej_str(&w, "reason", o->reason);
	ej_str(&w, "outcome", outcome);
	if (body) {
		logmac_sha256(body, len, h);
		ej_hex(&w, "sha256", h, sizeof(h));
		ej_u64(&w, "size", len);
	}
	ej_str(&w, "out", body ? o->out : NULL);
	err = ej_end(&w);
	ej_free(&w);
	if (eventlog_close(l, msg, sizeof(msg)) || err) {
		ew_err("evidence: couldn't write the access log '%s'", c.path);
		return -EIO;
	}
	return 0;
}

static int write_out(const char *path, const uint8_t *b, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, b, len) != (ssize_t)len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int do_open(const struct open_opts *o)
{
	uint8_t pk[EVIDENCE_KEY_LEN], sk[EVIDENCE_KEY_LEN], *body = NULL;
	char msg[512], outcome[256];
	size_t len = 0;
	int err;

	if ((err = evidence_read_key(o->pub, pk, 0, msg, sizeof(msg))) ||
	    (err = evidence_read_key(o->sec, sk, 1, msg, sizeof(msg)))) {
		ew_err("evidence: %s", msg);
		record(o, msg, NULL, 0);
		return 2;
	}
	err = evidence_open(o->file, pk, sk, &body, &len);
	explicit_bzero(sk, sizeof(sk));
	if (!err && (err = write_out(o->out, body, len)))
		snprintf(outcome, sizeof(outcome), "not written to '%s': %s", o->out, strerror(-err));
	else if (err)
		snprintf(outcome, sizeof(outcome), "not opened: %s", err == -EBADMSG ?
			 "not sealed to this key pair, or altered" : strerror(-err));
	else
		snprintf(outcome, sizeof(outcome), "opened");
	if (record(o, outcome, err ? NULL : body, len) && !err)
		err = -EIO; /* an opening nobody can account for is a failure */
	if (err)
		ew_err("evidence: '%s': %s", o->file, outcome);
	if (body)
		explicit_bzero(body, len);
	free(body);
	return err ? 1 : 0;
}

static int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{"public-key", required_argument, NULL, 'p'}, {"secret-key", required_argument, NULL, 's'},
		{"reason", required_argument, NULL, 'r'},     {"out", required_argument, NULL, 'o'},
		{"log-key", required_argument, NULL, 'k'},    {"access-log", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0}};
	struct open_opts o = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char **dst = c == 'p' ? &o.pub : c == 's' ? &o.sec : c == 'r' ? &o.reason
				 : c == 'o' ? &o.out : c == 'k' ? &o.log_key : c == 'a' ? &o.access : NULL;

		if (!dst)
			return usage(stderr), 2;
		*dst = optarg;
	}
	if (!o.pub || !o.sec || !o.reason || !o.out || optind + 1 != argc) {
		ew_err("evidence open: give --public-key, --secret-key, --reason, --out and one "
		       "sealed file");
		return 2;
	}
	o.file = argv[optind];
	return do_open(&o);
}

int cmd_evidence(int argc, char **argv)
{
	char msg[512];

	if (argc == 6 && !strcmp(argv[1], "keygen") && !strcmp(argv[2], "--public") &&
	    !strcmp(argv[4], "--secret")) {
		if (!evidence_keygen(argv[3], argv[5], msg, sizeof(msg)))
			return 0;
		ew_err("evidence keygen: %s", msg);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "open"))
		return cmd_open(argc - 1, argv + 1);
	usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
	return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
}
