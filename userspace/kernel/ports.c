// SPDX-License-Identifier: GPL-2.0
/* Port tags for the TC program: the --ports syntax in, EW_MAP_PORTS out.
 * Used by `edgeward run` before it attaches the programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ports.h"

#define ITEM_MAX 32

/* A decimal number in [lo, hi], the whole string. */
static int number(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end || errno || *v < lo || *v > hi ? -1 : 0;
}

static int parse_item(char *item, struct ports_entry *e)
{
	char *port = strchr(item, '/'), *budget;
	unsigned long v;

	memset(e, 0, sizeof(*e));
	e->tag.mirror_budget = EW_MIRROR_ALL;
	if (!port)
		goto bad;
	*port++ = '\0';
	if (!strcmp(item, "tcp"))
		e->key.proto = IPPROTO_TCP;
	else if (!strcmp(item, "udp"))
		e->key.proto = IPPROTO_UDP;
	else
		goto bad;
	budget = strchr(port, ':');
	if (budget) {
		*budget++ = '\0';
		if (strcmp(budget, "all")) {
			if (number(budget, 1, EW_MIRROR_ALL - 1, &v))
				goto bad;
			e->tag.mirror_budget = (__u16)v;
		}
	}
	if (number(port, 1, 65535, &v))
		goto bad;
	e->key.port = htons((__u16)v);
	return 0;
bad:
	return -EINVAL;
}

int ports_parse(const char *spec, struct ports_entry *out, size_t max, char *err, size_t errsize)
{
	char item[ITEM_MAX + 1];
	const char *p = spec;
	size_t n = 0, len;

	do {
		len = strcspn(p, ",");
		if (n == max) {
			snprintf(err, errsize, "too many ports (at most %zu)", max);
			return -EINVAL;
		}
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (len > ITEM_MAX || parse_item(item, &out[n++])) {
			snprintf(err, errsize,
				 "invalid port '%.*s' (expected tcp/PORT or udp/PORT, optionally "
				 ":N or :all)",
				 (int)(len > ITEM_MAX ? ITEM_MAX : len), p);
			return -EINVAL;
		}
		p += len;
	} while (*p++ == ',');
	return (int)n;
}

/* Index of key in e[0..n), or n. */
static int find(const struct ew_port_key *k, const struct ports_entry *e, int n)
{
	int i;

	for (i = 0; i < n && memcmp(k, &e[i].key, sizeof(*k)); i++)
		;
	return i;
}

int ports_mark_inline(struct ports_entry *ports, int *n, int max, const struct ports_entry *inl,
		      int n_inl)
{
	int added = 0;

	for (int i = 0; i < n_inl; i++)
		added += find(&inl[i].key, ports, *n) == *n;
	if (*n + added > max)
		return -E2BIG;
	for (int i = 0; i < n_inl; i++) {
		int j = find(&inl[i].key, ports, *n);

		if (j == *n)
			ports[(*n)++] = (struct ports_entry){.key = inl[i].key};
		ports[j].tag.flags |= EW_PORT_INLINE;
	}
	return 0;
}

static int wanted(const struct ew_port_key *k, const struct ports_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(k, &e[i].key, sizeof(*k)))
			return 1;
	return 0;
}

/* New entries go in first and stale ones leave after, so the ports a
 * restarted agent keeps are tagged without a gap. */
int ports_store(int fd, const struct ports_entry *entries, size_t n)
{
	struct ew_port_key stale[EW_PORT_MAX], key, cur;
	size_t n_stale = 0;
	void *prev = NULL;

	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &entries[i].key, &entries[i].tag, BPF_ANY))
			return -errno;
	while (n_stale < EW_PORT_MAX && !bpf_map_get_next_key(fd, prev, &key)) {
		if (!wanted(&key, entries, n))
			stale[n_stale++] = key;
		cur = key;
		prev = &cur;
	}
	for (size_t i = 0; i < n_stale; i++)
		if (bpf_map_delete_elem(fd, &stale[i]) && errno != ENOENT)
			return -errno;
	return 0;
}
