// SPDX-License-Identifier: GPL-2.0
/* runconf: the agent's YAML config file -> struct runconf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/hash.h"
#include "runconf.h"

#define SEC 1000000000ull

const char *runconf_control_default(void)
{
	const char *path = getenv("EDGEWARD_CONTROL");

	return path && *path ? path : RUNCONF_CONTROL;
}

void runconf_default(struct runconf *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = RUN_INLINE;
	c->control = runconf_control_default();
	c->stale_after_ns = 5 * SEC;
	c->log_mask = HASH_ALL;
	c->min_quality = 50;
	c->pdq_buffer_max = 32u << 20;
	c->pdq_buffer_total = 256u << 20;
	c->inl = (struct runconf_inline){
		.ports = "tcp/80",
		.hold_max = 8u << 20,
		.hold_total = 256u << 20,
		.max_conns = 4096,
		.idle_ns = 60 * SEC,
		.learn_ns = 600 * SEC,
		.blocked = RUN_BLOCKED_NOTICE,
		.dns_tcp = true,
		.mark = 0xe57,	  /* kernel/steer_route.h: STEER_MARK_DEFAULT */
		.table = 17751,	  /* STEER_TABLE_DEFAULT */
	};
	c->tap = (struct runconf_tap){.ports = "tcp/80", .mirror_cap = 1600};
	c->icap.threads = 2;
	c->notices = (struct runconf_notices){.lang = "en", .status = 451, .ack_ns = 3600 * SEC,
					      .ack_max = 65536};
	runconf_out_default(c);
}

void runconf_free(struct runconf *c)
{
	listset_free(&c->lists);
	ydoc_free(&c->doc);
	/* strings joined for lists of ports (ports_join) live in the doc's
	 * nodes, freed with it */
}

/* "tcp/80,tcp/8080" from a YAML list (of ports, or names) or one value,
 * kept in the list node's string so it lives as long as the document. */
static int ports_join(struct runconf *c, struct ynode *n, struct diag *d, const char **out)
{
	size_t len = 0;
	char *s;

	if (n->kind == YN_SCALAR)
		return yget_str(&c->doc, n, d, out);
	if (n->kind != YN_SEQ || !n->n) {
		ydoc_error(&c->doc, n, d, "expected a list such as [tcp/80, tcp/8080]");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->kids[i]->kind != YN_SCALAR) {
			ydoc_error(&c->doc, n->kids[i], d, "expected a value, not a list or mapping");
			return -EINVAL;
		}
		len += n->kids[i]->len + 1;
	}
	s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n->n; i++)
		strcat(strcat(s, i ? "," : ""), n->kids[i]->str);
	free(n->str);
	n->str = s; /* the list node owns the joined text now */
	*out = s;
	return 0;
}

static int interfaces(struct runconf *c, const struct ynode *n, struct diag *d)
{
	if (n->kind == YN_SCALAR) { /* one interface: a list of one */
		c->ifaces[c->n_if++] = n->str;
		return 0;
	}
	if (n->kind != YN_SEQ) {
		ydoc_error(&c->doc, n, d, "expected a list of interface names such as [eth0, eth1]");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (c->n_if == RUNCONF_IFACE_MAX) {
			ydoc_error(&c->doc, n->kids[i], d, "more than %d interfaces",
				   RUNCONF_IFACE_MAX);
			return -EINVAL;
		}
		if (yget_str(&c->doc, n->kids[i], d, &c->ifaces[c->n_if]))
			return -EINVAL;
		c->n_if++;
	}
	return 0;
}

static int hashes(struct runconf *c, const struct ynode *n, struct diag *d)
{
	unsigned mask = 0, one;

	if (n->kind != YN_SEQ) {
		ydoc_error(&c->doc, n, d, "expected a list of hashes such as [md5, sha1, sha256]");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *k = n->kids[i];

		if (k->kind != YN_SCALAR || hash_parse_mask(k->str, &one)) {
			ydoc_error(&c->doc, k, d, "expected md5, sha1 or sha256, found '%s'",
				   k->kind == YN_SCALAR ? k->str : "a list or mapping");
			return -EINVAL;
		}
		mask |= one;
	}
	c->log_mask = mask;
	return 0;
}

/* ---- lists ------------------------------------------------------------------------ */

static const char *const list_keys[] = {"name",	  "type",   "path",	"category",
					"format", "column", "threshold", "skip_bad", NULL};
static const char *const list_types[] = {"md5", "sha1", "sha256", "pdq", "hashxml", NULL};
static const char *const list_formats[] = {"auto", "text", "csv", NULL};

/* The optional settings of one list entry. */
static int list_opts(struct runconf *c, const struct ynode *n, struct listset_list *l,
		     struct diag *d)
{
	const struct ynode *v;
	uint64_t th;
	int f, err = 0;

	if ((v = ymap_get(n, "category")))
		err |= yget_str(&c->doc, v, d, (const char **)&l->category);
	if ((v = ymap_get(n, "column")))
		err |= yget_str(&c->doc, v, d, &l->lo.column);
	if ((v = ymap_get(n, "skip_bad")))
		err |= yget_bool(&c->doc, v, d, &l->lo.skip_bad_lines);
	if ((v = ymap_get(n, "format")) && !yget_enum(&c->doc, v, list_formats, d, &f))
		l->lo.format = f == 0 ? LISTFILE_AUTO : f == 1 ? LISTFILE_TEXT : LISTFILE_CSV;
	else if (v)
		err = -EINVAL;
	if ((v = ymap_get(n, "threshold")) && !yget_u64(&c->doc, v, 0, 255, d, &th))
		l->threshold = (unsigned)th;
	else if (v)
		err = -EINVAL;
	return err ? -EINVAL : 0;
}

static int one_list(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const enum list_kind kinds[] = {LIST_MD5, LIST_SHA1, LIST_SHA256, LIST_PDQ};
	struct listset_list l = {.category = "", .threshold = PDQ_DEFAULT_THRESHOLD};
	const struct ynode *v;
	char msg[256];
	int type;

	if (ymap_check(&c->doc, n, "a list entry", list_keys, d))
		return -EINVAL;
	v = ymap_get(n, "type");
	if (!v || yget_enum(&c->doc, v, list_types, d, &type)) {
		if (!v)
			ydoc_error(&c->doc, n, d, "list entry without a type (md5, sha1, sha256, "
						  "pdq or hashxml)");
		return -EINVAL;
	}
	if (!(v = ymap_get(n, "path")) || yget_str(&c->doc, v, d, (const char **)&l.path)) {
		if (!v)
			ydoc_error(&c->doc, n, d, "list entry without a path");
		return -EINVAL;
	}
	if (type != 4 && (!(v = ymap_get(n, "name")) || yget_str(&c->doc, v, d,
								 (const char **)&l.name))) {
		if (!v)
			ydoc_error(&c->doc, n, d, "list entry without a name");
		return -EINVAL;
	}
	if (type != 4)
		l.lo.kind = kinds[type];
	if (list_opts(c, n, &l, d))
		return -EINVAL;
	if (listset_add_list(&c->lists, type == 4 ? LISTSET_XML : type == 3 ? LISTSET_PDQ
									       : LISTSET_HASH,
			     &l, msg, sizeof(msg))) {
		ydoc_error(&c->doc, n, d, "%s", msg);
		return -EINVAL;
	}
	return 0;
}

static int lists(struct runconf *c, const struct ynode *n, struct diag *d)
{
	int err = 0;

	if (n->kind != YN_SEQ) {
		ydoc_error(&c->doc, n, d, "expected a list of list entries (- name: ..., type: "
					  "..., path: ...)");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++)
		err |= one_list(c, n->kids[i], d);
	return err ? -EINVAL : 0;
}

/* ---- sections ----------------------------------------------------------------------- */

static int pdq(struct runconf *c, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"min_quality", "all_images", "buffer_max",
					   "buffer_total", NULL};
	const struct ynode *v;
	uint64_t q;
	int err = ymap_check(&c->doc, n, "pdq", keys, d);

	if (err)
		return err;
	if ((v = ymap_get(n, "min_quality")) && !(err |= yget_u64(&c->doc, v, 0, 101, d, &q)))
		c->min_quality = (int)q;
	if ((v = ymap_get(n, "all_images")))
		err |= yget_bool(&c->doc, v, d, &c->pdq_all);
	if ((v = ymap_get(n, "buffer_max")))
		err |= yget_size(&c->doc, v, 1, 64u << 20, d, &c->pdq_buffer_max);
	if ((v = ymap_get(n, "buffer_total")))
		err |= yget_size(&c->doc, v, 1, 1ull << 40, d, &c->pdq_buffer_total);
	return err ? -EINVAL : 0;
}

/* The mark (any 32-bit value but 0) and table (not 0 or 253..255, the
 * kernel's own) of steered packets. */
static int steer_numbers(struct runconf *c, const struct ynode *n, struct diag *d)
{
	const struct ynode *v;
	uint64_t x;
	int err = 0;

	if ((v = ymap_get(n, "steer_mark")) && !(err |= yget_u64(&c->doc, v, 1, 0xffffffffu, d,
								  &x)))
		c->inl.mark = (uint32_t)x;
	if ((v = ymap_get(n, "steer_table")) && !yget_u64(&c->doc, v, 1, 0xffffffffu, d, &x)) {
		if (x >= 253 && x <= 255) {
			ydoc_error(&c->doc, v, d, "table %llu is the kernel's (253-255: default, "
						  "main, local)", (unsigned long long)x);
			err = -EINVAL;
		}
		c->inl.table = (uint32_t)x;
	} else if (v) {
		err = -EINVAL;
	}
	return err ? -EINVAL : 0;
}

static int inline_section(struct runconf *c, struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"ports",     "hold_max",	 "hold_total",
					   "max_connections", "idle_timeout", "learn_for",
					   "block_server",    "blocked",	  "steer_mark",
					   "steer_table",     "dns_tcp",	  NULL};
	static const char *const blocked[] = {"notice", "reset", NULL};
	struct runconf_inline *in = &c->inl;
	struct ynode *v;
	int err = ymap_check(&c->doc, n, "inline", keys, d), b;

	if (err)
		return err;
	if ((v = (struct ynode *)ymap_get(n, "ports")))
		err |= ports_join(c, v, d, &in->ports);
	if ((v = (struct ynode *)ymap_get(n, "hold_max")))
		err |= yget_size(&c->doc, v, 1, 1ull << 32, d, &in->hold_max);
	if ((v = (struct ynode *)ymap_get(n, "hold_total")))
		err |= yget_size(&c->doc, v, 1, 1ull << 40, d, &in->hold_total);
	if ((v = (struct ynode *)ymap_get(n, "max_connections")))
		err |= yget_u64(&c->doc, v, 1, 1000000, d, &in->max_conns);
	if ((v = (struct ynode *)ymap_get(n, "idle_timeout")))
		err |= yget_duration(&c->doc, v, SEC, 86400 * SEC, d, &in->idle_ns);
	if ((v = (struct ynode *)ymap_get(n, "learn_for")))
		err |= yget_duration(&c->doc, v, 0, 365 * 86400 * SEC, d, &in->learn_ns);
	if ((v = (struct ynode *)ymap_get(n, "block_server")))
		err |= yget_bool(&c->doc, v, d, &in->block_server);
	if ((v = (struct ynode *)ymap_get(n, "dns_tcp")))
		err |= yget_bool(&c->doc, v, d, &in->dns_tcp);
	if ((v = (struct ynode *)ymap_get(n, "blocked")) && !yget_enum(&c->doc, v, blocked, d, &b))
		in->blocked = (enum runconf_blocked)b;
	else if (v)
		err = -EINVAL;
	return err || steer_numbers(c, n, d) ? -EINVAL : 0;
}

static int tap_section(struct runconf *c, struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"ports", "mirror_cap", "pcap_out", NULL};
	struct ynode *v;
	uint64_t cap;
	int err = ymap_check(&c->doc, n, "tap", keys, d);

	if (err)
		return err;
	if ((v = (struct ynode *)ymap_get(n, "ports")))
		err |= ports_join(c, v, d, &c->tap.ports);
	if ((v = (struct ynode *)ymap_get(n, "mirror_cap")) &&
	    !(err |= yget_u64(&c->doc, v, 64, 1600, d, &cap)))
		c->tap.mirror_cap = (uint32_t)cap;
	if ((v = (struct ynode *)ymap_get(n, "pcap_out")))
		err |= yget_str(&c->doc, v, d, &c->tap.pcap_out);
	return err ? -EINVAL : 0;
}

static int icap_section(struct runconf *c, struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"listen", "threads", "fail_closed", "types", NULL};
	struct ynode *v;
	uint64_t t;
	int err = ymap_check(&c->doc, n, "icap", keys, d);

	if (err)
		return err;
	if ((v = (struct ynode *)ymap_get(n, "listen")))
		err |= yget_str(&c->doc, v, d, &c->icap.listen);
	if ((v = (struct ynode *)ymap_get(n, "threads")) &&
	    !(err |= yget_u64(&c->doc, v, 1, 64, d, &t)))
		c->icap.threads = (unsigned)t;
	if ((v = (struct ynode *)ymap_get(n, "fail_closed")))
		err |= yget_bool(&c->doc, v, d, &c->icap.fail_closed);
	if ((v = (struct ynode *)ymap_get(n, "types")))
		err |= ports_join(c, v, d, &c->icap.types); /* a list joined by commas */
	return err ? -EINVAL : 0;
}

/* notices url: an http:// URL without a path, query or quotes (it
 * goes into the disclaimer's form as the prefix of /_ew/ack). */
static int notices_url(const struct ydoc *doc, struct ynode *v, struct diag *d, const char **out)
{
	int err = yget_str(doc, v, d, out);

	if (err)
		return err;
	if (strncmp(*out, "http://", 7) || !(*out)[7] || strpbrk(*out + 7, "/?#\"<>' ")) {
		ydoc_error(doc, v, d, "bad notices url '%s' (expected http://HOST[:PORT], no path)",
			   *out);
		return -EINVAL;
	}
	return 0;
}

static int notices_section(struct runconf *c, struct ynode *n, struct diag *d)
{
	static const char *const keys[] = {"templates", "default_language", "contact", "status",
					   "listen", "url", "ack_for", "ack_max", NULL};
	static const char *const statuses[] = {"451", "403", NULL};
	struct runconf_notices *no = &c->notices;
	struct ynode *v;
	int err = ymap_check(&c->doc, n, "notices", keys, d), st;

	if (err)
		return err;
	if ((v = (struct ynode *)ymap_get(n, "templates")))
		err |= yget_str(&c->doc, v, d, &no->dir);
	if ((v = (struct ynode *)ymap_get(n, "default_language")))
		err |= yget_str(&c->doc, v, d, &no->lang);
	if ((v = (struct ynode *)ymap_get(n, "contact")))
		err |= yget_str(&c->doc, v, d, &no->contact);
	if ((v = (struct ynode *)ymap_get(n, "status")) && !yget_enum(&c->doc, v, statuses, d, &st))
		no->status = st ? 403 : 451;
	else if (v)
		err = -EINVAL;
	if ((v = (struct ynode *)ymap_get(n, "listen")))
		err |= yget_str(&c->doc, v, d, &no->listen);
	if ((v = (struct ynode *)ymap_get(n, "url")))
		err |= notices_url(&c->doc, v, d, &no->url);
	if ((v = (struct ynode *)ymap_get(n, "ack_for")))
		err |= yget_duration(&c->doc, v, SEC, 30 * 86400 * SEC, d, &no->ack_ns);
	if ((v = (struct ynode *)ymap_get(n, "ack_max")))
		err |= yget_u64(&c->doc, v, 1, 1u << 24, d, &no->ack_max);
	return err ? -EINVAL : 0;
}

static const char *const top_keys[] = {
	"interfaces", "mode",	  "xdp_mode", "workers", "memory", "log", "control_socket",
	"heartbeat_stale_after", "hash", "lists",	 "pdq",	   "inline", "tap",
	"icap", "notices", "privacy", "evidence", "metrics", "policy", NULL};

/* The top-level settings that are single values. */
static int top_values(struct runconf *c, const struct ynode *root, struct diag *d)
{
	static const char *const modes[] = {"inline", "tap", NULL};
	static const char *const xdp[] = {"auto", "native", "generic", NULL};
	const struct ynode *v;
	uint64_t w;
	int err = 0, i;

	if ((v = ymap_get(root, "mode")) && !(err |= yget_enum(&c->doc, v, modes, d, &i)))
		c->mode = (enum runconf_mode)i;
	if ((v = ymap_get(root, "xdp_mode")) && !(err |= yget_enum(&c->doc, v, xdp, d, &i)))
		c->xdp_mode = (enum runconf_xdp)i;
	if ((v = ymap_get(root, "workers")) && !(err |= yget_u64(&c->doc, v, 0, 64, d, &w)))
		c->workers = (unsigned)w;
	if ((v = ymap_get(root, "memory")))
		err |= yget_size(&c->doc, v, 16u << 20, 1ull << 40, d, &c->memory);
	if ((v = ymap_get(root, "log")) && v->kind == YN_SCALAR)
		err |= yget_str(&c->doc, v, d, &c->log);
	else if (v)
		err |= runconf_log_section(c, v, d);
	if ((v = ymap_get(root, "metrics")))
		err |= yget_str(&c->doc, v, d, &c->metrics);
	if ((v = ymap_get(root, "policy")))
		err |= yget_str(&c->doc, v, d, &c->policy);
	if ((v = ymap_get(root, "control_socket")))
		err |= yget_str(&c->doc, v, d, &c->control);
	if ((v = ymap_get(root, "heartbeat_stale_after")))
		err |= yget_duration(&c->doc, v, SEC, 3600 * SEC, d, &c->stale_after_ns);
	return err ? -EINVAL : 0;
}

int runconf_load(struct runconf *c, const char *path, struct diag *d)
{
	struct ynode *root, *v;
	int err = ydoc_load(&c->doc, path, d);

	if (err)
		return err;
	root = c->doc.root;
	if (!root)
		return 0; /* an empty file: the defaults */
	if (ymap_check(&c->doc, root, "the agent's config", top_keys, d))
		return -EINVAL;
	err = top_values(c, root, d);
	if ((v = (struct ynode *)ymap_get(root, "interfaces")))
		err |= interfaces(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "hash")))
		err |= hashes(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "lists")))
		err |= lists(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "pdq")))
		err |= pdq(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "inline")))
		err |= inline_section(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "tap")))
		err |= tap_section(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "icap")))
		err |= icap_section(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "notices")))
		err |= notices_section(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "privacy")))
		err |= runconf_privacy_section(c, v, d);
	if ((v = (struct ynode *)ymap_get(root, "evidence")))
		err |= runconf_evidence_section(c, v, d);
	return err ? -EINVAL : 0;
}

int runconf_check(const struct runconf *c, const char *name, struct diag *d)
{
	if (!c->n_if) {
		diag_add(d, name, 0, 0, "no interface: give interfaces in the config or --iface");
		return -EINVAL;
	}
	if (c->privacy.n_no_history && !c->privacy.pseudonym_key) {
		diag_add(d, name, 0, 0, "privacy no_history needs a pseudonym_key (its block "
			 "events carry only the pseudonym)");
		return -EINVAL;
	}
	if (c->evidence.public_key && !c->evidence.dir) {
		diag_add(d, name, 0, 0, "evidence needs a dir for the sealed objects");
		return -EINVAL;
	}
	if (c->notices.listen && !c->notices.dir) {
		diag_add(d, name, 0, 0, "notices listen needs templates (the pages it serves)");
		return -EINVAL;
	}
	if (c->inl.hold_max > c->inl.hold_total) {
		diag_add(d, name, 0, 0, "inline hold_max (%llu) is over hold_total (%llu)",
			 (unsigned long long)c->inl.hold_max,
			 (unsigned long long)c->inl.hold_total);
		return -EINVAL;
	}
	return 0;
}
