// SPDX-License-Identifier: GPL-2.0
/* defrag: IPv4/IPv6 reassembly in any order, first-wins overlaps, bad
 * fragments, timeouts and caps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "capture/defrag.h"
#include "unit/reasm_util.h"

#define SEC 1000000000ull

/* The whole datagram: UDP 10.0.0.1:5000 -> 10.0.0.2:53 with 64 bytes. */
static size_t whole_v4(uint8_t *d)
{
	char body[64];

	for (int i = 0; i < 64; i++)
		body[i] = (char)('A' + i % 26);
	return build_v4(d, 17, CLI_IP, SRV_IP, 5000, 53, 0, 0, 0, 0, body, 64);
}

/* Cuts IP payload bytes [off, off+len) of the datagram d into fragment f. */
static size_t frag_v4(uint8_t *f, const uint8_t *d, size_t off, size_t len, int more)
{
	memcpy(f, d, 20);
	memcpy(f + 20, d + 20 + off, len);
	put16(f + 2, (unsigned)(20 + len));
	put16(f + 4, 0x1234);
	put16(f + 6, (unsigned)(off / 8) | (more ? 0x2000 : 0));
	return 20 + len;
}

static int push(struct defrag *d, const uint8_t *f, size_t n, uint64_t ts, const uint8_t **out,
		size_t *out_len)
{
	return defrag_push(d, f, n, ts, out, out_len);
}

static void v4_any_order(void **state)
{
	uint8_t d[200], f[200];
	size_t n = whole_v4(d), out_len;
	const uint8_t *out;
	struct defrag *df = defrag_new(NULL);
	struct defrag_stats st;
	struct pkt p;
	struct pkt_err e;

	(void)state;
	assert_int_equal(n, 92); /* 20 IP + 8 UDP + 64 */
	assert_int_equal(push(df, f, frag_v4(f, d, 48, 24, 0), 1, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, d, 0, 24, 1), 2, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, d, 24, 24, 1), 3, &out, &out_len), 1);
	assert_int_equal(out_len, n);
	assert_memory_equal(out + 20, d + 20, n - 20);
	assert_int_equal(out[6] | out[7], 0);
	/* the result decodes as one UDP datagram */
	assert_int_equal(packet_decode_ip(out, out_len, 0, &p, &e), 0);
	assert_int_equal(p.flags, PKT_F_L4);
	assert_int_equal(p.len, 64);
	assert_int_equal(p.dport, 53);
	defrag_stats(df, &st);
	assert_int_equal(st.fragments, 3);
	assert_int_equal(st.reassembled, 1);
	assert_int_equal(st.bytes_held, 0);
	defrag_free(df);
}

/* Overlapping fragments: the bytes that came first are kept. */
static void v4_overlap_first_wins(void **state)
{
	uint8_t d[200], evil[200], f[200];
	size_t n = whole_v4(d), out_len;
	const uint8_t *out;
	struct defrag *df = defrag_new(NULL);
	struct defrag_stats st;

	(void)state;
	memcpy(evil, d, n);
	memset(evil + 20 + 16, 'Z', 16); /* other bytes at 16..32 */
	assert_int_equal(push(df, f, frag_v4(f, d, 0, 24, 1), 1, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, evil, 16, 56, 0), 2, &out, &out_len), 1);
	assert_memory_equal(out + 20, d + 20, 24);   /* 16..24 from the first */
	assert_memory_equal(out + 44, evil + 44, 8); /* 24..32 only in the second */
	defrag_stats(df, &st);
	assert_int_equal(st.overlaps, 1);
	assert_int_equal(st.conflicts, 1);
	defrag_free(df);
}

static void v4_bad_fragments(void **state)
{
	uint8_t d[200], f[200];
	const uint8_t *out;
	size_t out_len;
	struct defrag *df = defrag_new(NULL);
	struct defrag_stats st;

	(void)state;
	whole_v4(d);
	/* a non-last fragment whose length is not a multiple of 8 */
	assert_int_equal(push(df, f, frag_v4(f, d, 0, 20, 1), 1, &out, &out_len), -EINVAL);
	/* data past a last fragment already seen: the datagram is dropped */
	assert_int_equal(push(df, f, frag_v4(f, d, 8, 16, 0), 1, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, d, 32, 8, 1), 1, &out, &out_len), -EINVAL);
	/* a second last fragment with another end */
	assert_int_equal(push(df, f, frag_v4(f, d, 8, 16, 0), 1, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, d, 0, 16, 0), 1, &out, &out_len), -EINVAL);
	/* a datagram over 65535 bytes */
	frag_v4(f, d, 0, 8, 0);
	put16(f + 6, 8190);
	assert_int_equal(push(df, f, 28, 1, &out, &out_len), -EINVAL);
	assert_int_equal(push(df, f, 10, 1, &out, &out_len), -EINVAL);
	defrag_stats(df, &st);
	assert_int_equal(st.bad, 5);
	assert_int_equal(st.reassembled, 0);
	assert_int_equal(st.bytes_held, 0);
	defrag_free(df);
}

static void timeout_and_caps(void **state)
{
	uint8_t d[200], f[200];
	const uint8_t *out;
	size_t out_len;
	struct defrag_conf c;
	struct defrag *df;
	struct defrag_stats st;

	(void)state;
	defrag_conf_default(&c);
	c.timeout_ns = 5 * SEC;
	c.max_datagrams = 2;
	c.max_frags = 2;
	df = defrag_new(&c);
	whole_v4(d);
	assert_int_equal(push(df, f, frag_v4(f, d, 0, 24, 1), 0, &out, &out_len), 0);
	defrag_expire(df, 5 * SEC);
	defrag_stats(df, &st);
	assert_int_equal(st.timeouts, 0);
	defrag_expire(df, 5 * SEC + 1);
	defrag_stats(df, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.bytes_held, 0);
	/* the late rest can't complete anything */
	assert_int_equal(push(df, f, frag_v4(f, d, 24, 48, 0), 6 * SEC, &out, &out_len), 0);
	/* fragment cap: a third piece drops the datagram */
	assert_int_equal(push(df, f, frag_v4(f, d, 16, 8, 1), 6 * SEC, &out, &out_len), 0);
	assert_int_equal(push(df, f, frag_v4(f, d, 8, 8, 1), 6 * SEC, &out, &out_len), -ENOMEM);
	/* datagram cap: the oldest goes */
	for (unsigned id = 1; id <= 3; id++) {
		frag_v4(f, d, 0, 8, 1);
		put16(f + 4, id);
		assert_int_equal(push(df, f, 28, 7 * SEC, &out, &out_len), 0);
	}
	defrag_stats(df, &st);
	assert_int_equal(st.evicted, 2);
	assert_true(st.bytes_peak > 0);
	defrag_free(df);
}

/* IPv6: the fragment header goes, the next header is restored. */
static void v6_fragments(void **state)
{
	uint8_t f[200], whole[200];
	const uint8_t *out;
	size_t out_len;
	struct defrag *df = defrag_new(NULL);
	struct pkt p;
	struct pkt_err e;
	char body[40];

	(void)state;
	for (int i = 0; i < 40; i++)
		body[i] = (char)('a' + i % 26);
	/* whole: IPv6 + UDP(8) + 40 bytes; fragments carry 24 + 24 bytes */
	memset(whole, 0, 40);
	whole[0] = 0x60;
	whole[6] = 17;
	whole[7] = 64;
	whole[5] = 48;
	whole[23] = 2;
	whole[39] = 1;
	put16(whole + 40, 5353);
	put16(whole + 42, 53);
	put16(whole + 44, 48);
	memcpy(whole + 48, body, 40);
	for (int k = 1; k >= 0; k--) {
		memcpy(f, whole, 40);
		f[6] = 44;
		memset(f + 40, 0, 8);
		f[40] = 17;
		put16(f + 42, (unsigned)(k * 24) | (k ? 0 : 1));
		put32(f + 44, 0xabcdef);
		memcpy(f + 48, whole + 40 + k * 24, 24);
		put16(f + 4, 32);
		assert_int_equal(push(df, f, 72, 1, &out, &out_len), k ? 0 : 1);
	}
	assert_int_equal(out_len, 88);
	assert_int_equal(out[6], 17);
	assert_memory_equal(out, whole, 88);
	assert_int_equal(packet_decode_ip(out, out_len, 0, &p, &e), 0);
	assert_int_equal(p.len, 40);
	assert_memory_equal(p.payload, body, 40);
	defrag_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v4_any_order),	    cmocka_unit_test(v4_overlap_first_wins),
		cmocka_unit_test(v4_bad_fragments), cmocka_unit_test(timeout_and_caps),
		cmocka_unit_test(v6_fragments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
