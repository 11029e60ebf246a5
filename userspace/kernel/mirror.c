// SPDX-License-Identifier: GPL-2.0
/* Ring-buffer consumer for the TC mirror: kernel records in, timestamped
 * packets out to a callback (pcapng.c in `edgeward run`). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "mirror.h"

struct mirror {
	struct ring_buffer *rb;
	mirror_cb cb;
	void *ctx;
	int64_t wall_offset_ns;
	uint64_t seen;
	uint64_t bad;
};

int mirror_decode(const void *raw, size_t size, int64_t wall_offset_ns, struct mirror_pkt *pkt)
{
	const struct ew_mirror_rec *rec = raw;

	if (size < sizeof(*rec) || rec->cap_len > size - sizeof(*rec) ||
	    rec->cap_len > rec->orig_len)
		return -EINVAL;
	pkt->rec = rec;
	pkt->data = rec->data;
	pkt->cap_len = rec->cap_len;
	pkt->orig_len = rec->orig_len;
	pkt->ifindex = rec->ifindex;
	pkt->ts_ns = (uint64_t)((int64_t)rec->ts_ns + wall_offset_ns);
	return 0;
}

int64_t mirror_wall_offset(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000 + (rt.tv_nsec - mono.tv_nsec);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct mirror *m = ctx;
	struct mirror_pkt pkt;

	m->seen++;
	if (mirror_decode(data, size, m->wall_offset_ns, &pkt)) {
		m->bad++;
		return 0;
	}
	return m->cb(&pkt, m->ctx);
}

struct mirror *mirror_new(int ringbuf_fd, mirror_cb cb, void *ctx)
{
	struct mirror *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cb = cb;
	m->ctx = ctx;
	m->wall_offset_ns = mirror_wall_offset();
	m->rb = ring_buffer__new(ringbuf_fd, on_record, m, NULL);
	if (!m->rb) {
		free(m);
		return NULL;
	}
	return m;
}

int mirror_poll(struct mirror *m, int timeout_ms)
{
	int n = ring_buffer__poll(m->rb, timeout_ms);

	return n == -EINTR ? 0 : n;
}

int mirror_fd(const struct mirror *m)
{
	return ring_buffer__epoll_fd(m->rb);
}

uint64_t mirror_seen(const struct mirror *m)
{
	return m->seen;
}

uint64_t mirror_bad(const struct mirror *m)
{
	return m->bad;
}

void mirror_free(struct mirror *m)
{
	if (!m)
		return;
	ring_buffer__free(m->rb);
	free(m);
}
