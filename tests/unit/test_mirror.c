// SPDX-License-Identifier: GPL-2.0
/* mirror: decoding raw ring-buffer records (length checks, wall-clock
 * timestamps); the ring buffer itself needs root (e2e). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/mirror.h"

struct raw {
	struct ew_mirror_rec rec;
	uint8_t data[64];
};

static void decodes(void **state)
{
	struct raw r = {.rec = {.ts_ns = 5000, .orig_len = 1514, .ifindex = 7, .cap_len = 64}};
	struct mirror_pkt p;

	(void)state;
	memset(r.data, 0xab, sizeof(r.data));
	assert_int_equal(mirror_decode(&r, sizeof(r), 1700000000000000000ll, &p), 0);
	assert_int_equal(p.ts_ns, 1700000000000005000ull);
	assert_int_equal(p.cap_len, 64);
	assert_int_equal(p.orig_len, 1514);
	assert_int_equal(p.ifindex, 7);
	assert_ptr_equal(p.data, (uint8_t *)&r + sizeof(struct ew_mirror_rec));
	assert_ptr_equal(p.rec, &r.rec);
}

static void rejects_inconsistent(void **state)
{
	struct raw r = {.rec = {.orig_len = 100, .cap_len = 65}};
	struct mirror_pkt p;

	(void)state;
	/* cap_len past the record */
	assert_int_equal(mirror_decode(&r, sizeof(r), 0, &p), -EINVAL);
	/* shorter than the header */
	assert_int_equal(mirror_decode(&r, sizeof(r.rec) - 1, 0, &p), -EINVAL);
	/* more captured than on the wire */
	r.rec.cap_len = 64;
	r.rec.orig_len = 63;
	assert_int_equal(mirror_decode(&r, sizeof(r), 0, &p), -EINVAL);
	r.rec.orig_len = 64;
	assert_int_equal(mirror_decode(&r, sizeof(r), 0, &p), 0);
}

static void wall_offset_sane(void **state)
{
	int64_t a = mirror_wall_offset(), b = mirror_wall_offset();

	(void)state;
	assert_true(a > 1600000000ll * 1000000000ll);	 /* after 2020 */
	assert_true(b - a < 1000000 && a - b < 1000000); /* stable to 1 ms */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes),
		cmocka_unit_test(rejects_inconsistent),
		cmocka_unit_test(wall_offset_sane),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
