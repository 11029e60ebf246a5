// SPDX-License-Identifier: GPL-2.0
/* log: level filtering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "log/log.h"

static void level_roundtrip(void **state)
{
	(void)state;
	log_set_level(EW_LOG_WARN);
	assert_int_equal(log_get_level(), EW_LOG_WARN);
	log_set_level(EW_LOG_INFO);
	assert_int_equal(log_get_level(), EW_LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(level_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
