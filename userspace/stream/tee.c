// SPDX-License-Identifier: GPL-2.0
/* tee: one stream consumer in front of two. */
#include <stdlib.h>

#include "tee.h"

struct tee_flow {
	const struct stream_tee *t;
	void *a, *b; /* each consumer's flow, NULL if it did not take it */
};

/* Without memory for the pair the flow is given up by both, counted. */
static void *tee_open(void *ctx, const struct flow_info *fi)
{
	struct stream_tee *t = ctx;
	void *a = t->a_ops->flow_open(t->a_ctx, fi);
	void *b = t->b_ops->flow_open(t->b_ctx, fi);
	struct tee_flow *f;

	if (!a && !b)
		return NULL;
	f = malloc(sizeof(*f));
	if (!f) {
		t->errors++;
		if (a)
			t->a_ops->flow_close(a, STREAM_CLOSE_EVICT, fi->first_ts_ns);
		if (b)
			t->b_ops->flow_close(b, STREAM_CLOSE_EVICT, fi->first_ts_ns);
		return NULL;
	}
	*f = (struct tee_flow){.t = t, .a = a, .b = b};
	return f;
}

static void tee_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a && f->t->a_ops->data)
		f->t->a_ops->data(f->a, d, p, len, ts);
	if (f->b && f->t->b_ops->data)
		f->t->b_ops->data(f->b, d, p, len, ts);
}

static void tee_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a && f->t->a_ops->gap)
		f->t->a_ops->gap(f->a, d, len, ts);
	if (f->b && f->t->b_ops->gap)
		f->t->b_ops->gap(f->b, d, len, ts);
}

static void tee_end(void *flow, enum stream_dir d, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a && f->t->a_ops->end)
		f->t->a_ops->end(f->a, d, ts);
	if (f->b && f->t->b_ops->end)
		f->t->b_ops->end(f->b, d, ts);
}

static void tee_anomaly(void *flow, enum stream_dir d, unsigned what, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a && f->t->a_ops->anomaly)
		f->t->a_ops->anomaly(f->a, d, what, ts);
	if (f->b && f->t->b_ops->anomaly)
		f->t->b_ops->anomaly(f->b, d, what, ts);
}

static void tee_packet(void *flow, enum stream_dir d, const uint8_t *ip, size_t len, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a && f->t->a_ops->packet)
		f->t->a_ops->packet(f->a, d, ip, len, ts);
	if (f->b && f->t->b_ops->packet)
		f->t->b_ops->packet(f->b, d, ip, len, ts);
}

static void tee_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct tee_flow *f = flow;

	if (f->a)
		f->t->a_ops->flow_close(f->a, why, ts);
	if (f->b)
		f->t->b_ops->flow_close(f->b, why, ts);
	free(f);
}

const struct stream_ops *stream_tee_ops(void)
{
	static const struct stream_ops ops = {
		.flow_open = tee_open,
		.data = tee_data,
		.gap = tee_gap,
		.end = tee_end,
		.flow_close = tee_close,
		.anomaly = tee_anomaly,
		.packet = tee_packet,
	};

	return &ops;
}
