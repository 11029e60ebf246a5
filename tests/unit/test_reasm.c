// SPDX-License-Identifier: GPL-2.0
/* reasm: TCP/UDP reassembly contracts, fed through packet_decode with
 * crafted raw IPv4 frames and an injected packet clock. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "capture/seglist.h"
#include "unit/reasm_util.h"

#define SEC   1000000000ull
#define C2S   1
#define S2C   0
#define ISN_C 1000u
#define ISN_S 5000u

struct t {
	struct rec rec;
	struct reasm *r;
	uint64_t now;
	uint32_t tsval; /* TCP timestamp to send; 0: none */
	uint64_t pkts;	/* packets sent: the next one's number is pkts + 1 */
};

static struct t *t_new(const struct reasm_conf *c)
{
	struct t *t = calloc(1, sizeof(*t));

	t->r = reasm_new(c, &rec_ops, &t->rec);
	assert_non_null(t->r);
	t->now = 1700000000ull * SEC;
	return t;
}

static void t_free(struct t *t)
{
	reasm_free(t->r);
	free(t);
}

/* Sends one TCP segment; c2s picks the direction. */
static void seg(struct t *t, int c2s, uint32_t seq, uint32_t ack, uint8_t fl, const char *data,
		size_t len)
{
	uint8_t f[1600];
	size_t n;
	struct pkt p;
	struct pkt_err e;

	n = c2s ? build_v4(f, 6, CLI_IP, SRV_IP, CLI_PORT, SRV_PORT, seq, ack, fl, t->tsval, data,
			   len)
		: build_v4(f, 6, SRV_IP, CLI_IP, SRV_PORT, CLI_PORT, seq, ack, fl, t->tsval, data,
			   len);
	t->now += 1000;
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, ++t->pkts, t->now, &p, &e), 0);
	assert_int_equal(reasm_push(t->r, &p), 0);
}

#define SEGS(t, d, seq, ack, fl, s) seg(t, d, seq, ack, fl, s, strlen(s))

static void handshake(struct t *t, uint32_t ic, uint32_t is)
{
	seg(t, C2S, ic, 0, PKT_SYN, "", 0);
	seg(t, S2C, is, ic + 1, PKT_SYN | PKT_ACK, "", 0);
	seg(t, C2S, ic + 1, is + 1, PKT_ACK, "", 0);
}

static struct rec_flow *flow0(struct t *t)
{
	assert_int_equal(t->rec.nflows, 1);
	return &t->rec.flows[0];
}

static struct reasm_stats stats(struct t *t)
{
	struct reasm_stats st;

	reasm_stats(t->r, &st);
	return st;
}

static void in_order_fin(void **state)
{
	struct t *t = t_new(NULL);
	struct rec_flow *f;

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, C2S, ISN_C + 1, ISN_S + 1, PKT_ACK | PKT_PSH, "GET / HTTP/1.1\r\n\r\n");
	SEGS(t, S2C, ISN_S + 1, ISN_C + 19, PKT_ACK | PKT_PSH, "HTTP/1.1 200 OK\r\n");
	seg(t, S2C, ISN_S + 18, ISN_C + 19, PKT_ACK | PKT_FIN, "", 0);
	seg(t, C2S, ISN_C + 19, ISN_S + 19, PKT_ACK | PKT_FIN, "", 0);
	f = flow0(t);
	assert_string_equal(f->out[STREAM_C2S], "GET / HTTP/1.1\r\n\r\n<end>");
	assert_string_equal(f->out[STREAM_S2C], "HTTP/1.1 200 OK\r\n<end>");
	assert_int_equal(f->closed, 1);
	assert_int_equal(f->why, STREAM_CLOSE_FIN);
	assert_int_equal(f->fi.flags, 0);
	assert_int_equal(f->fi.client_port, CLI_PORT);
	assert_int_equal(f->fi.server_port, SRV_PORT);
	assert_int_equal(f->fi.id, 1);
	/* the last ACK hits the closed flow's tombstone and opens nothing */
	seg(t, S2C, ISN_S + 19, ISN_C + 20, PKT_ACK, "", 0);
	assert_int_equal(stats(t).drops[REASM_DROP_CLOSED], 1);
	assert_int_equal(stats(t).flows, 1);
	assert_int_equal(stats(t).bytes, 35);
	t_free(t);
}

static void one_byte_segments(void **state)
{
	struct t *t = t_new(NULL);
	const char *msg = "one byte at a time";

	(void)state;
	handshake(t, ISN_C, ISN_S);
	for (size_t i = 0; i < strlen(msg); i++)
		seg(t, S2C, ISN_S + 1 + (uint32_t)i, ISN_C + 1, PKT_ACK, msg + i, 1);
	reasm_flush(t->r);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "one byte at a time<end>");
	assert_int_equal(flow0(t)->why, STREAM_CLOSE_EOF);
	assert_int_equal(stats(t).buffered_peak, 0);
	t_free(t);
}

static void reversed_order(void **state)
{
	struct t *t = t_new(NULL);
	const char *msg = "0123456789abcdefghij";

	(void)state;
	handshake(t, ISN_C, ISN_S);
	for (int i = 19; i >= 0; i--) {
		seg(t, S2C, ISN_S + 1 + (uint32_t)i, ISN_C + 1, PKT_ACK, msg + i, 1);
		if (i) /* nothing is delivered before the first byte comes */
			assert_string_equal(flow0(t)->out[STREAM_S2C], "");
	}
	assert_string_equal(flow0(t)->out[STREAM_S2C], msg);
	assert_int_equal(stats(t).buffered, 0);
	/* the last byte met held ones, so it was held too before the drain */
	assert_int_equal(stats(t).buffered_peak, 20 * seglist_cost(1));
	t_free(t);
}

/* First wins: held bytes are never replaced; conflicts are flagged. */
static void overlap_conflict(void **state)
{
	struct t *t = t_new(NULL);
	struct rec_flow *f;

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 5, ISN_C + 1, PKT_ACK, "XXXX");	 /* held, off 4 */
	SEGS(t, S2C, ISN_S + 7, ISN_C + 1, PKT_ACK, "YYYYzz");	 /* YY conflict */
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "abcdefgh"); /* efgh too */
	f = flow0(t);
	assert_string_equal(f->out[STREAM_S2C], "abcdXXXXYYzz");
	assert_int_equal(f->anomalies, 2);
	assert_int_equal(stats(t).overlaps, 2);
	assert_int_equal(stats(t).conflicts, 2);
	/* an identical copy overlapping held bytes is no conflict */
	SEGS(t, S2C, ISN_S + 15, ISN_C + 1, PKT_ACK, "mn"); /* held, off 14 */
	SEGS(t, S2C, ISN_S + 13, ISN_C + 1, PKT_ACK, "klmn");
	assert_string_equal(f->out[STREAM_S2C], "abcdXXXXYYzzklmn");
	assert_int_equal(stats(t).overlaps, 3);
	assert_int_equal(stats(t).conflicts, 2);
	assert_int_equal(f->anomalies, 2);
	t_free(t);
}

/* Retransmissions of delivered bytes, even with other bytes, change
 * nothing; one that repeats a recent segment with other bytes is flagged. */
static void retransmission_different(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "hello ");
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "hello "); /* same: fine */
	assert_int_equal(stats(t).conflicts, 0);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "HELLO ");	 /* other bytes */
	SEGS(t, S2C, ISN_S + 4, ISN_C + 1, PKT_ACK, "LO world"); /* partial */
	assert_string_equal(flow0(t)->out[STREAM_S2C], "hello world");
	assert_int_equal(stats(t).drops[REASM_DROP_OLD], 2);
	assert_int_equal(stats(t).overlaps, 1);
	assert_int_equal(stats(t).conflicts, 1);
	assert_int_equal(flow0(t)->anomalies, 1);
	/* resends that differ in one byte, anywhere in a 33-byte segment */
	for (int i = 0; i < 33; i++) {
		char a[33] = {0}, b[33] = {0};
		uint32_t seq = ISN_S + 12 + 33 * (uint32_t)i;

		a[i] = ';';
		seg(t, S2C, seq, ISN_C + 1, PKT_ACK, a, 33);
		seg(t, S2C, seq, ISN_C + 1, PKT_ACK, b, 33);
		assert_int_equal(stats(t).conflicts, 2 + i);
	}
	t_free(t);
}

static void wraparound(void **state)
{
	struct t *t = t_new(NULL);
	uint32_t isn = 0xfffffff0u;

	(void)state;
	handshake(t, ISN_C, isn);
	SEGS(t, S2C, isn + 1, ISN_C + 1, PKT_ACK, "0123456789");  /* to 0xfffffffa */
	SEGS(t, S2C, isn + 21, ISN_C + 1, PKT_ACK, "klmnopqrst"); /* past 2^32 */
	SEGS(t, S2C, isn + 11, ISN_C + 1, PKT_ACK, "abcdefghij"); /* crosses it */
	seg(t, S2C, isn + 31, ISN_C + 1, PKT_ACK | PKT_FIN, "", 0);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "0123456789abcdefghijklmnopqrst<end>");
	t_free(t);
}

static void midstream_pickup(void **state)
{
	struct t *t = t_new(NULL);
	struct rec_flow *f;

	(void)state;
	seg(t, C2S, 77, 99, PKT_ACK, "", 0); /* a bare ACK opens nothing */
	assert_int_equal(t->rec.nflows, 0);
	assert_int_equal(stats(t).drops[REASM_DROP_NO_FLOW], 1);
	SEGS(t, S2C, 123456, 777, PKT_ACK, "ody of a response");
	SEGS(t, C2S, 777, 123473, PKT_ACK, "GET /next");
	reasm_flush(t->r);
	f = flow0(t);
	assert_int_equal(f->fi.flags, FLOW_MIDSTREAM);
	assert_int_equal(f->fi.server_port, SRV_PORT); /* the lower port */
	assert_string_equal(f->out[STREAM_S2C], "ody of a response<end>");
	assert_string_equal(f->out[STREAM_C2S], "GET /next<end>");
	assert_int_equal(stats(t).midstream, 1);
	t_free(t);
}

/* A hole is given up on when the receiver ACKs past it. */
static void gap_on_ack(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "aaaaaaaaaa");
	SEGS(t, S2C, ISN_S + 21, ISN_C + 1, PKT_ACK, "cccccccccc");
	seg(t, C2S, ISN_C + 1, ISN_S + 11, PKT_ACK, "", 0); /* no: not past */
	assert_string_equal(flow0(t)->out[STREAM_S2C], "aaaaaaaaaa");
	seg(t, C2S, ISN_C + 1, ISN_S + 31, PKT_ACK, "", 0);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "aaaaaaaaaa<gap 10>cccccccccc");
	/* the lost bytes arriving late are old now */
	SEGS(t, S2C, ISN_S + 11, ISN_C + 1, PKT_ACK, "bbbbbbbbbb");
	assert_int_equal(stats(t).drops[REASM_DROP_OLD], 1);
	assert_int_equal(stats(t).gaps, 1);
	assert_int_equal(stats(t).gap_bytes, 10);
	t_free(t);
}

/* At the end of input every hole is a gap; the FIN's lost tail too. */
static void gap_on_flush(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "aa");
	SEGS(t, S2C, ISN_S + 5, ISN_C + 1, PKT_ACK, "cc");
	seg(t, S2C, ISN_S + 10, ISN_C + 1, PKT_ACK | PKT_FIN, "", 0);
	reasm_flush(t->r);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "aa<gap 2>cc<gap 3><end>");
	assert_string_equal(flow0(t)->out[STREAM_C2S], "<end>");
	assert_int_equal(flow0(t)->why, STREAM_CLOSE_EOF);
	t_free(t);
}

/* Bytes held past a FIN that came later are not data. */
static void held_past_fin(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 5, ISN_C + 1, PKT_ACK, "ccccdddd");     /* held 4..12 */
	seg(t, S2C, ISN_S + 7, ISN_C + 1, PKT_ACK | PKT_FIN, "", 0); /* FIN at 6 */
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "aaaa");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "aaaacc<end>");
	assert_int_equal(stats(t).buffered, 0);
	t_free(t);
}

static void rst_closes(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "partial");
	seg(t, S2C, ISN_S + 100000000, 0, PKT_RST, "", 0); /* out of window */
	assert_int_equal(stats(t).drops[REASM_DROP_RST_WINDOW], 1);
	assert_int_equal(flow0(t)->closed, 0);
	seg(t, S2C, ISN_S + 8, 0, PKT_RST, "", 0);
	assert_int_equal(flow0(t)->closed, 1);
	assert_int_equal(flow0(t)->why, STREAM_CLOSE_RST);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "partial<end>");
	SEGS(t, S2C, ISN_S + 8, ISN_C + 1, PKT_ACK, "more");
	assert_int_equal(stats(t).drops[REASM_DROP_CLOSED], 1);
	/* a new SYN on the same tuple is a new connection, its id the
	 * number of that SYN */
	assert_int_equal(t->rec.flows[0].fi.id, 1);
	handshake(t, 9000, 19000);
	assert_int_equal(t->rec.nflows, 2);
	assert_int_equal(t->rec.flows[1].fi.id, t->pkts - 2);
	t_free(t);
}

static void idle_and_hard_timeouts(void **state)
{
	struct reasm_conf c;
	struct t *t;

	(void)state;
	reasm_conf_default(&c);
	c.tcp_idle_ns = 10 * SEC;
	c.hard_ns = 100 * SEC;
	t = t_new(&c);
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "x");
	reasm_expire(t->r, t->now + 10 * SEC); /* not yet: limit is "more than" */
	assert_int_equal(flow0(t)->closed, 0);
	reasm_expire(t->r, t->now + 10 * SEC + 1);
	assert_int_equal(flow0(t)->closed, 1);
	assert_int_equal(flow0(t)->why, STREAM_CLOSE_TIMEOUT);
	assert_string_equal(flow0(t)->out[STREAM_S2C], "x<end>");
	/* hard timeout: active all along, closed 100 s after its start */
	t->now += 20 * SEC;
	handshake(t, 9000, 19000);
	for (int i = 0; i < 12; i++) {
		t->now += 9 * SEC;
		seg(t, S2C, 19001 + (uint32_t)i, 9001, PKT_ACK, "y", 1);
	}
	/* 108 s in, the 12th segment found the flow gone and opened a new,
	 * mid-stream one */
	assert_int_equal(t->rec.nflows, 3);
	assert_int_equal(t->rec.flows[1].why, STREAM_CLOSE_TIMEOUT);
	assert_string_equal(t->rec.flows[1].out[STREAM_S2C], "yyyyyyyyyyy<end>");
	assert_int_equal(t->rec.flows[2].fi.flags, FLOW_MIDSTREAM);
	assert_int_equal(stats(t).timeouts, 2);
	t_free(t);
}

static void per_flow_cap(void **state)
{
	struct reasm_conf c;
	struct t *t;

	(void)state;
	reasm_conf_default(&c);
	c.flow_buf_max = 2 * seglist_cost(4); /* two held 4-byte segments */
	t = t_new(&c);
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 3, ISN_C + 1, PKT_ACK, "cccc");
	SEGS(t, S2C, ISN_S + 7, ISN_C + 1, PKT_ACK, "dddd");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "");
	SEGS(t, S2C, ISN_S + 13, ISN_C + 1, PKT_ACK, "ffff"); /* over the cap */
	assert_string_equal(flow0(t)->out[STREAM_S2C], "<gap 2>ccccdddd");
	assert_int_equal(stats(t).gaps, 1);
	assert_int_equal(stats(t).buffered, seglist_cost(4));
	t_free(t);
}

/* The segment-count cap: 1-byte segments in scattered order. */
static void per_flow_segment_cap(void **state)
{
	struct reasm_conf c;
	struct t *t;

	(void)state;
	reasm_conf_default(&c);
	c.flow_segs_max = 3;
	t = t_new(&c);
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 9, ISN_C + 1, PKT_ACK, "i");
	SEGS(t, S2C, ISN_S + 3, ISN_C + 1, PKT_ACK, "c");
	SEGS(t, S2C, ISN_S + 6, ISN_C + 1, PKT_ACK, "f");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "");
	SEGS(t, S2C, ISN_S + 5, ISN_C + 1, PKT_ACK, "e"); /* a fourth: over */
	assert_string_equal(flow0(t)->out[STREAM_S2C], "<gap 2>c");
	SEGS(t, S2C, ISN_S + 4, ISN_C + 1, PKT_ACK, "d");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "<gap 2>cdef");
	assert_int_equal(stats(t).buffered, seglist_cost(1));
	t_free(t);
}

static void global_cap_evicts(void **state)
{
	struct reasm_conf c;
	struct t *t;

	(void)state;
	reasm_conf_default(&c);
	c.total_buf_max = 3 * seglist_cost(4);
	t = t_new(&c);
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 3, ISN_C + 1, PKT_ACK, "aaaa");
	SEGS(t, S2C, ISN_S + 9, ISN_C + 1, PKT_ACK, "bbbb");
	/* a second flow from another client port */
	{
		uint8_t f[1600];
		struct pkt p;
		struct pkt_err e;
		size_t n;

		n = build_v4(f, 6, SRV_IP, CLI_IP, SRV_PORT, CLI_PORT + 1, 70, 0, PKT_ACK, 0,
			     "zzzzzzzz", 8);
		assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 9, t->now, &p, &e), 0);
		assert_int_equal(reasm_push(t->r, &p), 0); /* mid-stream, in order */
		n = build_v4(f, 6, SRV_IP, CLI_IP, SRV_PORT, CLI_PORT + 1, 88, 0, PKT_ACK, 0,
			     "hhhhhhhh", 8);
		assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 10, t->now, &p, &e), 0);
		assert_int_equal(reasm_push(t->r, &p), 0); /* held: over the cap */
	}
	assert_int_equal(t->rec.nflows, 2);
	assert_int_equal(t->rec.flows[0].closed, 1);
	assert_int_equal(t->rec.flows[0].why, STREAM_CLOSE_EVICT);
	assert_string_equal(t->rec.flows[0].out[STREAM_S2C], "<gap 2>aaaa<gap 2>bbbb<end>");
	assert_int_equal(t->rec.flows[1].closed, 0);
	assert_int_equal(stats(t).evictions, 1);
	assert_int_equal(stats(t).buffered, seglist_cost(8));
	t_free(t);
}

/* A consumer that counts each flow's bytes, for tests with many flows:
 * the flow's slot is its client port less MANY_PORT. */
#define MANY_PORT  10000
#define MANY_FLOWS 3000

static uint64_t many_bytes[MANY_FLOWS];

static void *many_open(void *ctx, const struct flow_info *fi)
{
	(void)ctx;
	return &many_bytes[fi->client_port - MANY_PORT];
}

static void many_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	(void)d, (void)p, (void)ts;
	*(uint64_t *)flow += len;
}

static void many_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	(void)flow, (void)d, (void)len, (void)ts;
}

static void many_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow, (void)d, (void)ts;
}

static void many_close(void *flow, enum stream_close why, uint64_t ts)
{
	(void)flow, (void)why, (void)ts;
}

static const struct stream_ops many_ops = {many_open, many_data, many_gap, many_end, many_close,
					   NULL};

static void many_seg(struct reasm *r, uint64_t *num, unsigned port, uint32_t seq, uint8_t fl,
		     const char *data)
{
	uint8_t f[1600];
	size_t n = build_v4(f, 6, CLI_IP, SRV_IP, port, SRV_PORT, seq, 0, fl, 0, data,
			    strlen(data));
	struct pkt p;
	struct pkt_err e;

	++*num;
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, *num, 1700000000ull * SEC + *num, &p, &e),
			 0);
	assert_int_equal(reasm_push(r, &p), 0);
}

/* The flow table starts small and grows with the flows: every flow is
 * found again after the buckets doubled under it. */
static void many_flows_grow_the_table(void **state)
{
	struct reasm_conf c;
	struct reasm *r;
	uint64_t num = 0;

	(void)state;
	reasm_conf_default(&c);
	c.max_flows = 4 * MANY_FLOWS;
	r = reasm_new(&c, &many_ops, NULL);
	assert_non_null(r);
	memset(many_bytes, 0, sizeof(many_bytes));
	for (unsigned i = 0; i < MANY_FLOWS; i++) {
		many_seg(r, &num, MANY_PORT + i, ISN_C, PKT_SYN, "");
		many_seg(r, &num, MANY_PORT + i, ISN_C + 1, PKT_ACK, "x");
	}
	for (unsigned i = MANY_FLOWS; i-- > 0;)
		many_seg(r, &num, MANY_PORT + i, ISN_C + 2, PKT_ACK, "yz");
	for (unsigned i = 0; i < MANY_FLOWS; i++)
		assert_int_equal(many_bytes[i], 3);
	{
		struct reasm_stats st;

		reasm_stats(r, &st);
		assert_int_equal(st.flows, MANY_FLOWS);
		assert_int_equal(st.flows_active, MANY_FLOWS);
		assert_int_equal(st.evictions, 0);
		assert_int_equal(st.midstream, 0);
	}
	reasm_free(r);
}

/* A direction holds out-of-order bytes only while a hole is open; the
 * list comes and goes with each hole, and the counts follow it. */
static void held_bytes_come_and_go(void **state)
{
	struct t *t = t_new(NULL);
	char want[2 * 100 + 1];

	(void)state;
	handshake(t, ISN_C, ISN_S);
	for (int i = 0; i < 100; i++) {
		uint32_t seq = ISN_S + 1 + 2 * (uint32_t)i;

		SEGS(t, S2C, seq + 1, ISN_C + 1, PKT_ACK, "b");
		assert_int_equal(stats(t).buffered, seglist_cost(1));
		SEGS(t, S2C, seq, ISN_C + 1, PKT_ACK, "a");
		assert_int_equal(stats(t).buffered, 0);
		want[2 * i] = 'a';
		want[2 * i + 1] = 'b';
	}
	want[200] = 0;
	assert_string_equal(flow0(t)->out[STREAM_S2C], want);
	/* the filling byte meets the held one, so it is held before the drain */
	assert_int_equal(stats(t).buffered_peak, 2 * seglist_cost(1));
	t_free(t);
}

static void max_flows_evicts_idlest(void **state)
{
	struct reasm_conf c;
	struct t *t;
	uint8_t f[1600];
	struct pkt p;
	struct pkt_err e;

	(void)state;
	reasm_conf_default(&c);
	c.max_flows = 2;
	t = t_new(&c);
	for (unsigned i = 0; i < 3; i++) {
		size_t n = build_v4(f, 17, CLI_IP, SRV_IP, 5000 + i, 53, 0, 0, 0, 0, "q", 1);

		assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, i + 1, t->now + i, &p, &e), 0);
		assert_int_equal(reasm_push(t->r, &p), 0);
	}
	assert_int_equal(t->rec.nflows, 3);
	assert_int_equal(t->rec.flows[0].why, STREAM_CLOSE_EVICT);
	assert_int_equal(t->rec.flows[0].closed, 1);
	assert_int_equal(t->rec.flows[1].closed, 0);
	assert_int_equal(stats(t).evictions, 1);
	assert_int_equal(stats(t).flows_active, 2);
	t_free(t);
}

/* PAWS: a segment with an older timestamp is dropped, as Linux does. */
static void paws_drop(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	t->tsval = 1000;
	handshake(t, ISN_C, ISN_S);
	t->tsval = 2000;
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "good ");
	t->tsval = 1500; /* older: a forged segment with other bytes */
	SEGS(t, S2C, ISN_S + 6, ISN_C + 1, PKT_ACK, "EVIL!");
	t->tsval = 1999; /* one tick older: tolerated, as in Linux */
	SEGS(t, S2C, ISN_S + 6, ISN_C + 1, PKT_ACK, "bytes");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "good bytes");
	assert_int_equal(stats(t).drops[REASM_DROP_PAWS], 1);
	t_free(t);
}

/* SYN-SENT: segments from the server before its SYN-ACK are ignored, and
 * so is the client's RST there (capture sv bug-3286-02). */
static void syn_sent_checks(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	t->tsval = 5000;
	seg(t, C2S, ISN_C, 0, PKT_SYN, "", 0);
	t->tsval = 100; /* echoes a timestamp the client never sent */
	seg(t, S2C, 0, ISN_C + 1, PKT_ACK | PKT_RST, "", 0);
	seg(t, S2C, 0, ISN_C + 1, PKT_ACK | PKT_FIN, "", 0);
	t->tsval = 5000;
	seg(t, C2S, ISN_C + 1, 0, PKT_RST, "", 0);
	assert_int_equal(stats(t).drops[REASM_DROP_PAWS], 1);
	assert_int_equal(stats(t).drops[REASM_DROP_HANDSHAKE], 2);
	seg(t, S2C, ISN_S, ISN_C + 1, PKT_SYN | PKT_ACK, "", 0);
	SEGS(t, C2S, ISN_C + 1, ISN_S + 1, PKT_ACK, "GET");
	SEGS(t, S2C, ISN_S + 1, ISN_C + 4, PKT_ACK, "200");
	reasm_flush(t->r);
	assert_string_equal(flow0(t)->out[STREAM_C2S], "GET<end>");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "200<end>");
	t_free(t);
}

/* TCP Fast Open: data in the SYN is the first bytes of the stream. */
static void fast_open(void **state)
{
	struct t *t = t_new(NULL);

	(void)state;
	SEGS(t, C2S, ISN_C, 0, PKT_SYN, "GET /tfo");
	seg(t, S2C, ISN_S, ISN_C + 9, PKT_SYN | PKT_ACK, "", 0);
	SEGS(t, C2S, ISN_C, 0, PKT_SYN, "GET /tfo"); /* retransmitted SYN */
	SEGS(t, C2S, ISN_C + 9, ISN_S + 1, PKT_ACK, " HTTP/1.1");
	reasm_flush(t->r);
	assert_string_equal(flow0(t)->out[STREAM_C2S], "GET /tfo HTTP/1.1<end>");
	assert_int_equal(flow0(t)->fi.flags, 0);
	t_free(t);
}

static void udp_datagrams(void **state)
{
	struct t *t = t_new(NULL);
	uint8_t f[1600];
	struct pkt p;
	struct pkt_err e;
	size_t n;

	(void)state;
	n = build_v4(f, 17, CLI_IP, SRV_IP, 33333, 53, 0, 0, 0, 0, "query", 5);
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, ++t->pkts, t->now, &p, &e), 0);
	assert_int_equal(reasm_push(t->r, &p), 0);
	n = build_v4(f, 17, SRV_IP, CLI_IP, 53, 33333, 0, 0, 0, 0, "answer", 6);
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 2, t->now, &p, &e), 0);
	assert_int_equal(reasm_push(t->r, &p), 0);
	reasm_flush(t->r);
	assert_int_equal(flow0(t)->fi.proto, 17);
	assert_int_equal(flow0(t)->fi.server_port, 53);
	assert_string_equal(flow0(t)->out[STREAM_C2S], "query<end>");
	assert_string_equal(flow0(t)->out[STREAM_S2C], "answer<end>");
	t_free(t);
}

static void *ignore_open(void *ctx, const struct flow_info *fi)
{
	(void)fi;
	(*(int *)ctx)++;
	return NULL;
}

/* A flow nobody wants holds no bytes, and still ends on its FINs. */
static void uninterested(void **state)
{
	struct stream_ops ops = rec_ops;
	int opened = 0;
	struct t *t = t_new(NULL);

	(void)state;
	reasm_free(t->r);
	ops.flow_open = ignore_open;
	t->r = reasm_new(NULL, &ops, &opened);
	handshake(t, ISN_C, ISN_S);
	SEGS(t, S2C, ISN_S + 11, ISN_C + 1, PKT_ACK, "later");
	SEGS(t, S2C, ISN_S + 1, ISN_C + 1, PKT_ACK, "first");
	seg(t, S2C, ISN_S + 16, ISN_C + 1, PKT_ACK | PKT_FIN, "", 0);
	seg(t, C2S, ISN_C + 1, ISN_S + 17, PKT_ACK | PKT_FIN, "", 0);
	assert_int_equal(opened, 1);
	assert_int_equal(stats(t).buffered_peak, 0);
	assert_int_equal(stats(t).flows_active, 0); /* closed by the FINs */
	t_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_fin),
		cmocka_unit_test(one_byte_segments),
		cmocka_unit_test(reversed_order),
		cmocka_unit_test(overlap_conflict),
		cmocka_unit_test(retransmission_different),
		cmocka_unit_test(wraparound),
		cmocka_unit_test(midstream_pickup),
		cmocka_unit_test(gap_on_ack),
		cmocka_unit_test(gap_on_flush),
		cmocka_unit_test(held_past_fin),
		cmocka_unit_test(rst_closes),
		cmocka_unit_test(idle_and_hard_timeouts),
		cmocka_unit_test(per_flow_cap),
		cmocka_unit_test(per_flow_segment_cap),
		cmocka_unit_test(global_cap_evicts),
		cmocka_unit_test(max_flows_evicts_idlest),
		cmocka_unit_test(many_flows_grow_the_table),
		cmocka_unit_test(held_bytes_come_and_go),
		cmocka_unit_test(paws_drop),
		cmocka_unit_test(syn_sent_checks),
		cmocka_unit_test(fast_open),
		cmocka_unit_test(udp_datagrams),
		cmocka_unit_test(uninterested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
