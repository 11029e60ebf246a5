// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the range stitcher driven by a byte program, with its
 * invariants checked: a completed resource whose pieces all carried the true
 * bytes equals the truth; coverage never exceeds the total; held bytes stay
 * under the limit. Tight limits exercise eviction and refusal.
 *
 * Input: T (total, 1..256), then 5-byte ops:
 *   [key 0..2] [first] [len-1] [flags: 1 ok, 2 wrong bytes, 4 keep open] [ts]
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "object/range.h"

#define OPEN_MAX 4

static uint8_t truth(uint64_t i)
{
	return (uint8_t)(i * 31 + 7);
}

static void check_whole(const struct range_whole *w, const bool *dirty)
{
	assert(w->covered <= w->total);
	if (!w->complete || w->conflict || dirty[w->uri[1] - 'a'])
		return;
	for (uint64_t i = 0; i < w->total; i++)
		assert(w->data[i] == truth(i));
}

static void on_expire(void *ctx, const struct range_whole *w)
{
	check_whole(w, ctx);
}

static void op(struct range_store *s, const uint8_t *p, uint64_t total, struct range_piece **open,
	       int *nopen, bool *dirty)
{
	static const char *const uris[] = {"/a", "/b", "/c"};
	struct range_key k = {.host = "h", .etag = "", .last_modified = "", .total = total};
	uint64_t first = p[1] % total, last = first + p[2], ts = p[4];
	struct range_whole w;
	struct range_piece *pc;
	uint8_t buf[256];

	k.uri = uris[p[0] % 3];
	if (last >= total)
		last = total - 1;
	pc = range_piece_begin(s, &k, first, last, ts);
	if (!pc)
		return;
	for (uint64_t i = first; i <= last; i++)
		buf[i - first] = (p[3] & 2) ? (uint8_t)~truth(i) : truth(i);
	if (p[3] & 2) /* wrong bytes may get committed: no truth check */
		dirty[p[0] % 3] = true;
	/* write in two parts, with some overrun bytes when asked */
	range_piece_write(pc, buf, (last - first + 1) / 2);
	range_piece_write(pc, buf + (last - first + 1) / 2,
			  last - first + 1 - (last - first + 1) / 2);
	if ((p[3] & 4) && *nopen < OPEN_MAX) {
		open[(*nopen)++] = pc;
		return;
	}
	if (range_piece_end(s, pc, p[3] & 1, ts, &w, NULL) == 1) {
		check_whole(&w, dirty);
		dirty[w.uri[1] - 'a'] = false;
		range_release(s, &w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range_limits lim = {
		.max_resource = 200,
		.max_held = 400,
		.max_idle_ns = 50,
		.max_resources = 2,
		.max_intervals = 4,
	};
	struct range_piece *open[OPEN_MAX];
	bool dirty[3] = {false, false, false};
	struct range_whole w;
	struct range_store *s;
	int nopen = 0;
	uint64_t total;

	if (size < 1)
		return 0;
	total = (uint64_t)data[0] + 1;
	s = range_store_new(&lim);
	if (!s)
		return 0;
	for (size_t i = 1; i + 5 <= size; i += 5) {
		op(s, data + i, total, open, &nopen, dirty);
		assert(range_stats(s)->held <= lim.max_held);
		assert(range_stats(s)->resources <= lim.max_resources);
		if (data[i + 4] > 200)
			range_expire(s, data[i + 4], on_expire, dirty);
	}
	while (nopen > 0)
		if (range_piece_end(s, open[--nopen], true, 0, &w, NULL) == 1)
			range_release(s, &w);
	range_expire(s, UINT64_MAX, on_expire, dirty);
	assert(range_stats(s)->resources == 0 && range_stats(s)->held == 0);
	range_store_free(s);
	return 0;
}
