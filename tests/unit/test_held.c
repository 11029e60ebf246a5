// SPDX-License-Identifier: GPL-2.0
/* classify/held: packets come back byte for byte, with their times, in the
 * order they were added; the replay stops when asked; the byte cap refuses
 * a packet without losing the ones held. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "classify/held.h"

struct seen {
	unsigned n, stop_after;
	uint8_t bytes[4][HELD_BYTES_MAX];
	size_t len[4];
	uint64_t ts[4];
};

static bool record(void *ctx, const uint8_t *ip, size_t len, uint64_t ts_ns)
{
	struct seen *s = ctx;

	assert_true(s->n < 4);
	memcpy(s->bytes[s->n], ip, len);
	s->len[s->n] = len;
	s->ts[s->n] = ts_ns;
	s->n++;
	return s->n != s->stop_after;
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void empty(void **state)
{
	struct seen s = {0};

	(void)state;
	assert_int_equal(held_count(NULL), 0);
	held_replay(NULL, record, &s);
	assert_int_equal(s.n, 0);
	held_free(NULL);
}

/* A handshake: sizes as IPv4 and IPv6 give them, times that do not fit 32
 * bits, one zero-length datagram. */
static void in_order_byte_for_byte(void **state)
{
	static const size_t lens[4] = {60, 80, 0, 52};
	static const uint64_t ts[4] = {1700000000123456789ull, 1700000000123456790ull, 5,
				       UINT64_MAX};
	uint8_t pkt[4][80];
	struct held *h = NULL;
	struct seen s = {0};

	(void)state;
	for (int i = 0; i < 4; i++) {
		fill(pkt[i], lens[i], (uint8_t)(i * 31));
		assert_int_equal(held_add(&h, pkt[i], lens[i], ts[i]), 0);
		assert_int_equal(held_count(h), i + 1);
	}
	held_replay(h, record, &s);
	assert_int_equal(s.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(s.len[i], lens[i]);
		assert_memory_equal(s.bytes[i], pkt[i], lens[i]);
		assert_true(s.ts[i] == ts[i]);
	}
	held_free(h);
}

static void replay_stops(void **state)
{
	uint8_t pkt[40];
	struct held *h = NULL;
	struct seen s = {.stop_after = 2};

	(void)state;
	fill(pkt, sizeof(pkt), 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(held_add(&h, pkt, sizeof(pkt), (uint64_t)i), 0);
	held_replay(h, record, &s);
	assert_int_equal(s.n, 2);
	held_free(h);
}

/* Each packet costs its bytes and 10 more; what does not fit is refused
 * and what was held stays, unchanged. */
static void cap(void **state)
{
	uint8_t pkt[HELD_BYTES_MAX + 1];
	struct held *h = NULL;
	struct seen s = {0};

	(void)state;
	fill(pkt, sizeof(pkt), 9);
	assert_int_equal(held_add(&h, pkt, HELD_BYTES_MAX + 1, 1), -ENOSPC);
	assert_null(h);
	assert_int_equal(held_add(&h, pkt, HELD_BYTES_MAX - 9, 1), -ENOSPC);
	assert_null(h);
	assert_int_equal(held_add(&h, pkt, HELD_BYTES_MAX - 120, 2), 0);
	assert_int_equal(held_add(&h, pkt + 1, 101, 3), -ENOSPC);
	assert_int_equal(held_add(&h, pkt + 1, 100, 3), 0); /* exactly full */
	assert_int_equal(held_add(&h, pkt, 0, 4), -ENOSPC);
	assert_int_equal(held_count(h), 2);
	held_replay(h, record, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.len[0], HELD_BYTES_MAX - 120);
	assert_memory_equal(s.bytes[0], pkt, s.len[0]);
	assert_int_equal(s.len[1], 100);
	assert_memory_equal(s.bytes[1], pkt + 1, 100);
	assert_true(s.ts[1] == 3);
	held_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty),
		cmocka_unit_test(in_order_byte_for_byte),
		cmocka_unit_test(replay_stops),
		cmocka_unit_test(cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
