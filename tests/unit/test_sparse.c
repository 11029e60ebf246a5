// SPDX-License-Identifier: GPL-2.0
/* classify/sparse: a block comes back byte for byte, whatever its zeros;
 * only its non-zero words are kept; sizes it does not take are refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "classify/sparse.h"

static void round_trip(const uint64_t *w, size_t len)
{
	uint64_t back[SPARSE_LEN_MAX / 8];
	struct sparse *s = sparse_pack(w, len);

	assert_non_null(s);
	memset(back, 0xa5, sizeof(back));
	assert_int_equal(sparse_unpack(s, back, len), 0);
	assert_memory_equal(back, w, len);
	assert_int_equal(sparse_unpack(s, back, len + 8), -EINVAL);
	sparse_free(s);
}

/* All zeros, all set, single bytes at each end and across word edges, a
 * block whose word count is not a multiple of 8 (nDPI's: 86 words). */
static void blocks(void **state)
{
	uint64_t w[SPARSE_LEN_MAX / 8];
	uint8_t *b = (uint8_t *)w;

	(void)state;
	memset(w, 0, sizeof(w));
	round_trip(w, 688);
	round_trip(w, 0);
	b[0] = 1;
	b[687] = 0x80;
	b[63] = 7;
	b[64] = 9;
	round_trip(w, 688);
	for (size_t i = 0; i < sizeof(w); i++)
		b[i] = (uint8_t)(i * 13 + 1);
	round_trip(w, 688);
	round_trip(w, SPARSE_LEN_MAX);
	round_trip(w, 8);
}

static void refused(void **state)
{
	uint64_t w[SPARSE_LEN_MAX / 8 + 1] = {0};

	(void)state;
	errno = 0;
	assert_null(sparse_pack(w, 12));
	assert_int_equal(errno, EINVAL);
	assert_null(sparse_pack(w, SPARSE_LEN_MAX + 8));
	assert_null(sparse_pack((uint8_t *)w + 4, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocks),
		cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
