// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the ClientHello reader (names/tlshello.c) on any bytes,
 * and on every prefix of them: a prefix of what gave an answer is never
 * read as a different whole hello; a name found is 1 to 255 visible ASCII
 * bytes. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "names/tlshello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[TLSHELLO_NAME], cut[TLSHELLO_NAME];
	enum tlshello_result r = tlshello_sni(data, size, name), c;
	size_t n;

	if (r == TLSHELLO_FOUND) {
		n = strlen(name);
		assert(n >= 1 && n < TLSHELLO_NAME);
		for (size_t i = 0; i < n; i++)
			assert(name[i] > 0x20 && name[i] < 0x7f);
	}
	for (size_t len = 0; len < size && len < 64; len++) {
		c = tlshello_sni(data, len, cut);
		/* a shorter prefix of a hello (found, none) is still incomplete or
		 * not one; never an answer about another hello */
		assert(r == TLSHELLO_NOT || c == TLSHELLO_MORE || c == TLSHELLO_NOT ||
		       (c == r && (c != TLSHELLO_FOUND || !strcmp(cut, name))));
	}
	return 0;
}
