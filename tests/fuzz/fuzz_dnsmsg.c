// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the DNS question reader (names/dnsmsg.c) on any bytes: a
 * name read is NUL-terminated text of letters, digits, '-', '_', '.' and
 * \DDD escapes, within DNSMSG_NAME; any prefix shorter than what was read
 * fails or reads the same question. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "names/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsmsg_question q, c;
	size_t n;

	if (dnsmsg_question(data, size, &q))
		return 0;
	n = strlen(q.name);
	assert(n >= 1 && n < DNSMSG_NAME);
	for (size_t i = 0; i < n; i++)
		assert((q.name[i] >= 'a' && q.name[i] <= 'z') || (q.name[i] >= 'A' && q.name[i] <= 'Z') ||
		       (q.name[i] >= '0' && q.name[i] <= '9') || strchr("-_.\\", q.name[i]));
	for (size_t len = 0; len < size && len < 64; len++)
		if (!dnsmsg_question(data, len, &c))
			assert(!strcmp(c.name, q.name) && c.qtype == q.qtype && c.id == q.id);
	return 0;
}
