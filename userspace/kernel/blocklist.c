// SPDX-License-Identifier: GPL-2.0
/* Blocked prefixes in the pinned dense tables (ew_abi.h, "Blocked
 * prefixes"): every change reads the family's table into a list, edits the
 * list, builds a new table with ptable.c straight into a new BPF array
 * (mmap'd) and swaps it in: first into the array-of-maps of its size
 * class, then the class in use. A table superseded by a change is dropped
 * at the next change, after an RCU grace period, so no XDP run can still
 * be using it. Fed by prefix.c; read by the XDP program (bpf/ew_xdp.bpf.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "blocklist.h"
#include "loader.h"

#define PLAN_ATTEMPTS 12 /* a fill that overflows a chain plans again */

static int fam_index(int family)
{
	return family == 6;
}

static unsigned int class_of(int index)
{
	return EW_PT_CLASS_MIN + (unsigned int)index * EW_PT_CLASS_STEP;
}

static int class_index(unsigned int k)
{
	if (k < EW_PT_CLASS_MIN || k > EW_PT_CLASS_MAX || (k - EW_PT_CLASS_MIN) % EW_PT_CLASS_STEP)
		return -1;
	return (int)((k - EW_PT_CLASS_MIN) / EW_PT_CLASS_STEP);
}

const char *blocklist_outer_name(int family, unsigned int k, char *buf, size_t size)
{
	snprintf(buf, size, "ew_pt%dc%u_v%u", family == 6 ? 6 : 4, k, EW_MAP_VERSION);
	return buf;
}

static void fds_reset(struct blocklist *bl)
{
	bl->fd_cls = -1;
	bl->lock_fd = -1;
	for (int f = 0; f < 2; f++)
		for (int c = 0; c < EW_PT_CLASSES; c++)
			bl->fd_outer[f][c] = -1;
}

/* Opens every map through get (by name); the first error wins. */
static int open_all(struct blocklist *bl, int (*get)(const char *name, const void *ctx),
		    const void *ctx)
{
	char name[32];
	int err = 0;

	fds_reset(bl);
	bl->fd_cls = get(EW_MAP_PTCLASS, ctx);
	err = bl->fd_cls < 0 ? bl->fd_cls : 0;
	for (int f = 0; f < 2; f++) {
		for (int c = 0; !err && c < EW_PT_CLASSES; c++) {
			blocklist_outer_name(f ? 6 : 4, class_of(c), name, sizeof(name));
			bl->fd_outer[f][c] = get(name, ctx);
			err = bl->fd_outer[f][c] < 0 ? bl->fd_outer[f][c] : 0;
		}
	}
	if (err)
		blocklist_close(bl);
	return err;
}

static int get_pinned(const char *name, const void *ctx)
{
	(void)ctx;
	return loader_map_open(name);
}

static int get_obj(const char *name, const void *ctx)
{
	int fd = bpf_object__find_map_fd_by_name(ctx, name);

	if (fd < 0)
		return -ENOENT;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

int blocklist_open(struct blocklist *bl)
{
	int err = open_all(bl, get_pinned, NULL);

	if (!err) {
		bl->lock_fd = open(loader_pin_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = bl->lock_fd < 0 ? -errno : 0;
	}
	if (err)
		blocklist_close(bl);
	return err;
}

int blocklist_from_obj(struct blocklist *bl, const struct bpf_object *obj)
{
	return open_all(bl, get_obj, obj);
}

void blocklist_close(struct blocklist *bl)
{
	int *fds[2 + 2 * EW_PT_CLASSES] = {&bl->fd_cls, &bl->lock_fd};
	size_t n = 2;

	for (int f = 0; f < 2; f++)
		for (int c = 0; c < EW_PT_CLASSES; c++)
			fds[n++] = &bl->fd_outer[f][c];
	for (size_t i = 0; i < n; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Serialises edgeward's writers: a change is read-modify-write. */
static int lock(const struct blocklist *bl)
{
	while (bl->lock_fd >= 0 && flock(bl->lock_fd, LOCK_EX))
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void unlock(const struct blocklist *bl)
{
	if (bl->lock_fd >= 0)
		flock(bl->lock_fd, LOCK_UN);
}

/* The family's table in use, mapped read-only: *tab and *nelem, or *tab
 * NULL when the family has none. Returns 0 or -errno. Unmap with
 * table_unmap. */
struct mapped {
	void *tab;
	size_t nelem, bytes;
};

static int table_map(const struct blocklist *bl, int family, struct mapped *m)
{
	__u32 key = (__u32)fam_index(family), k = 0, zero = 0, id;
	int idx, fd, err = 0;

	memset(m, 0, sizeof(*m));
	if (bpf_map_lookup_elem(bl->fd_cls, &key, &k))
		return -errno;
	idx = class_index(k);
	if (k == 0)
		return 0;
	if (idx < 0)
		return -EBADMSG; /* not a class this edgeward writes */
	if (bpf_map_lookup_elem(bl->fd_outer[key][idx], &zero, &id))
		return errno == ENOENT ? -EBADMSG : -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	m->nelem = (size_t)1 << k;
	m->bytes = m->nelem * ptable_bucket_size(family);
	m->tab = mmap(NULL, m->bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (m->tab == MAP_FAILED) {
		err = -errno;
		m->tab = NULL;
	}
	close(fd);
	return err;
}

static void table_unmap(struct mapped *m)
{
	if (m->tab)
		munmap(m->tab, m->bytes);
	m->tab = NULL;
}

static int collect(const struct ptable_entry *e, void *ctx)
{
	return ptable_list_push(ctx, e);
}

/* Appends the family's blocked prefixes to l. */
static int table_read(const struct blocklist *bl, int family, struct ptable_list *l)
{
	struct mapped m;
	int err = table_map(bl, family, &m);

	if (!err && m.tab)
		err = ptable_foreach(family, m.tab, m.nelem, collect, l);
	table_unmap(&m);
	return err;
}

/* A new BPF array for plan pl, filled with l; its fd, or -errno
 * (-ENOSPC: a chain overflowed, plan again). */
static int table_create(int family, const struct ptable_plan *pl, const struct ptable_list *l)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	size_t nelem = (size_t)1 << pl->cls, bytes = nelem * ptable_bucket_size(family);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, family == 6 ? "ew_pt6" : "ew_pt4",
				sizeof(__u32), (__u32)ptable_bucket_size(family), (__u32)nelem,
				&opts);
	void *tab;
	long n;

	if (fd < 0)
		return -errno;
	tab = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (tab == MAP_FAILED) {
		n = -errno;
	} else {
		n = ptable_fill(family, tab, pl, l->e, l->n);
		munmap(tab, bytes);
	}
	if (n < 0) {
		close(fd);
		return (int)n;
	}
	return fd;
}

/* Builds the family's table from l and swaps it in (no table when l is
 * empty). */
static int table_write(const struct blocklist *bl, int family, const struct ptable_list *l)
{
	__u32 key = (__u32)fam_index(family), zero = 0, k = 0, seed;
	struct ptable_plan pl;
	int fd = -ENOSPC, err = 0;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (__u32)getpid();
	for (unsigned int a = 0; l->n && fd == -ENOSPC && a < PLAN_ATTEMPTS; a++) {
		err = ptable_plan(family, l->n, a, seed, &pl);
		if (err)
			return err;
		fd = table_create(family, &pl, l);
	}
	if (l->n && fd < 0)
		return fd == -ENOSPC ? -E2BIG : fd;
	if (l->n) {
		k = pl.cls;
		err = bpf_map_update_elem(bl->fd_outer[key][class_index(k)], &zero, &fd, BPF_ANY)
			      ? -errno
			      : 0;
		close(fd);
	}
	if (!err && bpf_map_update_elem(bl->fd_cls, &key, &k, BPF_ANY))
		err = -errno;
	return err;
}

/* Waits until every XDP run that might have read the class before the
 * last switch is over: MEMBARRIER_CMD_GLOBAL is a synchronize_rcu(), and
 * XDP programs run under RCU. */
static void wait_readers(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(50000); /* no membarrier: XDP runs take microseconds */
}

/* Drops the tables of the classes not in use (superseded by an earlier
 * change), once no XDP run can still be about to fetch them. */
static int drop_stale(const struct blocklist *bl)
{
	__u32 zero = 0, k[2], id;
	int waited = 0;

	for (__u32 f = 0; f < 2; f++)
		if (bpf_map_lookup_elem(bl->fd_cls, &f, &k[f]))
			return -errno;
	for (__u32 f = 0; f < 2; f++) {
		for (int c = 0; c < EW_PT_CLASSES; c++) {
			if (class_of(c) == k[f] || bpf_map_lookup_elem(bl->fd_outer[f][c], &zero, &id))
				continue;
			if (!waited++)
				wait_readers();
			if (bpf_map_delete_elem(bl->fd_outer[f][c], &zero) && errno != ENOENT)
				return -errno;
		}
	}
	return 0;
}

/* Index in l of exactly p, or -1. */
static long list_find(const struct ptable_list *l, const struct ew_prefix *p)
{
	size_t bytes = p->family == 6 ? 16 : 4;

	for (size_t i = 0; i < l->n; i++)
		if (l->e[i].p.len == p->len && !memcmp(l->e[i].p.addr, p->addr, bytes))
			return (long)i;
	return -1;
}

/* The change pattern: lock, drop stale tables, read the family's list,
 * edit it with fn, write the new table. */
static int change(const struct blocklist *bl, int family,
		  int (*fn)(struct ptable_list *l, const void *arg), const void *arg)
{
	struct ptable_list l = {};
	int err = lock(bl);

	if (err)
		return err;
	err = drop_stale(bl);
	if (!err)
		err = table_read(bl, family, &l);
	if (!err)
		err = fn(&l, arg);
	if (!err)
		err = table_write(bl, family, &l);
	unlock(bl);
	ptable_list_free(&l);
	return err;
}

static int edit_add(struct ptable_list *l, const void *arg)
{
	const struct ptable_entry *e = arg;

	if (l->n >= EW_BLOCK_MAX && list_find(l, &e->p) < 0)
		return -E2BIG;
	return ptable_list_push(l, e);
}

static int edit_remove(struct ptable_list *l, const void *arg)
{
	const struct ptable_entry *e = arg;
	long i = list_find(l, &e->p);

	if (i < 0)
		return -ENOENT;
	l->e[i] = l->e[--l->n];
	return 0;
}

int blocklist_add(const struct blocklist *bl, const struct ew_prefix *p,
		  const struct ew_block_rule *rule)
{
	struct ptable_entry e = ptable_entry_make(p, rule->rule_id, (uint8_t)rule->flags);

	return change(bl, p->family, edit_add, &e);
}

int blocklist_remove(const struct blocklist *bl, const struct ew_prefix *p)
{
	struct ptable_entry e = ptable_entry_make(p, 0, 0);

	return change(bl, p->family, edit_remove, &e);
}

/* Orders entry positions by prefix, then position: equal prefixes end up
 * together, the latest last. */
static int pos_cmp(const void *a, const void *b, void *arg)
{
	const struct ptable_entry *e = arg;
	__u32 i = *(const __u32 *)a, j = *(const __u32 *)b;
	int c = e[i].p.len - e[j].p.len;

	if (!c)
		c = memcmp(e[i].p.addr, e[j].p.addr, 16);
	return c ? c : (i > j) - (i < j);
}

/* Keeps the last entry of each prefix in l (a list can repeat a prefix,
 * and a reload repeats what is blocked): the count of distinct prefixes
 * is what must fit. */
static int list_unique(struct ptable_list *l)
{
	__u32 *pos = malloc((l->n ? l->n : 1) * sizeof(*pos));
	struct ptable_list u = {};
	int err = pos ? 0 : -ENOMEM;

	for (size_t i = 0; pos && i < l->n; i++)
		pos[i] = (__u32)i;
	if (pos)
		qsort_r(pos, l->n, sizeof(*pos), pos_cmp, l->e);
	for (size_t i = 0; !err && i < l->n; i++) {
		const struct ptable_entry *a = &l->e[pos[i]], *b = &l->e[pos[i + 1 < l->n ? i + 1 : i]];

		if (i + 1 == l->n || a->p.len != b->p.len || memcmp(a->p.addr, b->p.addr, 16))
			err = ptable_list_push(&u, a);
	}
	free(pos);
	if (err) {
		ptable_list_free(&u);
		return err;
	}
	free(l->e);
	*l = u;
	return l->n > EW_BLOCK_MAX ? -E2BIG : 0;
}

/* Appends a batch's entries of one family (a ptable_list). */
static int edit_append(struct ptable_list *l, const void *arg)
{
	const struct ptable_list *b = arg;
	int err = 0;

	if (l->n + b->n > UINT32_MAX)
		return -E2BIG;
	for (size_t i = 0; !err && i < b->n; i++)
		err = ptable_list_push(l, &b->e[i]);
	return err ? err : list_unique(l);
}

int blocklist_load(const struct blocklist *bl, const struct blocklist_batch *b)
{
	int err = 0;

	if (b->v4.n)
		err = change(bl, 4, edit_append, &b->v4);
	if (!err && b->v6.n)
		err = change(bl, 6, edit_append, &b->v6);
	return err;
}

struct foreach_ctx {
	int (*cb)(const struct ew_prefix *, const struct ew_block_rule *, void *);
	void *ctx;
};

static int foreach_one(const struct ptable_entry *e, void *arg)
{
	const struct foreach_ctx *f = arg;
	struct ew_block_rule r = {.rule_id = e->rule_id, .flags = e->flags};

	return f->cb(&e->p, &r, f->ctx);
}

int blocklist_foreach(const struct blocklist *bl,
		      int (*cb)(const struct ew_prefix *p, const struct ew_block_rule *rule,
				void *ctx),
		      void *ctx)
{
	struct foreach_ctx f = {cb, ctx};
	struct mapped m;
	int err = 0;

	for (int family = 4; !err && family <= 6; family += 2) {
		err = table_map(bl, family, &m);
		if (!err && m.tab)
			err = ptable_foreach(family, m.tab, m.nelem, foreach_one, &f);
		table_unmap(&m);
	}
	return err;
}

/* The family's head, or a zeroed one without a table. */
static int head_read(const struct blocklist *bl, int family, struct ew_pt_head *h)
{
	struct mapped m;
	int err = table_map(bl, family, &m);

	memset(h, 0, sizeof(*h));
	if (!err && m.tab)
		*h = *ptable_head(m.tab);
	table_unmap(&m);
	return err;
}

int blocklist_count(const struct blocklist *bl, size_t *n4, size_t *n6)
{
	struct ew_pt_head h4, h6;
	int err = head_read(bl, 4, &h4);

	if (!err)
		err = head_read(bl, 6, &h6);
	*n4 = err ? 0 : h4.count;
	*n6 = err ? 0 : h6.count;
	return err;
}

int blocklist_lengths(const struct blocklist *bl, int family, __u64 lens[3])
{
	struct ew_pt_head h;
	int err = head_read(bl, family, &h);

	memcpy(lens, h.lens, sizeof(h.lens));
	return err;
}
