// SPDX-License-Identifier: GPL-2.0
/* Fuzz target for blocklist files: the input is a list file, parsed by
 * blocklist_parse (and so prefix_parse on every token). Every accepted
 * prefix must print back to text that parses to the same prefix, and every
 * diagnostic must name a line and column inside the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/blocklist.h"

static void check_roundtrip(const struct ew_prefix *p)
{
	struct prefix_error e = {};
	struct ew_prefix q;
	char buf[64];

	prefix_str(p, buf, sizeof(buf));
	if (prefix_parse(buf, strlen(buf), 1, &q, &e) || memcmp(p, &q, sizeof(q)))
		abort();
}

static void check_batch(const struct blocklist_batch *b)
{
	for (size_t i = 0; i < b->v4.n; i++) {
		if (b->v4.e[i].p.family != 4)
			abort();
		check_roundtrip(&b->v4.e[i].p);
	}
	for (size_t i = 0; i < b->v6.n; i++) {
		if (b->v6.e[i].p.family != 6)
			abort();
		check_roundtrip(&b->v6.e[i].p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ew_block_rule rule = {.rule_id = 1};
	struct prefix_error shown[4];
	struct blocklist_errors errs = {.errs = shown, .max = 4};
	struct blocklist_batch b = {};
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (blocklist_parse(f, "fuzz.txt", &rule, &b, &errs) == 0)
		check_batch(&b);
	for (size_t i = 0; i < errs.n && i < errs.max; i++)
		if (shown[i].line == 0 || shown[i].col == 0 || !shown[i].msg[0] ||
		    shown[i].col > size + 1)
			abort();
	fclose(f);
	blocklist_batch_free(&b);
	return 0;
}
