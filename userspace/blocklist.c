// SPDX-License-Identifier: GPL-2.0
/* Blocked prefixes in the pinned prefix hashes: single changes for the CLI,
 * bulk loads of list files (a million prefixes in about a second), and the
 * lengths-in-use bitmaps that tell the XDP program which prefix lengths to
 * probe. Fed by prefix.c; read by the XDP program (bpf/ew_xdp.bpf.c). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "blocklist.h"
#include "loader.h"

#define ENOTSUPP_KERNEL 524    /* the kernel's internal ENOTSUPP */
#define WALK_CHUNK	4096u  /* entries per BPF_MAP_LOOKUP_BATCH call */
#define BATCH_CHUNK	65536u /* elements per BPF_MAP_UPDATE_BATCH call */

/* The map key of p: {prefixlen, addr} with addr in network order and the
 * bits past prefixlen cleared (the XDP program masks the same way). */
static void lpm_key(const struct ew_prefix *p, void *key)
{
	struct ew_lpm6_key *k = key; /* same head as ew_lpm4_key */
	unsigned int bits = p->family == 6 ? 128 : 32;

	k->prefixlen = p->len;
	memset(k->addr, 0, bits / 8);
	for (unsigned int i = 0; i < bits / 8 && i * 8 < p->len; i++)
		k->addr[i] = p->len >= i * 8 + 8 ? p->addr[i]
						 : p->addr[i] & (uint8_t)(0xff00u >> (p->len - i * 8));
}

static int prefix_fd(const struct blocklist *bl, const struct ew_prefix *p)
{
	return p->family == 6 ? bl->fd6 : bl->fd4;
}

int blocklist_open(struct blocklist *bl)
{
	static const char *const names[] = {EW_MAP_BLOCK4, EW_MAP_BLOCK6, EW_MAP_PLENS,
					    EW_MAP_PLENCNT};
	int *fds[] = {&bl->fd4, &bl->fd6, &bl->fd_lens, &bl->fd_cnt};
	int err = 0;

	bl->lock_fd = -1;
	for (size_t i = 0; i < 4; i++) {
		*fds[i] = loader_map_open(names[i]);
		if (*fds[i] < 0 && !err)
			err = *fds[i];
	}
	if (!err) {
		bl->lock_fd = open(loader_pin_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = bl->lock_fd < 0 ? -errno : 0;
	}
	if (err)
		blocklist_close(bl);
	return err;
}

void blocklist_close(struct blocklist *bl)
{
	int *fds[] = {&bl->fd4, &bl->fd6, &bl->fd_lens, &bl->fd_cnt, &bl->lock_fd};

	for (size_t i = 0; i < 5; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Serialises edgeward's writers: the lengths in use are read-modify-write. */
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

/* Index in EW_MAP_PLENCNT of (family, len). */
static __u32 cnt_index(int family, unsigned int len)
{
	return (family == 6 ? EW_PLENCNT_V6 : EW_PLENCNT_V4) + len;
}

/* Sets or clears the bit of (family, len) in EW_MAP_PLENS. */
static int mark_len(const struct blocklist *bl, int family, unsigned int len, int in_use)
{
	__u32 w = family == 6 ? EW_PLENS_V6 + len / 64 : EW_PLENS_V4;
	__u64 bits, bit = 1ull << (len % 64);

	if (bpf_map_lookup_elem(bl->fd_lens, &w, &bits))
		return -errno;
	bits = in_use ? bits | bit : bits & ~bit;
	return bpf_map_update_elem(bl->fd_lens, &w, &bits, BPF_ANY) ? -errno : 0;
}

/* Adds delta to the count of (family, len); marks the length in use while
 * the count is not 0. Called with the prefix already added or removed, so
 * a length goes live after its prefix and is retired after its last. */
static int count_len(const struct blocklist *bl, int family, unsigned int len, int delta)
{
	__u32 i = cnt_index(family, len), n;

	if (bpf_map_lookup_elem(bl->fd_cnt, &i, &n))
		return -errno;
	n = delta < 0 && n == 0 ? 0 : n + (__u32)delta;
	if (bpf_map_update_elem(bl->fd_cnt, &i, &n, BPF_ANY))
		return -errno;
	return mark_len(bl, family, len, n != 0);
}

static int add_locked(const struct blocklist *bl, const struct ew_prefix *p,
		      const struct ew_block_rule *rule)
{
	struct ew_lpm6_key key = {};
	struct ew_block_rule old;
	int fresh;

	lpm_key(p, &key);
	fresh = bpf_map_lookup_elem(prefix_fd(bl, p), &key, &old) != 0;
	if (fresh && errno != ENOENT)
		return -errno;
	if (bpf_map_update_elem(prefix_fd(bl, p), &key, rule, BPF_ANY))
		return -errno;
	return fresh ? count_len(bl, p->family, p->len, 1) : 0;
}

int blocklist_add(const struct blocklist *bl, const struct ew_prefix *p,
		  const struct ew_block_rule *rule)
{
	int err = lock(bl);

	if (err)
		return err;
	err = add_locked(bl, p, rule);
	unlock(bl);
	return err;
}

int blocklist_remove(const struct blocklist *bl, const struct ew_prefix *p)
{
	struct ew_lpm6_key key = {};
	int err = lock(bl);

	if (err)
		return err;
	lpm_key(p, &key);
	err = bpf_map_delete_elem(prefix_fd(bl, p), &key) ? -errno : 0;
	if (!err)
		err = count_len(bl, p->family, p->len, -1);
	unlock(bl);
	return err;
}

/* One walk over a prefix map: to count it (count set) or to call cb per entry. */
struct walk {
	int fd;
	int family;
	size_t ksize;
	int (*cb)(const struct ew_prefix *, const struct ew_block_rule *, void *);
	void *ctx;
	size_t *count;
};

static int visit(const struct walk *w, const void *key, const struct ew_block_rule *rule)
{
	const struct ew_lpm6_key *k = key; /* same head as ew_lpm4_key */
	struct ew_prefix p = {.family = (uint8_t)w->family};

	if (w->count) {
		(*w->count)++;
		return 0;
	}
	p.len = (uint8_t)k->prefixlen;
	memcpy(p.addr, k->addr, w->family == 6 ? 16 : 4);
	return w->cb(&p, rule, w->ctx);
}

/* The fallback: a get_next_key and a lookup syscall per entry. */
static int walk_keys(const struct walk *w)
{
	struct ew_lpm6_key key, next;
	struct ew_block_rule rule;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(w->fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(w->fd, &key, &rule))
			continue; /* deleted under us */
		err = visit(w, &key, &rule);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* BPF_MAP_LOOKUP_BATCH, WALK_CHUNK entries per syscall: a 1M-entry map is
 * counted in a fraction of the per-key walk's time. *started says whether
 * any call succeeded (if not, an error may just mean: cannot batch). */
static int walk_batch(const struct walk *w, uint8_t *keys, struct ew_block_rule *vals, int *started)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct ew_lpm6_key in, out;
	void *inp = NULL;
	__u32 cnt;
	int err, rc;

	do {
		cnt = WALK_CHUNK;
		err = bpf_map_lookup_batch(w->fd, inp, &out, keys, vals, &cnt, &opts) ? -errno : 0;
		if (err && err != -ENOENT)
			return err;
		*started = 1;
		for (__u32 i = 0; i < cnt; i++) {
			rc = visit(w, keys + i * w->ksize, &vals[i]);
			if (rc)
				return rc;
		}
		in = out;
		inp = &in;
	} while (!err);
	return 0;
}

static int walk(struct walk *w)
{
	uint8_t *keys = malloc(WALK_CHUNK * w->ksize);
	struct ew_block_rule *vals = malloc(WALK_CHUNK * sizeof(*vals));
	int started = 0;
	int err = keys && vals ? walk_batch(w, keys, vals, &started) : -ENOMEM;

	if (!started && (err == -ENOTSUPP_KERNEL || err == -EOPNOTSUPP || err == -EINVAL))
		err = walk_keys(w);
	free(vals);
	free(keys);
	return err;
}

int blocklist_foreach(const struct blocklist *bl,
		      int (*cb)(const struct ew_prefix *p, const struct ew_block_rule *rule,
				void *ctx),
		      void *ctx)
{
	struct walk w4 = {bl->fd4, 4, sizeof(struct ew_lpm4_key), cb, ctx, NULL};
	struct walk w6 = {bl->fd6, 6, sizeof(struct ew_lpm6_key), cb, ctx, NULL};
	int err = walk(&w4);

	return err ? err : walk(&w6);
}

int blocklist_count(const struct blocklist *bl, size_t *n4, size_t *n6)
{
	struct walk w4 = {bl->fd4, 4, sizeof(struct ew_lpm4_key), NULL, NULL, n4};
	struct walk w6 = {bl->fd6, 6, sizeof(struct ew_lpm6_key), NULL, NULL, n6};
	int err;

	*n4 = 0;
	*n6 = 0;
	err = walk(&w4);
	return err ? err : walk(&w6);
}

/* Grows one (keys, values) pair of arrays to hold one more element. */
static int grow(void **keys, size_t ksize, struct ew_block_rule **vals, size_t n, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 4096;
	void *k;

	if (n < *cap)
		return 0;
	k = realloc(*keys, ncap * ksize);
	if (!k)
		return -ENOMEM;
	*keys = k;
	k = realloc(*vals, ncap * sizeof(**vals));
	if (!k)
		return -ENOMEM;
	*vals = k;
	*cap = ncap;
	return 0;
}

static int batch_push(struct blocklist_batch *b, const struct ew_prefix *p,
		      const struct ew_block_rule *rule)
{
	int err;

	if (p->family == 4) {
		err = grow((void **)&b->k4, sizeof(*b->k4), &b->v4, b->n4, &b->cap4);
		if (err)
			return err;
		memset(&b->k4[b->n4], 0, sizeof(*b->k4));
		lpm_key(p, &b->k4[b->n4]);
		b->v4[b->n4++] = *rule;
		return 0;
	}
	err = grow((void **)&b->k6, sizeof(*b->k6), &b->v6, b->n6, &b->cap6);
	if (err)
		return err;
	lpm_key(p, &b->k6[b->n6]);
	b->v6[b->n6++] = *rule;
	return 0;
}

void blocklist_batch_free(struct blocklist_batch *b)
{
	free(b->k4);
	free(b->v4);
	free(b->k6);
	free(b->v6);
	memset(b, 0, sizeof(*b));
}

static void note(struct blocklist_errors *errs, const struct prefix_error *e)
{
	if (errs->n < errs->max)
		errs->errs[errs->n] = *e;
	errs->n++;
}

/* One line: blanks, a prefix, blanks, an optional comment. Returns 1 with
 * *p filled, 0 for a line without a prefix, -EINVAL with e filled. */
static int parse_line(const char *line, size_t len, struct ew_prefix *p, struct prefix_error *e)
{
	size_t i = 0, start, end;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	start = i;
	while (i < len && !isspace((unsigned char)line[i]) && line[i] != '#')
		i++;
	end = i;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i < len && line[i] != '#') {
		e->col = (unsigned int)i + 1;
		snprintf(e->msg, sizeof(e->msg),
			 "unexpected '%.*s' after the prefix (one prefix per line)",
			 (int)(len - i > 32 ? 32 : len - i), line + i);
		return -EINVAL;
	}
	if (prefix_parse(line + start, end - start, (unsigned int)start + 1, p, e))
		return -EINVAL;
	return 1;
}

int blocklist_parse(FILE *f, const char *name, const struct ew_block_rule *rule,
		    struct blocklist_batch *b, struct blocklist_errors *errs)
{
	struct prefix_error e = {.file = name};
	struct ew_prefix p;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int rc, err = 0;

	errs->n = 0;
	while (!err && (len = getline(&line, &size, f)) >= 0) {
		e.line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		rc = parse_line(line, (size_t)len, &p, &e);
		if (rc < 0)
			note(errs, &e);
		else if (rc > 0)
			err = batch_push(b, &p, rule);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err ? err : errs->n ? -EINVAL : 0;
}

/* One BPF_MAP_UPDATE_BATCH pass over n elements; -ENOTSUPP_KERNEL (or
 * -EOPNOTSUPP) when the kernel has no batch updates for this map type. */
static int update_batch(int fd, const void *keys, size_t ksize, const struct ew_block_rule *vals,
			size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t done = 0;
	__u32 cnt;

	while (done < n) {
		cnt = n - done > BATCH_CHUNK ? BATCH_CHUNK : (__u32)(n - done);
		if (bpf_map_update_batch(fd, (const char *)keys + done * ksize, vals + done, &cnt,
					 &opts))
			return -errno;
		done += cnt;
	}
	return 0;
}

static int update_each(int fd, const void *keys, size_t ksize, const struct ew_block_rule *vals,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksize, &vals[i], BPF_ANY))
			return -errno;
	return 0;
}

static int load_one(int fd, const void *keys, size_t ksize, const struct ew_block_rule *vals,
		    size_t n, int *batched)
{
	int err;

	if (n == 0)
		return 0;
	if (*batched) {
		err = update_batch(fd, keys, ksize, vals, n);
		if (err != -ENOTSUPP_KERNEL && err != -EOPNOTSUPP)
			return err;
		*batched = 0;
	}
	return update_each(fd, keys, ksize, vals, n);
}

static int count_one(const struct ew_prefix *p, const struct ew_block_rule *rule, void *ctx)
{
	__u32 *counts = ctx;

	(void)rule;
	counts[cnt_index(p->family, p->len)]++;
	return 0;
}

/* Rebuilds EW_MAP_PLENCNT and EW_MAP_PLENS from the prefixes in the maps.
 * Each bitmap word is written whole: bits of lengths with prefixes go live,
 * bits of lengths without any (harmless to probe) are cleared. */
static int recount(const struct blocklist *bl)
{
	__u32 counts[EW_PLENCNT_MAX] = {0};
	__u64 words[EW_PLENS_WORDS] = {0};
	int err = blocklist_foreach(bl, count_one, counts);

	for (__u32 i = 0; !err && i < EW_PLENCNT_MAX; i++)
		if (bpf_map_update_elem(bl->fd_cnt, &i, &counts[i], BPF_ANY))
			err = -errno;
	for (__u32 len = 0; len <= 32; len++)
		if (counts[EW_PLENCNT_V4 + len])
			words[EW_PLENS_V4] |= 1ull << len;
	for (__u32 len = 0; len <= 128; len++)
		if (counts[EW_PLENCNT_V6 + len])
			words[EW_PLENS_V6 + len / 64] |= 1ull << (len % 64);
	for (__u32 w = 0; !err && w < EW_PLENS_WORDS; w++)
		if (bpf_map_update_elem(bl->fd_lens, &w, &words[w], BPF_ANY))
			err = -errno;
	return err;
}

int blocklist_load(const struct blocklist *bl, const struct blocklist_batch *b, int *batched)
{
	int err = lock(bl);

	if (err)
		return err;
	err = load_one(bl->fd4, b->k4, sizeof(*b->k4), b->v4, b->n4, batched);
	if (!err)
		err = load_one(bl->fd6, b->k6, sizeof(*b->k6), b->v6, b->n6, batched);
	if (!err)
		err = recount(bl);
	unlock(bl);
	return err;
}
