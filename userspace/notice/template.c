// SPDX-License-Identifier: GPL-2.0
/* template: notice templates parsed into runs of text and placeholders,
 * and a directory of them loaded into a set (notice.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notice_int.h"
#include "util/utf8.h"

#define PH_LEN_MAX 40 /* bytes between {{ and }} */

static const char *const ph_names[PH_MAX] = {
	[PH_RULE] = "rule",	  [PH_CATEGORY] = "category", [PH_CONTACT] = "contact",
	[PH_HOST] = "host",	  [PH_URL] = "url",	      [PH_LAW] = "law",
	[PH_ACK_URL] = "ack_url", [PH_TOKEN] = "token",	      [PH_REF] = "ref",
	[PH_TIME] = "time",	  [PH_LANG] = "lang",	      [PH_STATUS] = "status",
};

/* One template being read. */
struct scan {
	const char *file, *text;
	size_t len;
	size_t line_start; /* where the current line starts */
	unsigned line;
	struct diag *d;
	struct tmpl *t;
	size_t cap;
	int err;
};

/* A problem at byte i of the current line, with the line for the caret. */
static void problem(struct scan *sc, size_t i, const char *msg)
{
	const char *p = sc->text + sc->line_start;
	const char *nl = memchr(p, '\n', sc->len - sc->line_start);
	size_t n = nl ? (size_t)(nl - p) : sc->len - sc->line_start;

	diag_add(sc->d, sc->file, sc->line, (unsigned)(i - sc->line_start + 1), "%s", msg);
	diag_src(sc->d, p, n);
	sc->err = -EINVAL;
}

static int push(struct scan *sc, size_t off, size_t len, int ph)
{
	struct tmpl *t = sc->t;

	if (ph < 0 && !len)
		return 0;
	if (t->npieces == sc->cap) {
		size_t cap = sc->cap ? 2 * sc->cap : 16;
		struct piece *np = realloc(t->pieces, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		t->pieces = np;
		sc->cap = cap;
	}
	t->pieces[t->npieces++] = (struct piece){(uint32_t)off, ph < 0 ? (uint32_t)len : 0, ph};
	return 0;
}

static int ph_lookup(const char *s, size_t n)
{
	for (int i = 0; i < PH_MAX; i++)
		if (strlen(ph_names[i]) == n && !memcmp(ph_names[i], s, n))
			return i;
	return -1;
}

/* The placeholder whose "{{" is at i: its number, the end past "}}" in
 * *end; -1 (reported) when it is unclosed or unknown. */
static int placeholder(struct scan *sc, size_t i, size_t *end)
{
	const char *s = sc->text + i + 2, *close;
	size_t room = sc->len - i - 2, n;
	char msg[DIAG_MSG_LEN], q[DIAG_QUOTE_LEN];
	int ph;

	room = room < PH_LEN_MAX + 2 ? room : PH_LEN_MAX + 2;
	close = memmem(s, room, "}}", 2);
	if (!close || memchr(s, '\n', (size_t)(close - s))) {
		problem(sc, i, "'{{' without '}}' (placeholders are {{name}} on one line)");
		*end = i + 2;
		return -1;
	}
	*end = (size_t)(close - sc->text) + 2;
	n = (size_t)(close - s);
	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	ph = ph_lookup(s, n);
	if (ph < 0) {
		diag_quote(s, n, q, sizeof(q));
		snprintf(msg, sizeof(msg),
			 "unknown placeholder '{{%s}}' (expected: rule, "
			 "category, contact, host, url, law, ack_url, token, ref, time, lang, "
			 "status)",
			 q);
		problem(sc, i, msg);
	}
	return ph;
}

/* A byte that is not plain text: a NUL or a UTF-8 sequence. Returns how
 * far it goes (1 when it is bad, reported). */
static size_t odd_byte(struct scan *sc, size_t i)
{
	const uint8_t *p = (const uint8_t *)sc->text + i;
	size_t k = p[0] ? utf8_len(p, sc->len - i) : 0;
	char msg[64];

	if (k)
		return k;
	snprintf(msg, sizeof(msg), p[0] ? "invalid UTF-8 (byte 0x%02x)" : "NUL byte", p[0]);
	problem(sc, i, msg);
	return 1;
}

static int scan(struct scan *sc)
{
	size_t i = 0, run = 0, end;
	int ph, err = 0;

	while (i < sc->len && !err) {
		unsigned char c = (unsigned char)sc->text[i];

		if (c == '{' && i + 1 < sc->len && sc->text[i + 1] == '{') {
			ph = placeholder(sc, i, &end);
			if (ph >= 0)
				err = push(sc, run, i - run, -1) ?: push(sc, i, 0, ph);
			run = ph >= 0 ? end : run;
			i = end;
			continue;
		}
		if (c == '\n')
			sc->line++, sc->line_start = i + 1;
		i += c && c < 0x80 ? 1 : odd_byte(sc, i);
	}
	return err ?: push(sc, run, sc->len - run, -1);
}

const struct tmpl *tmpl_find(const struct notice_set *s, const char *name, const char *lang)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->t[i].name, name) && !strcasecmp(s->t[i].lang, lang))
			return &s->t[i];
	return NULL;
}

static void tmpl_free(struct tmpl *t)
{
	free(t->text);
	free(t->pieces);
}

/* A free slot of s for name and lang: the old template's, emptied, or a
 * new one. */
static struct tmpl *slot(struct notice_set *s, const char *name, const char *lang)
{
	struct tmpl *t = (struct tmpl *)tmpl_find(s, name, lang);

	if (t) {
		tmpl_free(t);
	} else {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 8;
			struct tmpl *nt = realloc(s->t, cap * sizeof(*nt));

			if (!nt)
				return NULL;
			s->t = nt;
			s->cap = cap;
		}
		t = &s->t[s->n++];
	}
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->lang, sizeof(t->lang), "%s", lang);
	return t;
}

int notice_set_add(struct notice_set *s, const char *file, const char *name, const char *lang,
		   const char *text, size_t len, struct diag *d)
{
	struct tmpl t = {0};
	struct scan sc = {.file = file, .text = text, .len = len, .line = 1, .d = d, .t = &t};
	struct tmpl *dst;
	int err;

	if (len > NOTICE_FILE_MAX) {
		diag_add(d, file, 0, 0, "template of %zu bytes (at most %u)", len, NOTICE_FILE_MAX);
		return -EINVAL;
	}
	err = scan(&sc) ?: sc.err;
	if (!err && !(t.text = malloc(len + 1)))
		err = -ENOMEM;
	if (!err && !(dst = slot(s, name, lang)))
		err = -ENOMEM;
	if (err) {
		tmpl_free(&t);
		return err;
	}
	memcpy(t.text, text, len);
	t.text[len] = '\0';
	memcpy(t.name, dst->name, sizeof(t.name));
	memcpy(t.lang, dst->lang, sizeof(t.lang));
	*dst = t;
	return 0;
}

struct notice_set *notice_set_new(const char *default_lang)
{
	struct notice_set *s = calloc(1, sizeof(*s));

	if (s)
		snprintf(s->def, sizeof(s->def), "%s", default_lang ? default_lang : "en");
	return s;
}

void notice_set_free(struct notice_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		tmpl_free(&s->t[i]);
	free(s->t);
	free(s);
}

const char *notice_set_default_lang(const struct notice_set *s)
{
	return s->def;
}

/* ---- loading a directory ------------------------------------------------ */

static int name_ok(const char *s, size_t n, int tag)
{
	if (!n || n >= (tag ? NOTICE_LANG_MAX : NOTICE_NAME_MAX))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			 (tag ? (c >= 'A' && c <= 'Z') : c == '_');

		if (!ok)
			return 0;
	}
	return 1;
}

/* "block.hi.html" into name "block" and lang "hi"; 1 if it is one. */
static int split_name(const char *f, char *name, char *lang)
{
	size_t n = strlen(f) - 5; /* the caller saw ".html" */
	const char *dot = memrchr(f, '.', n);

	if (!dot || !name_ok(f, (size_t)(dot - f), 0) ||
	    !name_ok(dot + 1, n - (size_t)(dot + 1 - f), 1))
		return 0;
	memcpy(name, f, (size_t)(dot - f));
	name[dot - f] = '\0';
	memcpy(lang, dot + 1, n - (size_t)(dot + 1 - f));
	lang[n - (size_t)(dot + 1 - f)] = '\0';
	return 1;
}

/* Reads path (at most NOTICE_FILE_MAX + 1 bytes, so one too large shows). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(NOTICE_FILE_MAX + 1) : NULL;

	if (buf)
		*len = fread(buf, 1, NOTICE_FILE_MAX + 1, f);
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

static int load_one(struct notice_set *s, const char *dir, const char *file, struct diag *d)
{
	char path[4096], name[NOTICE_NAME_MAX], lang[NOTICE_LANG_MAX];
	size_t len = 0;
	char *text;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!split_name(file, name, lang)) {
		diag_add(d, path, 0, 0,
			 "not a template file name (expected NAME.LANG.html: "
			 "block.hi.html, warn.ta.html; NAME of a-z 0-9 _ -, LANG a language tag)");
		return -EINVAL;
	}
	text = slurp(path, &len);
	if (!text) {
		diag_add(d, path, 0, 0, "couldn't read the template: %s", strerror(errno));
		return -EINVAL;
	}
	err = notice_set_add(s, path, name, lang, text, len, d);
	free(text);
	return err;
}

static int is_html(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".html");
}

int notice_set_load(const char *dir, const char *default_lang, struct notice_set **out,
		    struct diag *d)
{
	struct notice_set *s = notice_set_new(default_lang);
	struct dirent **ents = NULL;
	int n = s ? scandir(dir, &ents, is_html, alphasort) : -1, err = 0;

	if (n < 0) {
		err = -errno;
		diag_add(d, dir, 0, 0, "couldn't read the notice templates: %s", strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		int e = load_one(s, dir, ents[i]->d_name, d);

		err = err == -ENOMEM ? err : e ? e : err;
		free(ents[i]);
	}
	free(ents);
	if (!err && !tmpl_find(s, "block", s->def)) {
		diag_add(d, dir, 0, 0,
			 "no block template in the default language '%s' "
			 "(expected %s/block.%s.html)",
			 s->def, dir, s->def);
		err = -EINVAL;
	}
	if (err) {
		notice_set_free(s);
		return err;
	}
	*out = s;
	return 0;
}
