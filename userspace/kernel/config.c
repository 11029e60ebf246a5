// SPDX-License-Identifier: GPL-2.0
/* EW_MAP_CONFIG, mapped: the agent's heartbeat and settings, and the
 * steering flags the proxy flips (kernel/steer.c). Single fields are
 * stored with atomic operations; the programs read them as they come. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "loader.h"

struct config {
	struct ew_config *v; /* element 0 of the mapped array */
	size_t len;
};

struct config *config_open(void)
{
	struct config *c = calloc(1, sizeof(*c));
	long page = sysconf(_SC_PAGESIZE);
	int fd, err;

	if (!c)
		return NULL;
	fd = loader_map_open(EW_MAP_CONFIG);
	if (fd < 0) {
		free(c);
		errno = -fd;
		return NULL;
	}
	c->len = (size_t)(page > 0 ? page : 4096);
	c->v = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd); /* the mapping holds the map */
	if (c->v == MAP_FAILED) {
		free(c);
		errno = err;
		return NULL;
	}
	return c;
}

void config_close(struct config *c)
{
	if (!c)
		return;
	munmap(c->v, c->len);
	free(c);
}

void config_store(struct config *c, const struct ew_config *v)
{
	__atomic_store_n(&c->v->stale_after_ns, v->stale_after_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&c->v->mirror_cap, v->mirror_cap, __ATOMIC_RELAXED);
	__atomic_store_n(&c->v->flow_ttl_s, v->flow_ttl_s, __ATOMIC_RELAXED);
	__atomic_store_n(&c->v->steer_mark, v->steer_mark, __ATOMIC_RELAXED);
	/* Last: a fresh heartbeat makes the rest count. */
	__atomic_store_n(&c->v->heartbeat_ns, v->heartbeat_ns, __ATOMIC_RELEASE);
}

void config_beat(struct config *c, __u64 now_ns)
{
	__atomic_store_n(&c->v->heartbeat_ns, now_ns, __ATOMIC_RELEASE);
}

__u32 config_flags(struct config *c, __u32 set, __u32 clear)
{
	__u32 old = __atomic_load_n(&c->v->steer_flags, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(&c->v->steer_flags, &old, (old | set) & ~clear, 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	return old;
}

void config_read(const struct config *c, struct ew_config *out)
{
	out->heartbeat_ns = __atomic_load_n(&c->v->heartbeat_ns, __ATOMIC_ACQUIRE);
	out->stale_after_ns = __atomic_load_n(&c->v->stale_after_ns, __ATOMIC_RELAXED);
	out->mirror_cap = __atomic_load_n(&c->v->mirror_cap, __ATOMIC_RELAXED);
	out->flow_ttl_s = __atomic_load_n(&c->v->flow_ttl_s, __ATOMIC_RELAXED);
	out->steer_flags = __atomic_load_n(&c->v->steer_flags, __ATOMIC_RELAXED);
	out->steer_mark = __atomic_load_n(&c->v->steer_mark, __ATOMIC_RELAXED);
}
