// SPDX-License-Identifier: GPL-2.0
/* runconf_out: the agent's settings for what leaves it (docs/operations.md):
 * the event log (file, key, rotation, syslog forwarding, retention),
 * privacy (pseudonyms, clients with no history), evidence preservation and
 * the metrics address. Parsing only, as the rest of runconf. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runconf.h"

#define SEC 1000000000ull

void runconf_out_default(struct runconf *c)
{
	c->logo = (struct runconf_log){
		.flush_ns = SEC,
		.checkpoint_ns = 3600 * SEC,
		.fsync = 1, /* EVENTLOG_FSYNC_ROTATE */
		.queue_max = 16u << 20,
		.syslog_facility = 16, /* local0 */
		.syslog_queue = 16u << 20,
	};
	c->evidence.max_object = 16u << 20;
}

static const char *const facilities[] = {
	"kern",	  "user",   "mail",   "daemon", "auth",	  "syslog", "lpr",    "news",
	"uucp",	  "cron",   "authpriv", "ftp",	"ntp",	  "audit",  "alert",  "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL};

static int syslog_section(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"address", "facility", "queue_max", NULL};
	const struct ynode *v;
	int err = ymap_check(&c->doc, n, "log syslog", keys, d), f;

	if (err)
		return err;
	if ((v = ymap_get(n, "address")))
		err |= yget_str(&c->doc, v, d, &c->logo.syslog);
	if ((v = ymap_get(n, "facility")) && !(err |= yget_enum(&c->doc, v, facilities, d, &f)))
		c->logo.syslog_facility = f;
	if ((v = ymap_get(n, "queue_max")))
		err |= yget_size(&c->doc, v, 4096, 1ull << 32, d, &c->logo.syslog_queue);
	if (!err && c->logo.syslog && !strrchr(c->logo.syslog, ':')) {
		ydoc_error(&c->doc, ymap_get(n, "address"), d,
			   "expected host:port such as 127.0.0.1:514, found '%s'", c->logo.syslog);
		err = -EINVAL;
	}
	return err ? -EINVAL : 0;
}

/* The durations and sizes of `log:`. */
static int log_values(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const fsyncs[] = {"none", "rotate", "flush", NULL};
	struct runconf_log *l = &c->logo;
	const struct ynode *v;
	int err = 0;

	if ((v = ymap_get(n, "rotate_size")))
		err |= yget_size(&c->doc, v, 4096, 1ull << 40, d, &l->rotate_size);
	if ((v = ymap_get(n, "rotate_every")))
		err |= yget_duration(&c->doc, v, SEC, 366 * 86400 * SEC, d, &l->rotate_ns);
	if ((v = ymap_get(n, "flush_every")))
		err |= yget_duration(&c->doc, v, 0, 3600 * SEC, d, &l->flush_ns);
	if ((v = ymap_get(n, "checkpoint_every")))
		err |= yget_duration(&c->doc, v, 0, 366 * 86400 * SEC, d, &l->checkpoint_ns);
	if ((v = ymap_get(n, "fsync")))
		err |= yget_enum(&c->doc, v, fsyncs, d, &l->fsync);
	if ((v = ymap_get(n, "queue_max")))
		err |= yget_size(&c->doc, v, 4096, 1ull << 36, d, &l->queue_max);
	if ((v = ymap_get(n, "retention")))
		err |= yget_duration(&c->doc, v, 3600 * SEC, 36600ull * 86400 * SEC, d,
				     &l->retention_ns);
	return err ? -EINVAL : 0;
}

int runconf_log_section(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"path",	   "key",   "rotate_size", "rotate_every",
					   "flush_every", "fsync", "checkpoint_every",
					   "queue_max",	  "retention", "syslog", NULL};
	const struct ynode *v;
	int err = ymap_check(&c->doc, n, "log", keys, d);

	if (err)
		return err;
	if ((v = ymap_get(n, "path")))
		err |= yget_str(&c->doc, v, d, &c->log);
	if ((v = ymap_get(n, "key")))
		err |= yget_str(&c->doc, v, d, &c->logo.key);
	err |= log_values(c, n, d);
	if ((v = ymap_get(n, "syslog")))
		err |= syslog_section(c, v, d);
	return err ? -EINVAL : 0;
}

int runconf_parse_prefix(const char *s, struct runconf_prefix *p, char *msg, size_t msglen)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN + 1], *end;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits;
	bool v4;

	memset(p, 0, sizeof(*p));
	if (n >= sizeof(addr))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	v4 = inet_pton(AF_INET, addr, p->addr + 12) == 1;
	if (v4)
		p->addr[10] = p->addr[11] = 0xff;
	else if (inet_pton(AF_INET6, addr, p->addr) != 1)
		goto bad;
	bits = v4 ? 32 : 128;
	if (slash) {
		bits = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || bits > (v4 ? 32u : 128u))
			goto bad;
	}
	p->bits = (unsigned)bits + (v4 ? 96 : 0);
	for (unsigned i = p->bits; i < 128; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(msg, msglen, "host bits set in '%s'", s);
			return -EINVAL;
		}
	return 0;
bad:
	snprintf(msg, msglen, "expected an address or prefix such as 10.1.0.0/16 or "
		 "2001:db8::/32, found '%s'", s);
	return -EINVAL;
}

static int no_history(struct runconf *c, const struct ynode *n, struct diag *d)
{
	struct runconf_privacy *p = &c->privacy;
	char msg[DIAG_MSG_LEN];

	if (n->kind != YN_SEQ) {
		ydoc_error(&c->doc, n, d, "expected a list of client prefixes such as "
					  "[10.1.0.0/16, 2001:db8::/32]");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *k = n->kids[i];

		if (p->n_no_history == RUNCONF_PREFIX_MAX) {
			ydoc_error(&c->doc, k, d, "more than %d no_history prefixes",
				   RUNCONF_PREFIX_MAX);
			return -EINVAL;
		}
		if (k->kind != YN_SCALAR ||
		    runconf_parse_prefix(k->str, &p->no_history[p->n_no_history], msg, sizeof(msg))) {
			ydoc_error(&c->doc, k, d, "%s", k->kind == YN_SCALAR ? msg :
				   "expected a prefix, found a list or mapping");
			return -EINVAL;
		}
		p->n_no_history++;
	}
	return 0;
}

int runconf_privacy_section(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"pseudonym_key", "no_history", NULL};
	const struct ynode *v;
	int err = ymap_check(&c->doc, n, "privacy", keys, d);

	if (err)
		return err;
	if ((v = ymap_get(n, "pseudonym_key")))
		err |= yget_str(&c->doc, v, d, &c->privacy.pseudonym_key);
	if ((v = ymap_get(n, "no_history")))
		err |= no_history(c, v, d);
	return err ? -EINVAL : 0;
}

int runconf_evidence_section(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"public_key", "dir", "max_object", "retention", NULL};
	struct runconf_evidence *e = &c->evidence;
	const struct ynode *v;
	int err = ymap_check(&c->doc, n, "evidence", keys, d);

	if (err)
		return err;
	if ((v = ymap_get(n, "public_key")))
		err |= yget_str(&c->doc, v, d, &e->public_key);
	if ((v = ymap_get(n, "dir")))
		err |= yget_str(&c->doc, v, d, &e->dir);
	if ((v = ymap_get(n, "max_object")))
		err |= yget_size(&c->doc, v, 1, 1u << 30, d, &e->max_object);
	if ((v = ymap_get(n, "retention")))
		err |= yget_duration(&c->doc, v, 3600 * SEC, 36600ull * 86400 * SEC, d,
				     &e->retention_ns);
	return err ? -EINVAL : 0;
}
