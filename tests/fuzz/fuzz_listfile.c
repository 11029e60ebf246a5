// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the list file parser over arbitrary bytes. The first byte
 * picks the kind, format and skip-bad-lines; the rest is the file. Every
 * value handed over must have the kind's length and a sane line number,
 * and every kept message must be NUL-terminated within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lists/listfile.h"

static int check(void *ctx, const struct listfile_rec *r)
{
	unsigned *lines = ctx;

	if (!r->line || r->line > *lines + 1 || r->quality < -1 || r->quality > 100 ||
	    strlen(r->label) > 255)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listfile_opts o = { 0 };
	struct diag d;
	unsigned lines;
	int rc;

	if (!size)
		return 0;
	o.kind = (enum list_kind)(data[0] % LIST_KIND_MAX);
	o.format = (enum listfile_format)((data[0] >> 2) % 3);
	o.skip_bad_lines = data[0] & 0x20;
	lines = (unsigned)size;	/* an upper bound on the line count */
	rc = listfile_parse("fuzz.txt", (const char *)data + 1, size - 1, &o, check, &lines, &d);
	if (rc && rc != -22)
		abort();
	if (d.nmsgs > DIAG_MAX_MSGS || d.nmsgs > d.errors)
		abort();
	for (unsigned i = 0; i < d.nmsgs; i++)
		if (!memchr(d.msgs[i].text, 0, sizeof(d.msgs[i].text)) ||
		    !memchr(d.msgs[i].src, 0, sizeof(d.msgs[i].src)))
			abort();
	return 0;
}
