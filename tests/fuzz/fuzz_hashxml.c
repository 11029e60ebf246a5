// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the hash-sharing XML reader over arbitrary bytes, parsed
 * twice into one collection (so replacements and deletions across files
 * run), then installed into both registries. */
#include <stdint.h>
#include <stdlib.h>

#include "lists/hashxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hashxml *x = hashxml_new();
	struct hashdb *h = hashdb_new();
	struct pdqdb *p = pdqdb_new();
	struct diag d;
	struct hashxml_stats st;
	size_t half = size / 2;

	if (!x || !h || !p)
		abort();
	hashxml_parse(x, "a.xml", (const char *)data, size, true, &d);
	hashxml_parse(x, "b.xml", (const char *)data + half, size - half, true, &d);
	hashxml_stats(x, &st);
	if (st.live > st.images + st.videos)
		abort();
	if (hashxml_install(x, "fuzz", 31, h, p))
		abort();
	if (hashdb_entries(h) > 2 * st.live || pdqdb_entries(p) > st.live)
		abort();
	pdqdb_free(p);
	hashdb_free(h);
	hashxml_free(x);
	return 0;
}
