// SPDX-License-Identifier: GPL-2.0
/* polutil: what the files of the policy stage share while compiling:
 * names, keys and lists of values in the document, paths and the version,
 * time zones, action settings, text list files. It calls into no other
 * file of the stage (tests/lint/test_layout.sh: no circles). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "policy_int.h"

#define SEC	       1000000000ull
#define LINE_MAX_BYTES 4096

int policy_group_find(const struct policy *p, const char *name)
{
	for (unsigned i = 0; i < p->ngroups; i++)
		if (!strcmp(p->group[i].name, name))
			return (int)i;
	return -1;
}

/* ---- helpers the other files use ----------------------------------------------- */

void policy_path(const struct policy *p, const char *path, char *out, size_t outsz)
{
	if (path[0] == '/' || !p->base)
		snprintf(out, outsz, "%s", path);
	else
		snprintf(out, outsz, "%s/%s", p->base, path);
}

void policy_version_file(struct policy *p, const char *path)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	hash_update(&p->vh, path, strlen(path) + 1);
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hash_update(&p->vh, buf, n);
	fclose(f);
}

int policy_each_name(struct policy *p, const struct ynode *n, const char *what,
		     int (*fn)(struct policy *p, const struct ynode *v, void *ctx), void *ctx)
{
	int err = 0;

	if (n->kind == YN_SCALAR)
		return fn(p, n, ctx);
	if (n->kind != YN_SEQ || !n->n) {
		ydoc_error(&p->doc, n, p->d, "expected %s or a list of them%s", what,
			   n->kind == YN_SEQ ? ", found an empty list" : "");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->kids[i]->kind != YN_SCALAR) {
			ydoc_error(&p->doc, n->kids[i], p->d, "expected %s, found a list or mapping",
				   what);
			err = -EINVAL;
		} else if (fn(p, n->kids[i], ctx)) {
			err = -EINVAL;
		}
	}
	return err;
}

int policy_keys(struct policy *p, const struct ynode *n, const char *what,
		const char *const *keys)
{
	if (!ymap_check(&p->doc, n, what, keys, p->d))
		return 0;
	return n && n->kind == YN_MAP ? 1 : -EINVAL;
}

int policy_name(struct policy *p, const struct ynode *n, const char *what, const char **s)
{
	bool ok = n->kind == YN_SCALAR && n->len && n->len < POLICY_NAME_MAX;

	for (size_t i = 0; ok && i < n->len; i++) {
		char c = n->str[i];

		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '_' || c == '.';
	}
	if (!ok) {
		ydoc_error(&p->doc, n, p->d,
			   "expected a %s name (letters, digits, '-', '_', '.', at most %d), found "
			   "'%s'",
			   what, POLICY_NAME_MAX - 1, n->kind == YN_SCALAR ? n->str : "a list or mapping");
		return -EINVAL;
	}
	*s = n->str;
	return 0;
}

int policy_zone(struct policy *p, const struct ynode *n, const char *name)
{
	const char *why;
	int err;

	for (unsigned i = 0; i < p->nzones; i++)
		if (!strcmp(p->zone[i].name, name))
			return (int)i;
	if (p->nzones == POLICY_ZONES_MAX) {
		ydoc_error(&p->doc, n, p->d, "more than %d time zones", POLICY_ZONES_MAX);
		return -1;
	}
	err = tzone_load(&p->zone[p->nzones], p->opts.zoneinfo, name, &why);
	if (err) {
		tzone_free(&p->zone[p->nzones]);
		ydoc_error(&p->doc, n, p->d, "unknown time zone '%s': %s", name, why);
		return -1;
	}
	return (int)p->nzones++;
}

static const char *const ede_keys[] = {"15", "16", "17", NULL};

/* The action settings a rule may give and the defaults section sets:
 * notice, contact, ede, http_status, acknowledge_for. */
int policy_action_settings(struct policy *p, const struct ynode *n, struct policy_rule *r)
{
	const struct ynode *v;
	uint64_t x;
	int err = 0, i;

	if ((v = ymap_get(n, "notice")))
		err |= yget_str(&p->doc, v, p->d, &r->notice);
	if ((v = ymap_get(n, "contact")))
		err |= yget_str(&p->doc, v, p->d, &r->contact);
	if ((v = ymap_get(n, "ede")) && !yget_enum(&p->doc, v, ede_keys, p->d, &i))
		r->ede = 15 + (unsigned)i;
	else if (v)
		err = -EINVAL;
	if ((v = ymap_get(n, "http_status"))) {
		static const char *const st[] = {"403", "451", NULL};

		if (!yget_enum(&p->doc, v, st, p->d, &i))
			r->http_status = i ? 451 : 403;
		else
			err = -EINVAL;
	}
	if ((v = ymap_get(n, "acknowledge_for")) &&
	    !yget_duration(&p->doc, v, 60 * SEC, 366 * 86400 * SEC, p->d, &x))
		r->ack_ns = x;
	else if (v)
		err = -EINVAL;
	return err ? -EINVAL : 0;
}

/* ---- list files of names, prefixes, URLs ------------------------------------------ */

void policy_file_error(struct policy *p, const char *file, unsigned line, unsigned col,
		       const char *fmt, ...)
{
	char text[DIAG_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	diag_add(p->d, file, line, col, "%s", text);
	if (p->line_src)
		diag_src(p->d, p->line_src, p->line_len);
}

/* Trims a line to its entry: blanks around it, a '#' comment, CR LF. */
static size_t entry(const char *s, size_t n, size_t *start)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*start = i;
	for (size_t j = i; j < n; j++)
		if (s[j] == '#' && (j == i || s[j - 1] == ' ' || s[j - 1] == '\t')) {
			n = j;
			break;
		}
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		n--;
	return n - i;
}

int policy_read_lines(struct policy *p, const struct ynode *n, const char *path,
		      int (*fn)(struct policy *p, const char *file, unsigned line, unsigned col,
				const char *s, size_t len, void *ctx),
		      void *ctx)
{
	char buf[LINE_MAX_BYTES + 2];
	gzFile gz = gzopen(path, "rb");
	unsigned line = 0;
	int err = 0;

	if (!gz) {
		ydoc_error(&p->doc, n, p->d, "couldn't open list '%s': %s", path, strerror(errno));
		return -ENOENT;
	}
	policy_version_file(p, path);
	while (gzgets(gz, buf, sizeof(buf))) {
		size_t len = strlen(buf), start, elen;

		line++;
		if (len > LINE_MAX_BYTES && buf[len - 1] != '\n') {
			policy_file_error(p, path, line, 1, "line longer than %d bytes",
					  LINE_MAX_BYTES);
			err = -EINVAL;
			while (gzgets(gz, buf, sizeof(buf)) && buf[strlen(buf) - 1] != '\n')
				;
			continue;
		}
		elen = entry(buf, len, &start);
		p->line_src = buf, p->line_len = len - (len && buf[len - 1] == '\n');
		if (elen && fn(p, path, line, (unsigned)start + 1, buf + start, elen, ctx))
			err = -EINVAL;
		p->line_src = NULL;
	}
	if (!gzeof(gz)) {
		ydoc_error(&p->doc, n, p->d, "couldn't read list '%s'", path);
		err = -EIO;
	}
	gzclose(gz);
	return err;
}

