// SPDX-License-Identifier: GPL-2.0
/* range: stitching order, overlaps (first wins, conflicts), keys (host case,
 * query, validator, total), limits (size, count, held bytes, intervals),
 * expiry by time, and pieces that are themselves the whole object. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "object/range.h"

static const char body[] = "0123456789abcdefghijklmnopqrstuvwxyz"; /* 36 */
#define TOTAL 36u

static const struct range_key key = {
	.host = "Example.COM",
	.uri = "/img.jpg?x=1",
	.etag = "\"v1\"",
	.last_modified = "",
	.total = TOTAL,
};

/* Sends body[first..last] as one piece; returns range_piece_end's value. */
static int piece(struct range_store *s, const struct range_key *k, uint64_t first, uint64_t last,
		 const char *data, bool ok, uint64_t ts, struct range_whole *w)
{
	struct range_piece *p = range_piece_begin(s, k, first, last, ts);

	assert_non_null(p);
	range_piece_write(p, (const uint8_t *)data + first, last - first + 1);
	return range_piece_end(s, p, ok, ts, w, NULL);
}

static void in_order_and_reversed(void **state)
{
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;

	(void)state;
	assert_int_equal(piece(s, &key, 20, 35, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &key, 10, 19, body, true, 2, &w), 0);
	assert_int_equal(piece(s, &key, 0, 9, body, true, 3, &w), 1);
	assert_true(w.complete);
	assert_false(w.conflict);
	assert_int_equal(w.total, TOTAL);
	assert_int_equal(w.covered, TOTAL);
	assert_int_equal(w.pieces, 3);
	assert_memory_equal(w.data, body, TOTAL);
	assert_string_equal(w.host, "example.com");
	assert_string_equal(w.uri, "/img.jpg");
	assert_string_equal(w.validator, "\"v1\"");
	assert_int_equal(w.first_ts_ns, 1);
	assert_int_equal(w.last_ts_ns, 3);
	range_release(s, &w);
	assert_int_equal(range_stats(s)->assembled, 1);
	assert_int_equal(range_stats(s)->resources, 0);
	assert_int_equal(range_stats(s)->held, 0);
	assert_int_equal(range_stats(s)->held_peak, TOTAL);
	range_store_free(s);
}

static void whole_in_one_piece(void **state)
{
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;

	(void)state;
	assert_int_equal(piece(s, &key, 0, TOTAL - 1, body, true, 5, &w), 1);
	assert_int_equal(w.pieces, 1);
	assert_memory_equal(w.data, body, TOTAL);
	range_release(s, &w);
	range_store_free(s);
}

static void overlap_first_wins(void **state)
{
	char other[TOTAL + 1];
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;

	(void)state;
	memcpy(other, body, sizeof(other));
	other[15] = '#';
	/* same bytes overlapping: no conflict */
	assert_int_equal(piece(s, &key, 0, 19, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &key, 5, 12, body, true, 2, &w), 0);
	/* different bytes over covered ones: kept, flagged */
	assert_int_equal(piece(s, &key, 10, 35, other, true, 3, &w), 1);
	assert_true(w.conflict);
	assert_memory_equal(w.data, body, TOTAL);
	range_release(s, &w);
	assert_int_equal(range_stats(s)->conflicts, 1);
	range_store_free(s);
}

static void failed_piece_discarded(void **state)
{
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;
	unsigned n;

	(void)state;
	assert_int_equal(piece(s, &key, 0, 17, body, true, 1, &w), 0);
	/* a truncated piece covers nothing */
	assert_int_equal(piece(s, &key, 18, 35, body, false, 2, &w), 0);
	assert_int_equal(range_stats(s)->committed, 1);
	/* flush hands the incomplete resource over, zero-filled */
	n = range_expire(s, UINT64_MAX, NULL, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(range_stats(s)->expired, 1);
	assert_int_equal(range_stats(s)->resources, 0);
	range_store_free(s);
}

static void keys_separate(void **state)
{
	struct range_key k2 = key, k3 = key, k4 = key;
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;

	(void)state;
	k2.etag = "\"v2\"";	 /* another version of the resource */
	k3.total = TOTAL + 1;	 /* another size */
	k4.host = "example.com"; /* same host, other case; query ignored */
	k4.uri = "/img.jpg?token=abc";
	assert_int_equal(piece(s, &key, 0, 9, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &k2, 10, 35, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &k3, 10, 35, body, true, 1, &w), 0);
	assert_int_equal(range_stats(s)->resources, 3);
	assert_int_equal(piece(s, &k4, 10, 35, body, true, 1, &w), 1);
	range_release(s, &w);
	range_store_free(s);
}

static void last_modified_validator(void **state)
{
	struct range_key k = key, k2 = key;
	struct range_store *s = range_store_new(NULL);
	struct range_whole w;

	(void)state;
	k.etag = "";
	k.last_modified = "Sat, 28 Nov 2026 10:00:00 GMT";
	k2.etag = "";
	k2.last_modified = "";
	assert_int_equal(piece(s, &k, 0, 9, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &k2, 10, 35, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &k, 10, 35, body, true, 1, &w), 1);
	assert_string_equal(w.validator, "Sat, 28 Nov 2026 10:00:00 GMT");
	range_release(s, &w);
	range_store_free(s);
}

static void bad_pieces(void **state)
{
	struct range_limits lim;
	struct range_store *s;
	struct range_key big = key, zero = key;
	struct range_piece *p;
	uint64_t over;
	struct range_whole w;

	(void)state;
	range_limits_default(&lim);
	lim.max_resource = 100;
	s = range_store_new(&lim);
	big.total = 101;
	zero.total = 0;
	assert_null(range_piece_begin(s, &key, 5, 4, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(range_piece_begin(s, &key, 0, TOTAL, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(range_piece_begin(s, &zero, 0, 0, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(range_piece_begin(s, &big, 0, 1, 0));
	assert_int_equal(errno, EFBIG);
	assert_int_equal(range_stats(s)->rejected, 4);
	/* bytes past `last` are dropped and reported */
	p = range_piece_begin(s, &key, 0, 9, 0);
	range_piece_write(p, (const uint8_t *)body, 15);
	assert_int_equal(range_piece_end(s, p, true, 0, &w, &over), 0);
	assert_int_equal(over, 5);
	range_store_free(s);
}

static void held_limit_evicts_idlest(void **state)
{
	struct range_limits lim;
	struct range_key a = key, b = key, c = key;
	struct range_store *s;
	struct range_piece *busy, *busy2;
	struct range_whole w;

	(void)state;
	range_limits_default(&lim);
	lim.max_held = 2 * TOTAL;
	s = range_store_new(&lim);
	a.uri = "/a";
	b.uri = "/b";
	c.uri = "/c";
	assert_int_equal(piece(s, &a, 0, 0, body, true, 10, &w), 0);
	assert_int_equal(piece(s, &b, 0, 0, body, true, 20, &w), 0);
	/* /c needs room: /a (idlest) goes */
	assert_int_equal(piece(s, &c, 0, 0, body, true, 30, &w), 0);
	assert_int_equal(range_stats(s)->evicted, 1);
	assert_int_equal(range_stats(s)->resources, 2);
	assert_int_equal(range_stats(s)->held, 2 * TOTAL);
	/* /a again, while /b and /c both have pieces in flight: no room */
	busy = range_piece_begin(s, &b, 1, 1, 40);
	assert_non_null(busy);
	busy2 = range_piece_begin(s, &c, 1, 1, 40);
	assert_non_null(busy2);
	assert_null(range_piece_begin(s, &a, 0, 0, 40));
	assert_int_equal(errno, ENOBUFS);
	range_piece_end(s, busy, false, 41, &w, NULL);
	range_piece_end(s, busy2, false, 41, &w, NULL);
	range_store_free(s);
}

static void count_limit(void **state)
{
	struct range_limits lim;
	struct range_key a = key, b = key;
	struct range_store *s;
	struct range_whole w;

	(void)state;
	range_limits_default(&lim);
	lim.max_resources = 1;
	s = range_store_new(&lim);
	a.uri = "/a";
	b.uri = "/b";
	assert_int_equal(piece(s, &a, 0, 0, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &b, 0, 0, body, true, 2, &w), 0);
	assert_int_equal(range_stats(s)->resources, 1);
	assert_int_equal(range_stats(s)->evicted, 1);
	range_store_free(s);
}

static void interval_limit(void **state)
{
	struct range_limits lim;
	struct range_store *s;
	struct range_whole w;

	(void)state;
	range_limits_default(&lim);
	lim.max_intervals = 2;
	s = range_store_new(&lim);
	assert_int_equal(piece(s, &key, 0, 0, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &key, 4, 4, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &key, 8, 8, body, true, 1, &w), 0);
	assert_int_equal(range_stats(s)->rejected, 1);
	/* adjacent pieces merge, so filling in still completes */
	assert_int_equal(piece(s, &key, 1, 3, body, true, 1, &w), 0);
	assert_int_equal(piece(s, &key, 5, 35, body, true, 1, &w), 1);
	assert_memory_equal(w.data, body, TOTAL);
	range_release(s, &w);
	range_store_free(s);
}

struct seen {
	int n;
	uint64_t covered;
	bool complete;
};

static void on_expire(void *ctx, const struct range_whole *w)
{
	struct seen *x = ctx;

	x->n++;
	x->covered = w->covered;
	x->complete = w->complete;
	assert_int_equal(w->data[0], 0); /* never covered: zero */
	assert_int_equal(w->data[30], body[30]);
}

static void expiry(void **state)
{
	struct range_limits lim;
	struct range_store *s;
	struct range_whole w;
	struct seen x = {0};

	(void)state;
	range_limits_default(&lim);
	lim.max_idle_ns = 100;
	s = range_store_new(&lim);
	assert_int_equal(piece(s, &key, 20, 35, body, true, 1000, &w), 0);
	assert_int_equal(range_expire(s, 1100, on_expire, &x), 0);
	assert_int_equal(range_expire(s, 1101, on_expire, &x), 1);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.covered, 16);
	assert_false(x.complete);
	range_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_and_reversed),
		cmocka_unit_test(whole_in_one_piece),
		cmocka_unit_test(overlap_first_wins),
		cmocka_unit_test(failed_piece_discarded),
		cmocka_unit_test(keys_separate),
		cmocka_unit_test(last_modified_validator),
		cmocka_unit_test(bad_pieces),
		cmocka_unit_test(held_limit_evicts_idlest),
		cmocka_unit_test(count_limit),
		cmocka_unit_test(interval_limit),
		cmocka_unit_test(expiry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
