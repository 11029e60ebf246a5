// SPDX-License-Identifier: GPL-2.0
/* Diagnostics of the list loaders (listfile.c, hashxml.c): compiler-format
 * messages collected in a struct listfile_diag, and their printing. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "listfile.h"

void listfile_diag_add(struct listfile_diag *d, const char *name, unsigned line,
		       unsigned col, const char *fmt, ...)
{
	struct listfile_msg *m;
	va_list ap;
	int n;

	d->errors++;
	if (d->nmsgs >= LISTFILE_MAX_MSGS)
		return;
	m = &d->msgs[d->nmsgs++];
	if (line && col)
		n = snprintf(m->text, sizeof(m->text), "%s:%u:%u: ", name, line, col);
	else if (line)
		n = snprintf(m->text, sizeof(m->text), "%s:%u: ", name, line);
	else
		n = snprintf(m->text, sizeof(m->text), "%s: ", name);
	if (n < 0 || (size_t)n >= sizeof(m->text))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(m->text + n, sizeof(m->text) - n, fmt, ap);
	va_end(ap);
	m->src[0] = '\0';
	m->col = col;
}

void listfile_quote(const char *s, size_t n, char *out, size_t outsz)
{
	size_t j = 0;

	for (size_t i = 0; i < n && i < LISTFILE_QUOTE_MAX && j + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'')
			out[j++] = (char)c;
		else
			j += snprintf(out + j, outsz - j, "\\x%02x", c);
	}
	if (n > LISTFILE_QUOTE_MAX && j + 4 < outsz) {
		memcpy(out + j, "\xe2\x80\xa6", 3);	/* U+2026 … */
		j += 3;
	}
	out[j] = '\0';
}

void listfile_diag_print(const struct listfile_diag *d, FILE *out)
{
	for (unsigned i = 0; i < d->nmsgs; i++) {
		const struct listfile_msg *m = &d->msgs[i];

		fprintf(out, "%s\n", m->text);
		if (!m->src[0] || !m->col || m->col > strlen(m->src) + 1)
			continue;
		fprintf(out, "  %s\n  ", m->src);
		for (unsigned c = 1; c < m->col; c++)
			fputc(m->src[c - 1] == '\t' ? '\t' : ' ', out);
		fputs("^\n", out);
	}
	if (d->errors > d->nmsgs)
		fprintf(out, "%u more errors not shown\n", d->errors - d->nmsgs);
}
