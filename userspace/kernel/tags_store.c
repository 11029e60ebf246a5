// SPDX-License-Identifier: GPL-2.0
/* tags_store: the policy's tags into the pinned maps, as one flip from
 * the set in use to the other (include/ew_abi.h, "The policy's tags"):
 *
 *   1. empty the set not in use (left over by an agent that died mid-way)
 *   2. write it: ports, client and server prefixes (each with the union of
 *      the classes of every prefix holding it), any masks
 *   3. ew_tagsel_v1[0] = that set (one store: packets see one set whole)
 *   4. empty the old set
 *
 * Flows tagged or steered before the flip keep their verdicts and
 * sockets: a reload never cuts a flow in progress. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "loader.h"
#include "log/log.h"
#include "tags_int.h"

enum { M_SEL, M_PORT, M_CLI, M_SRV, M_N };

static const char *const names[M_N] = {EW_MAP_TAGSEL, EW_MAP_TAGPORT, EW_MAP_TAGCLI,
				       EW_MAP_TAGSRV};

static int write_prefixes(int fd, struct pfxlist *l, uint8_t set)
{
	uint32_t *masks = malloc((l->n ? l->n : 1) * sizeof(*masks));
	int err = 0;

	if (!masks)
		return -ENOMEM;
	tags_union_masks(l, masks);
	for (size_t i = 0; i < l->n && !err; i++) {
		struct ew_tagpfx_key k = {.prefixlen = 8u + l->v[i].p.len, .set = set};

		memcpy(k.addr, l->v[i].p.addr, 16);
		if (bpf_map_update_elem(fd, &k, &masks[i], BPF_ANY))
			err = -errno;
	}
	free(masks);
	return err;
}

/* Deletes the entries of set from a map whose keys carry it at set_off
 * (all sets: set < 0). */
static int empty_set(int fd, size_t key_size, size_t set_off, int set)
{
	uint8_t key[32], next[32];
	uint8_t *keys = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;
	int err = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (set >= 0 && key[set_off] != set)
			continue;
		if (n == cap) {
			uint8_t *k = realloc(keys, (cap = cap ? 2 * cap : 256) * key_size);

			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
		}
		memcpy(keys + n++ * key_size, key, key_size);
	}
	for (size_t i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

static int empty_all(const int *fd, int set)
{
	int err = empty_set(fd[M_PORT], sizeof(struct ew_tagport_key), 3, set);

	if (!err)
		err = empty_set(fd[M_CLI], sizeof(struct ew_tagpfx_key), 4, set);
	if (!err)
		err = empty_set(fd[M_SRV], sizeof(struct ew_tagpfx_key), 4, set);
	return err;
}

static int write_set(const int *fd, struct tags *t, uint8_t set, uint32_t *flags)
{
	__u32 idx = 1u + set;
	struct ew_tagsel any = {t->any_cli, t->any_srv};
	int err = 0;

	for (size_t i = 0; i < t->nports && !err; i++) {
		struct ew_tagport_key k = {.port = htons(t->ports[i].port),
					   .proto = t->ports[i].proto, .set = set};
		struct ew_tagport v;

		tags_port_value(t, &t->ports[i], &v);
		*flags |= t->ports[i].port ? 0 : EW_TAGSEL_ANYPORT;
		if (bpf_map_update_elem(fd[M_PORT], &k, &v, BPF_ANY))
			err = -errno;
	}
	if (!err)
		err = write_prefixes(fd[M_CLI], &t->cli, set);
	if (!err)
		err = write_prefixes(fd[M_SRV], &t->srv, set);
	if (!err && bpf_map_update_elem(fd[M_SEL], &idx, &any, BPF_ANY))
		err = -errno;
	return err;
}

/* Fills the set not in use, flips to it, empties the other. */
static int flip(const int *fd, struct tags *t)
{
	__u32 zero = 0;
	struct ew_tagsel sel = {0};
	uint8_t set;
	int err;

	if (bpf_map_lookup_elem(fd[M_SEL], &zero, &sel))
		return -errno;
	set = sel.a == 1 ? 1 : 0; /* the one not in use */
	err = empty_all(fd, set);
	sel = (struct ew_tagsel){.a = set + 1u};
	if (!err)
		err = write_set(fd, t, set, &sel.b);
	if (!err && bpf_map_update_elem(fd[M_SEL], &zero, &sel, BPF_ANY))
		err = -errno;
	return err ? err : empty_all(fd, 1 - set);
}

int tags_store(struct tags *t)
{
	int fd[M_N], err = 0, i;
	__u32 zero = 0;
	struct ew_tagsel none = {0};

	for (i = 0; i < M_N && !err; i++)
		if ((fd[i] = loader_map_open(names[i])) < 0)
			err = fd[i];
	if (!err && t)
		err = flip(fd, t);
	else if (!err && bpf_map_update_elem(fd[M_SEL], &zero, &none, BPF_ANY))
		err = -errno;
	else if (!err)
		err = empty_all(fd, -1);
	while (i-- > 0)
		if (fd[i] >= 0)
			close(fd[i]);
	if (err)
		ew_err("couldn't write the policy's tags to the kernel: %s", strerror(-err));
	return err;
}
