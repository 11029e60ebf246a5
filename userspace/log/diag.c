// SPDX-License-Identifier: GPL-2.0
/* diag: compiler-format messages collected in a struct diag, and their
 * printing. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

static void add(struct diag *d, const char *name, unsigned line, unsigned col,
		const char *tag, const char *fmt, va_list ap)
{
	struct diag_msg *m;
	int n;

	d->kept = d->nmsgs < DIAG_MAX_MSGS;
	if (!d->kept)
		return;
	m = &d->msgs[d->nmsgs++];
	if (line && col)
		n = snprintf(m->text, sizeof(m->text), "%s:%u:%u: %s", name, line, col, tag);
	else if (line)
		n = snprintf(m->text, sizeof(m->text), "%s:%u: %s", name, line, tag);
	else
		n = snprintf(m->text, sizeof(m->text), "%s: %s", name, tag);
	if (n < 0 || (size_t)n >= sizeof(m->text))
		n = 0;
	vsnprintf(m->text + n, sizeof(m->text) - n, fmt, ap);
	m->src[0] = '\0';
	m->col = col;
}

void diag_add(struct diag *d, const char *name, unsigned line, unsigned col, const char *fmt,
	      ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	add(d, name, line, col, "", fmt, ap);
	va_end(ap);
}

void diag_warn(struct diag *d, const char *name, unsigned line, unsigned col, const char *fmt,
	       ...)
{
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	add(d, name, line, col, "warning: ", fmt, ap);
	va_end(ap);
}

void diag_src(struct diag *d, const char *p, size_t n)
{
	struct diag_msg *m;

	if (!d->kept)
		return;
	m = &d->msgs[d->nmsgs - 1];
	n = n < sizeof(m->src) - 1 ? n : sizeof(m->src) - 1;
	for (size_t i = 0; i < n; i++)
		m->src[i] = (p[i] == '\t' || isprint((unsigned char)p[i])) ? p[i] : '?';
	m->src[n] = '\0';
}

void diag_quote(const char *s, size_t n, char *out, size_t outsz)
{
	size_t j = 0;

	for (size_t i = 0; i < n && i < DIAG_QUOTE_MAX && j + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'')
			out[j++] = (char)c;
		else
			j += snprintf(out + j, outsz - j, "\\x%02x", c);
	}
	if (n > DIAG_QUOTE_MAX && j + 4 < outsz) {
		memcpy(out + j, "\xe2\x80\xa6", 3);	/* U+2026 … */
		j += 3;
	}
	out[j] = '\0';
}

void diag_print(const struct diag *d, FILE *out)
{
	for (unsigned i = 0; i < d->nmsgs; i++) {
		const struct diag_msg *m = &d->msgs[i];

		fprintf(out, "%s\n", m->text);
		if (!m->src[0] || !m->col || m->col > strlen(m->src) + 1)
			continue;
		fprintf(out, "  %s\n  ", m->src);
		for (unsigned c = 1; c < m->col; c++)
			fputc(m->src[c - 1] == '\t' ? '\t' : ' ', out);
		fputs("^\n", out);
	}
	if (d->errors + d->warnings > d->nmsgs)
		fprintf(out, "%u more errors not shown\n", d->errors + d->warnings - d->nmsgs);
}
