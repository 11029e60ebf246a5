// SPDX-License-Identifier: GPL-2.0
/* domains: staging, committing and reading the domain tables of the TC
 * program (domains.h). A commit builds three new inner maps, pins them,
 * puts them in the slots of the generation not in force, then flips the
 * generation: one map write switches the kernel. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "domains.h"
#include "loader.h"
#include "prefix.h"

#define RULE_BUCKETS (2 * EW_DNS_ANSWER_MAX) /* rule id -> slot, open addressing */
#define BATCH	     4096

struct name_entry {
	struct ew_domain_key key;
	__u32 slot;
};

struct group_entry {
	struct ew_group_key key;
	__u32 group;
};

struct domains {
	struct name_entry *names; /* in the order given */
	size_t n, cap;
	struct group_entry *pfx;
	size_t npfx, cappfx;
	struct ew_dns_answer *answers; /* EW_DNS_ANSWER_MAX, nrules used */
	__u32 nrules;
	__u32 rule_ids[RULE_BUCKETS]; /* rule id of a bucket (valid when slot_of) */
	__u32 slot_of[RULE_BUCKETS];  /* slot + 1; 0: empty bucket */
	char err[256];
};

static int fail(struct domains *d, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct domains *d, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return rc;
}

struct domains *domains_new(void)
{
	struct domains *d = calloc(1, sizeof(*d));

	if (d && !(d->answers = calloc(EW_DNS_ANSWER_MAX, sizeof(*d->answers)))) {
		free(d);
		return NULL;
	}
	return d;
}

void domains_free(struct domains *d)
{
	if (!d)
		return;
	free(d->names);
	free(d->pfx);
	free(d->answers);
	free(d);
}

const char *domains_error(const struct domains *d)
{
	return d->err;
}

size_t domains_names(const struct domains *d)
{
	return d->n;
}

/* ---- names ---------------------------------------------------------------------- */

/* The labels of name[0, len) (a trailing dot and a leading "*." taken
 * off): where each starts and how long it is. Returns their number, or
 * -1 with why filled. */
static int split(const char *name, size_t len, bool *wild, const char **lab, uint8_t *llen,
		 char *why, size_t whylen)
{
	size_t i = 0, start;
	int n = 0;

	if (len && name[len - 1] == '.')
		len--;
	*wild = len >= 2 && name[0] == '*' && name[1] == '.';
	if (*wild)
		i = 2;
	if (i == len || len > 253) {
		snprintf(why, whylen, i == len ? "empty name" : "longer than 253 bytes");
		return -1;
	}
	while (i <= len) {
		for (start = i; i < len && name[i] != '.'; i++)
			;
		if (i == start || i - start > 63) {
			snprintf(why, whylen, "label %d %s", n + 1,
				 i == start ? "is empty" : "is longer than 63 bytes");
			return -1;
		}
		lab[n] = name + start;
		llen[n++] = (uint8_t)(i - start);
		i++;
	}
	return n;
}

/* Hashes of the suffixes of a name's n labels: out[k] is that of the
 * name from label k on (out[0]: the whole name), as ew_abi.h says. */
static void suffix_hashes(const char **lab, const uint8_t *llen, int n, uint64_t *out)
{
	uint64_t s = EW_DNS_ROOT_HASH, h;

	for (int k = n - 1; k >= 0; k--) {
		h = ew_dns_label_step(EW_DNS_LABEL_SEED, llen[k]);
		for (int j = 0; j < llen[k]; j++)
			h = ew_dns_label_step(h, (uint8_t)lab[k][j]);
		s = ew_dns_suffix_hash(h, s);
		out[k] = s;
	}
}

int domains_hash(const char *name, size_t len, uint64_t *hash, bool *wild, char *why, size_t whylen)
{
	const char *lab[EW_DNS_LABELS_MAX];
	uint8_t llen[EW_DNS_LABELS_MAX];
	uint64_t h[EW_DNS_LABELS_MAX];
	int n = split(name, len, wild, lab, llen, why, whylen);

	if (n < 0)
		return -EINVAL;
	suffix_hashes(lab, llen, n, h);
	*hash = h[0];
	return 0;
}

/* ---- staging ---------------------------------------------------------------------- */

static int grow(void **a, size_t size, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 1024;
	void *p;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	p = realloc(*a, c * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	*cap = c;
	return 0;
}

/* The answer a rule gives, checked. */
static int to_answer(struct domains *d, const struct domains_rule *r, struct ew_dns_answer *a)
{
	size_t text = r->text ? strlen(r->text) : 0;

	memset(a, 0, sizeof(*a));
	if (r->kind > EW_DNS_NODATA)
		return fail(d, -EINVAL, "rule %u: unknown kind %u", r->rule_id, r->kind);
	if (r->other != 0 && r->other != EW_DNS_NODATA && r->other != EW_DNS_NXDOMAIN)
		return fail(d, -EINVAL, "rule %u: other types get NODATA or NXDOMAIN, not %u",
			    r->rule_id, r->other);
	if (text > EW_DNS_TEXT_MAX)
		return fail(d, -EINVAL, "rule %u: EDE text of %zu bytes (at most %u)", r->rule_id,
			    text, EW_DNS_TEXT_MAX);
	a->rule_id = r->rule_id;
	a->ttl = r->ttl ? r->ttl : EW_DNS_TTL;
	memcpy(a->addr4, r->addr4, 4);
	memcpy(a->addr6, r->addr6, 16);
	a->kind = r->kind;
	a->other = r->other ? r->other : EW_DNS_NODATA;
	a->flags = (r->has_v4 ? EW_DNS_HAVE_A : 0) | (r->has_v6 ? EW_DNS_HAVE_AAAA : 0);
	a->ede = r->ede;
	a->text_len = (__u16)text;
	memcpy(a->text, r->text ? r->text : "", text);
	return 0;
}

/* The answer slot of rule r: its id's, or a new one. -errno when full or
 * when the id came before with another answer. */
static int rule_slot(struct domains *d, const struct domains_rule *r)
{
	struct ew_dns_answer a;
	__u32 b = (r->rule_id * 2654435761u) % RULE_BUCKETS;
	int err = to_answer(d, r, &a);

	if (err)
		return err;
	while (d->slot_of[b] && d->rule_ids[b] != r->rule_id)
		b = (b + 1) % RULE_BUCKETS;
	if (d->slot_of[b]) {
		if (memcmp(&d->answers[d->slot_of[b] - 1], &a, sizeof(a)))
			return fail(d, -EINVAL, "rule %u given twice with different answers",
				    r->rule_id);
		return (int)d->slot_of[b] - 1;
	}
	if (d->nrules == EW_DNS_ANSWER_MAX)
		return fail(d, -ENOSPC, "more than %u rules", EW_DNS_ANSWER_MAX);
	d->answers[d->nrules] = a;
	d->rule_ids[b] = r->rule_id;
	d->slot_of[b] = ++d->nrules;
	return (int)d->nrules - 1;
}

int domains_set(struct domains *d, uint32_t group, const char *name, const struct domains_rule *r)
{
	struct ew_domain_key k = {.group = group};
	char why[96];
	uint64_t hash;
	bool wild;
	int slot;

	d->err[0] = '\0';
	if (domains_hash(name, strlen(name), &hash, &wild, why, sizeof(why)))
		return fail(d, -EINVAL, "invalid name '%.80s%s': %s", name,
			    strlen(name) > 80 ? "..." : "", why);
	k.hash = hash;
	k.wild = wild;
	slot = rule_slot(d, r);
	if (slot < 0)
		return slot;
	if (grow((void **)&d->names, sizeof(*d->names), &d->cap, d->n + 1))
		return fail(d, -ENOMEM, "out of memory");
	d->names[d->n++] = (struct name_entry){k, (__u32)slot};
	return 0;
}

int domains_group(struct domains *d, const uint8_t addr[16], unsigned plen, uint32_t group)
{
	struct ew_group_key k = {.prefixlen = plen};

	d->err[0] = '\0';
	if (plen > 128)
		return fail(d, -EINVAL, "prefix length %u (at most 128)", plen);
	prefix_mask(addr, plen, 128, k.addr);
	if (grow((void **)&d->pfx, sizeof(*d->pfx), &d->cappfx, d->npfx + 1))
		return fail(d, -ENOMEM, "out of memory");
	d->pfx[d->npfx++] = (struct group_entry){k, group};
	return 0;
}

int domains_group_text(struct domains *d, const char *text, uint32_t group)
{
	struct prefix_error pe = {0};
	struct ew_prefix p;
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff};

	if (prefix_parse(text, strlen(text), 1, &p, &pe))
		return fail(d, -EINVAL, "invalid prefix '%.64s': %s", text, pe.msg);
	if (p.family == 4) {
		memcpy(a + 12, p.addr, 4);
		return domains_group(d, a, 96u + p.len, group);
	}
	return domains_group(d, p.addr, p.len, group);
}

/* ---- commit ----------------------------------------------------------------------- */

enum { T_GROUPS, T_NAMES, T_ANSWERS, T_MAX };

static const char *const table_names[T_MAX] = {EW_MAP_GROUPS, EW_MAP_DOMAINS, EW_MAP_DNSANS};

/* A new inner map of table t for n entries; fd or -errno. */
static int create(int t, size_t n)
{
	LIBBPF_OPTS(bpf_map_create_opts, lpm, .map_flags = BPF_F_NO_PREALLOC);
	__u32 max = n ? (__u32)n : 1;
	int fd;

	if (t == T_GROUPS)
		fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "ew_groups", sizeof(struct ew_group_key),
				    sizeof(__u32), max, &lpm);
	else if (t == T_NAMES)
		fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ew_domains", sizeof(struct ew_domain_key),
				    sizeof(__u32), max, NULL);
	else
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ew_dnsans", sizeof(__u32),
				    sizeof(struct ew_dns_answer), EW_DNS_ANSWER_MAX, NULL);
	return fd < 0 ? -errno : fd;
}

/* The names, in batches (in order: a name given twice keeps the last). */
static int fill_names(int fd, const struct domains *d)
{
	struct ew_domain_key *k = malloc(BATCH * sizeof(*k));
	__u32 *v = malloc(BATCH * sizeof(*v)), count;
	int err = k && v ? 0 : -ENOMEM;

	for (size_t i = 0; i < d->n && !err; i += count) {
		count = d->n - i < BATCH ? (__u32)(d->n - i) : BATCH;
		for (__u32 j = 0; j < count; j++) {
			k[j] = d->names[i + j].key;
			v[j] = d->names[i + j].slot;
		}
		if (bpf_map_update_batch(fd, k, v, &count, NULL))
			err = -errno;
	}
	free(k);
	free(v);
	return err;
}

static int fill(int fd, int t, const struct domains *d)
{
	if (t == T_NAMES)
		return fill_names(fd, d);
	for (__u32 i = 0; t == T_GROUPS && i < d->npfx; i++)
		if (bpf_map_update_elem(fd, &d->pfx[i].key, &d->pfx[i].group, BPF_ANY))
			return -errno;
	for (__u32 i = 0; t == T_ANSWERS && i < d->nrules; i++)
		if (bpf_map_update_elem(fd, &i, &d->answers[i], BPF_ANY))
			return -errno;
	return 0;
}

/* "<pin dir>/<table's outer map>_g<gen>" (bpffs takes no dots) */
static void inner_path(char *buf, size_t size, int t, __u32 gen)
{
	snprintf(buf, size, "%s/%s_g%u", loader_pin_dir(), table_names[t], gen);
}

/* Table t of the generation gen: a new inner map, filled, pinned and put
 * in the outer map's slot gen (not in force: nobody reads it). */
static int build(const struct domains *d, int t, __u32 gen, int outer)
{
	char path[512];
	int fd = create(t, t == T_NAMES ? d->n : d->npfx), err;

	if (fd < 0)
		return fd;
	err = fill(fd, t, d);
	inner_path(path, sizeof(path), t, gen);
	unlink(path);
	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	if (!err && bpf_map_update_elem(outer, &gen, &fd, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int domains_commit(struct domains *d)
{
	int outer[T_MAX] = {-1, -1, -1}, gfd, err = 0;
	struct ew_dns_gen g = {0};
	__u32 zero = 0;

	d->err[0] = '\0';
	gfd = loader_map_open(EW_MAP_DNSGEN);
	for (int t = 0; t < T_MAX && gfd >= 0 && !err; t++)
		err = (outer[t] = loader_map_open(table_names[t])) < 0 ? outer[t] : 0;
	if (gfd < 0)
		err = gfd;
	if (!err && bpf_map_lookup_elem(gfd, &zero, &g))
		err = -errno;
	g.gen = (g.gen & 1) ^ 1;
	for (int t = 0; t < T_MAX && !err; t++)
		err = build(d, t, g.gen, outer[t]);
	g.names = (__u32)d->n;
	g.serial++;
	if (!err && bpf_map_update_elem(gfd, &zero, &g, BPF_ANY))
		err = -errno;
	close_all(outer, T_MAX);
	if (gfd >= 0)
		close(gfd);
	if (err)
		fail(d, err, "couldn't write the domain tables under '%s': %s%s", loader_pin_dir(),
		     strerror(-err), err == -ENOENT ? " (not pinned: is edgeward running?)" : "");
	return err;
}

/* ---- reading ---------------------------------------------------------------------- */

struct domains_view {
	int gen_fd;
	struct ew_dns_gen g; /* as the open tables were committed */
	bool open;
	int fd[T_MAX];
};

struct domains_view *domains_view_open(void)
{
	struct domains_view *v = calloc(1, sizeof(*v));
	int fd = loader_map_open(EW_MAP_DNSGEN);

	if (!v || fd < 0) {
		free(v);
		if (fd >= 0)
			close(fd);
		errno = fd < 0 ? -fd : ENOMEM;
		return NULL;
	}
	v->gen_fd = fd;
	return v;
}

static void view_drop(struct domains_view *v)
{
	if (v->open)
		close_all(v->fd, T_MAX);
	v->open = false;
}

void domains_view_close(struct domains_view *v)
{
	if (!v)
		return;
	view_drop(v);
	close(v->gen_fd);
	free(v);
}

/* Opens the pinned tables of the generation in force when a commit came
 * since they were opened. */
static int view_refresh(struct domains_view *v)
{
	struct ew_dns_gen g;
	__u32 zero = 0;
	char path[512];

	if (bpf_map_lookup_elem(v->gen_fd, &zero, &g))
		return -errno;
	if (v->open && g.serial == v->g.serial)
		return 0;
	view_drop(v);
	v->g = g;
	for (int t = 0; t < T_MAX && g.serial; t++) {
		inner_path(path, sizeof(path), t, g.gen & 1);
		v->fd[t] = bpf_obj_get(path);
		if (v->fd[t] < 0) {
			close_all(v->fd, t);
			return -errno;
		}
	}
	v->open = g.serial != 0;
	return 0;
}

/* The client's group: its longest prefix's, else 0. */
static __u32 view_group(const struct domains_view *v, const uint8_t client[16])
{
	struct ew_group_key k = {.prefixlen = 128};
	__u32 group = 0;

	memcpy(k.addr, client, 16);
	if (bpf_map_lookup_elem(v->fd[T_GROUPS], &k, &group))
		return 0;
	return group;
}

int domains_lookup(struct domains_view *v, const uint8_t client[16], const char *name, size_t len,
		   struct ew_dns_answer *out)
{
	const char *lab[EW_DNS_LABELS_MAX];
	uint8_t llen[EW_DNS_LABELS_MAX];
	uint64_t h[EW_DNS_LABELS_MAX];
	struct ew_domain_key k = {0};
	char why[96];
	bool wild;
	__u32 slot;
	int n, err = view_refresh(v);

	if (err || !v->open || !v->g.names)
		return err;
	n = split(name, len, &wild, lab, llen, why, sizeof(why));
	if (n < 0 || wild)
		return 0;
	suffix_hashes(lab, llen, n, h);
	k.group = view_group(v, client);
	for (int i = 0; i < n; i++) { /* the longest first: the name, then its parents */
		k.hash = h[i];
		k.wild = i != 0;
		if (!bpf_map_lookup_elem(v->fd[T_NAMES], &k, &slot))
			return bpf_map_lookup_elem(v->fd[T_ANSWERS], &slot, out) ? -errno : 1;
		if (errno != ENOENT)
			return -errno;
	}
	return 0;
}
