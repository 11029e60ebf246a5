// SPDX-License-Identifier: GPL-2.0
/* outputs: the agent's event log, privacy filter, syslog forwarder and
 * log retention, from its settings (outputs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"
#include "log/logmac.h"
#include "log/retention.h"
#include "outputs.h"

#define SEC		 1000000000ull
#define RETENTION_EVERY (3600 * SEC)

static int read_key(const char *path, uint8_t *key, size_t cap, const char *what)
{
	char msg[512];
	int n = logmac_read_key(path, key, cap, msg, sizeof(msg));

	if (n < 0)
		ew_err("run: %s: %s", what, msg);
	return n;
}

static int open_privacy(struct agent_outputs *o, const struct runconf *c)
{
	const struct runconf_privacy *p = &c->privacy;
	struct privacy_prefix nh[RUNCONF_PREFIX_MAX];
	uint8_t key[LOGMAC_KEY_MAX + 1];
	int n;

	if (!p->pseudonym_key)
		return 0;
	n = read_key(p->pseudonym_key, key, sizeof(key), "privacy pseudonym_key");
	if (n < 0)
		return n;
	for (int i = 0; i < p->n_no_history; i++) {
		memcpy(nh[i].addr, p->no_history[i].addr, 16);
		nh[i].bits = p->no_history[i].bits;
	}
	o->priv = privacy_new(key, (size_t)n, nh, (size_t)p->n_no_history);
	explicit_bzero(key, sizeof(key));
	return o->priv ? 0 : -errno;
}

static int open_syslog(struct agent_outputs *o, const struct runconf *c, const char *host)
{
	struct syslogfwd_conf sc;
	char msg[512];

	if (!c->logo.syslog)
		return 0;
	syslogfwd_conf_default(&sc);
	sc.address = c->logo.syslog;
	sc.facility = c->logo.syslog_facility;
	sc.hostname = host;
	sc.queue_max = c->logo.syslog_queue;
	o->fwd = syslogfwd_new(&sc, msg, sizeof(msg));
	if (!o->fwd)
		ew_err("run: %s", msg);
	return o->fwd ? 0 : -errno;
}

static int open_evidence(struct agent_outputs *o, const struct runconf *c)
{
	const struct runconf_evidence *rc = &c->evidence;
	struct evidence_conf ec = {.dir = rc->dir, .max_object = rc->max_object};
	char msg[512];

	if (!rc->public_key)
		return 0;
	if (evidence_read_key(rc->public_key, ec.pk, 0, msg, sizeof(msg))) {
		ew_err("run: evidence: %s", msg);
		return -EINVAL;
	}
	o->ev = evidence_new(&ec, msg, sizeof(msg));
	if (!o->ev)
		ew_err("run: %s", msg);
	o->ev_dir = rc->dir;
	o->ev_retention_ns = rc->retention_ns;
	return o->ev ? 0 : -errno;
}

static void log_conf(struct eventlog_conf *lc, const struct runconf *c)
{
	eventlog_conf_default(lc);
	lc->path = c->log;
	lc->rotate_bytes = c->logo.rotate_size;
	lc->rotate_ns = c->logo.rotate_ns;
	lc->flush_ns = c->logo.flush_ns;
	lc->checkpoint_ns = c->logo.checkpoint_ns;
	lc->fsync = (enum eventlog_fsync)c->logo.fsync;
	lc->queue_max = c->logo.queue_max;
}

int agent_outputs_open(struct agent_outputs *o, const struct runconf *c)
{
	uint8_t key[LOGMAC_KEY_MAX + 1];
	char host[256] = "", msg[512];
	struct eventlog_conf lc;
	int n = 0, err;

	memset(o, 0, sizeof(*o));
	gethostname(host, sizeof(host) - 1);
	o->log_path = c->log && strcmp(c->log, "-") ? c->log : NULL;
	o->retention_ns = c->logo.retention_ns;
	if (c->logo.key && (n = read_key(c->logo.key, key, sizeof(key), "log key")) < 0)
		return n;
	err = open_privacy(o, c);
	if (!err)
		err = open_syslog(o, c, host);
	if (!err)
		err = open_evidence(o, c);
	if (err)
		goto out;
	log_conf(&lc, c);
	lc.key = c->logo.key ? key : NULL;
	lc.key_len = (size_t)n;
	lc.sensor = host;
	lc.tee = o->fwd ? syslogfwd_sink(o->fwd) : NULL;
	lc.filter = o->priv ? privacy_filter(o->priv) : NULL;
	o->log = eventlog_open(&lc, msg, sizeof(msg));
	if (!o->log) {
		err = -errno;
		ew_err("run: %s", msg);
		goto out;
	}
	stamp_init(&o->stamp, eventlog_sink(o->log));
	ej_init_sink(&o->w, &o->stamp.sink);
out:
	explicit_bzero(key, sizeof(key));
	return err;
}

int agent_outputs_start(struct agent_outputs *o)
{
	int err = o->fwd ? syslogfwd_start(o->fwd) : 0;

	if (!err && o->ev)
		err = evidence_start(o->ev);
	if (err)
		ew_err("run: couldn't start the event forwarding threads: %s", strerror(-err));
	return err;
}

const struct objsink_evidence *agent_outputs_evidence(struct agent_outputs *o)
{
	return o->ev ? evidence_hook(o->ev) : NULL;
}

struct ej_writer *agent_outputs_writer(struct agent_outputs *o)
{
	return &o->w;
}

void agent_outputs_tick(struct agent_outputs *o, uint64_t mono_ns)
{
	struct retention_stats rs;

	if (o->log)
		eventlog_tick(o->log);
	if (mono_ns < o->next_retention)
		return;
	o->next_retention = mono_ns + RETENTION_EVERY;
	if (o->ev && o->ev_retention_ns &&
	    !retention_apply_dir(o->ev_dir, ".sealed", o->ev_retention_ns, 0, &rs) && rs.deleted)
		ew_info("retention: deleted %u sealed objects (%u preserved)", rs.deleted,
			rs.preserved);
	if (o->retention_ns && o->log_path && !retention_apply(o->log_path, o->retention_ns, 0, &rs) &&
	    rs.deleted)
		ew_info("retention: deleted %u log files older than %llu days (%u kept: "
			"preserved cases)", rs.deleted,
			(unsigned long long)(o->retention_ns / (86400 * SEC)), rs.preserved);
}

void agent_outputs_reopen(struct agent_outputs *o)
{
	int err = o->log ? eventlog_reopen(o->log) : 0;

	if (err && err != -ENOTSUP)
		ew_warn("couldn't reopen the event log: %s", strerror(-err));
}

int agent_outputs_close(struct agent_outputs *o)
{
	char msg[512];
	int rc = 0;

	if (o->log && eventlog_close(o->log, msg, sizeof(msg))) {
		ew_err("%s", msg);
		rc = -EIO;
	}
	o->log = NULL;
	if (o->fwd && syslogfwd_close(o->fwd, NULL, msg, sizeof(msg))) {
		ew_err("%s", msg);
		rc = -EIO;
	}
	o->fwd = NULL;
	evidence_free(o->ev, NULL); /* after the engine: its workers seal into it */
	o->ev = NULL;
	privacy_free(o->priv);
	o->priv = NULL;
	ej_free(&o->w);
	if (o->stamp.next)
		stamp_free(&o->stamp);
	return rc;
}
