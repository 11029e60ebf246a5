// SPDX-License-Identifier: GPL-2.0
/* yamltree: a YAML file -> a tree of nodes with positions (libyaml's event
 * parser), and the scalar readers the settings code uses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yamltree.h"

#define YDOC_MAX_BYTES (16u << 20)
#define YDEPTH_MAX     32 /* nesting refused past this (a file, not a bomb) */

struct yparse {
	yaml_parser_t p;
	struct ydoc *doc;
	struct diag *d;
	int err;
};

/* ---- messages -------------------------------------------------------------------- */

/* The text of line `line` (1-based) of the document, for a caret. */
static void src_line(const struct ydoc *doc, unsigned line, const char **p, size_t *n)
{
	const char *s = doc->text, *end = doc->text + doc->len, *nl;

	for (unsigned l = 1; l < line && s < end; l++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		s = nl ? nl + 1 : end;
	}
	nl = memchr(s, '\n', (size_t)(end - s));
	*p = s;
	*n = (size_t)((nl ? nl : end) - s);
}

static void message(const struct ydoc *doc, unsigned line, unsigned col, struct diag *d,
		    bool warn, const char *fmt, va_list ap)
{
	char text[DIAG_MSG_LEN];
	const char *p;
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	if (warn)
		diag_warn(d, doc->name, line, col, "%s", text);
	else
		diag_add(d, doc->name, line, col, "%s", text);
	if (line && doc->text) {
		src_line(doc, line, &p, &n);
		diag_src(d, p, n);
	}
}

void ydoc_error(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	message(doc, n ? n->line : 0, n ? n->col : 0, d, false, fmt, ap);
	va_end(ap);
}

void ydoc_warn(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(doc, n ? n->line : 0, n ? n->col : 0, d, true, fmt, ap);
	va_end(ap);
}

static void at_mark(struct yparse *y, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void at_mark(struct yparse *y, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(y->doc, (unsigned)m->line + 1, (unsigned)m->column + 1, y->d, false, fmt, ap);
	va_end(ap);
	y->err = -EINVAL;
}

/* ---- the tree ------------------------------------------------------------------------ */

static void node_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->line = (unsigned)m->line + 1;
		n->col = (unsigned)m->column + 1;
	}
	return n;
}

static int add_kid(struct ynode *parent, struct ynode *kid)
{
	struct ynode **k = realloc(parent->kids, (parent->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	parent->kids = k;
	parent->kids[parent->n++] = kid;
	return 0;
}

/* Next event; a libyaml error is reported at its mark. Returns 0 or -EINVAL. */
static int next(struct yparse *y, yaml_event_t *ev)
{
	if (yaml_parser_parse(&y->p, ev))
		return 0;
	at_mark(y, &y->p.problem_mark, "%s%s%s", y->p.problem ? y->p.problem : "invalid YAML",
		y->p.context ? " " : "", y->p.context ? y->p.context : "");
	return -EINVAL;
}

static struct ynode *parse_node(struct yparse *y, yaml_event_t *ev, int depth);

static struct ynode *scalar(struct yparse *y, yaml_event_t *ev)
{
	struct ynode *n = node_new(YN_SCALAR, &ev->start_mark);
	size_t len = ev->data.scalar.length;

	if (!n)
		return NULL;
	if (memchr(ev->data.scalar.value, 0, len)) {
		at_mark(y, &ev->start_mark, "a NUL character in a value");
		node_free(n);
		return NULL;
	}
	n->str = strndup((const char *)ev->data.scalar.value, len);
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!n->str) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* True when key is already a key of the mapping (keys at even positions). */
static bool duplicate(const struct ynode *map, const struct ynode *key)
{
	if (key->kind != YN_SCALAR)
		return false;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YN_SCALAR && !strcmp(map->kids[i]->str, key->str))
			return true;
	return false;
}

/* Reads the items of a sequence or mapping until its end event. */
static struct ynode *collection(struct yparse *y, yaml_event_t *start, enum ynode_kind kind,
				int depth)
{
	yaml_event_type_t end = kind == YN_SEQ ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
	struct ynode *n = node_new(kind, &start->start_mark), *kid;
	yaml_event_t ev;

	if (!n)
		return NULL;
	for (;;) {
		if (next(y, &ev))
			break;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return n;
		}
		kid = parse_node(y, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!kid)
			break;
		if (kind == YN_MAP && !(n->n % 2) && duplicate(n, kid)) {
			y->err = -EINVAL;
			ydoc_error(y->doc, kid, y->d, "duplicate key '%s'", kid->str);
		}
		if (add_kid(n, kid)) {
			node_free(kid);
			break;
		}
	}
	node_free(n);
	return NULL;
}

/* The node whose first event is ev (ev is the caller's to delete). */
static struct ynode *parse_node(struct yparse *y, yaml_event_t *ev, int depth)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (depth > YDEPTH_MAX) {
		at_mark(y, &ev->start_mark, "nested deeper than %d levels", YDEPTH_MAX);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor, tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor, tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor, tag = ev->data.mapping_start.tag;
		break;
	case YAML_ALIAS_EVENT:
		at_mark(y, &ev->start_mark, "aliases (*name) are not supported: write the value");
		return NULL;
	default:
		at_mark(y, &ev->start_mark, "unexpected YAML event");
		return NULL;
	}
	if (anchor || tag) {
		at_mark(y, &ev->start_mark, "%s are not supported",
			anchor ? "anchors (&name)" : "tags (!name)");
		return NULL;
	}
	if (ev->type == YAML_SCALAR_EVENT)
		return scalar(y, ev);
	return collection(y, ev, ev->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP, depth);
}

/* stream start, [document start, root, document end], stream end */
static int parse_stream(struct yparse *y)
{
	yaml_event_t ev;
	int docs = 0;

	while (!next(y, &ev)) {
		yaml_event_type_t t = ev.type;

		if (t == YAML_DOCUMENT_START_EVENT && docs++) {
			at_mark(y, &ev.start_mark, "a second document ('---'): one file, one document");
		} else if (t == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			if (next(y, &ev))
				break;
			if (ev.type != YAML_DOCUMENT_END_EVENT)
				y->doc->root = parse_node(y, &ev, 0);
			if (!y->doc->root && !y->err && ev.type != YAML_DOCUMENT_END_EVENT)
				y->err = -ENOMEM;
		}
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT || y->err)
			break;
	}
	return y->err ? y->err : 0;
}

int ydoc_parse(struct ydoc *doc, const char *name, const char *text, size_t len,
	       struct diag *d)
{
	struct yparse y = {.doc = doc, .d = d};

	memset(doc, 0, sizeof(*doc));
	doc->name = name;
	doc->text = malloc(len + 1);
	if (!doc->text)
		return -ENOMEM;
	memcpy(doc->text, text, len);
	doc->text[len] = '\0';
	doc->len = len;
	if (!yaml_parser_initialize(&y.p))
		return -ENOMEM;
	yaml_parser_set_input_string(&y.p, (const unsigned char *)doc->text, len);
	y.err = parse_stream(&y);
	yaml_parser_delete(&y.p);
	return y.err;
}

int ydoc_load(struct ydoc *doc, const char *path, struct diag *d)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;
	int err;

	memset(doc, 0, sizeof(*doc));
	doc->name = path;
	if (f) {
		buf = malloc(YDOC_MAX_BYTES + 1);
		if (buf)
			n = fread(buf, 1, YDOC_MAX_BYTES + 1, f);
		err = !buf ? -ENOMEM : ferror(f) ? -EIO : n > YDOC_MAX_BYTES ? -EFBIG : 0;
		fclose(f);
	} else {
		err = -errno;
	}
	if (err) {
		diag_add(d, path, 0, 0, "couldn't read the file: %s", strerror(-err));
		free(buf);
		return err;
	}
	err = ydoc_parse(doc, path, buf, n, d);
	free(buf);
	return err;
}

void ydoc_free(struct ydoc *doc)
{
	node_free(doc->root);
	free(doc->text);
	memset(doc, 0, sizeof(*doc));
}

/* ---- walking --------------------------------------------------------------------------- */

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YN_SCALAR && !strcmp(map->kids[i]->str, key))
			return map->kids[i + 1];
	return NULL;
}

/* "a, b or c" of a NULL-ended list, into out. */
static void choices(const char *const *keys, char *out, size_t n)
{
	size_t k = 0, used = 0;

	while (keys[k])
		k++;
	out[0] = '\0';
	for (size_t i = 0; i < k && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s",
					 i == 0 ? "" : i + 1 == k ? " or " : ", ", keys[i]);
}

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *kind_name(enum ynode_kind k)
{
	return k == YN_MAP ? "a mapping" : k == YN_SEQ ? "a list" : "a value";
}

int ymap_check(const struct ydoc *doc, const struct ynode *map, const char *what,
	       const char *const *keys, struct diag *d)
{
	char want[512];
	int err = 0;

	if (!map || map->kind != YN_MAP) {
		ydoc_error(doc, map, d, "%s: expected a mapping (key: value lines), found %s", what,
			   map ? kind_name(map->kind) : "nothing");
		return -EINVAL;
	}
	choices(keys, want, sizeof(want));
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];

		if (k->kind != YN_SCALAR || !in(k->str, keys)) {
			ydoc_error(doc, k, d, "unknown key '%s' in %s (expected %s)",
				   k->kind == YN_SCALAR ? k->str : "?", what, want);
			err = -EINVAL;
		}
	}
	return err;
}

/* ---- scalars ----------------------------------------------------------------------------- */

int yget_str(const struct ydoc *doc, const struct ynode *n, struct diag *d, const char **s)
{
	if (n->kind != YN_SCALAR) {
		ydoc_error(doc, n, d, "expected a value, found %s", kind_name(n->kind));
		return -EINVAL;
	}
	*s = n->str;
	return 0;
}

/* A decimal number, then a unit from units[] (NULL-ended; "" allowed when
 * listed) whose multiplier is mult[]. */
static int number_unit(const char *s, const char *const *units, const uint64_t *mult,
		       uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (size_t i = 0; units[i]; i++)
		if (!strcmp(end, units[i])) {
			if (mult[i] && n > UINT64_MAX / mult[i])
				return -EINVAL;
			*v = n * mult[i];
			return 0;
		}
	return -EINVAL;
}

static int ranged(const struct ydoc *doc, const struct ynode *n, struct diag *d,
		  const char *const *units, const uint64_t *mult, uint64_t lo, uint64_t hi,
		  const char *expect, uint64_t *v)
{
	uint64_t x;

	if (n->kind != YN_SCALAR || number_unit(n->str, units, mult, &x) || x < lo || x > hi) {
		ydoc_error(doc, n, d, "expected %s, found '%s'", expect,
			   n->kind == YN_SCALAR ? n->str : kind_name(n->kind));
		return -EINVAL;
	}
	*v = x;
	return 0;
}

int yget_u64(const struct ydoc *doc, const struct ynode *n, uint64_t lo, uint64_t hi,
	     struct diag *d, uint64_t *v)
{
	static const char *const units[] = {"", NULL};
	static const uint64_t mult[] = {1};
	char expect[80];

	snprintf(expect, sizeof(expect), "a whole number %llu..%llu", (unsigned long long)lo,
		 (unsigned long long)hi);
	return ranged(doc, n, d, units, mult, lo, hi, expect, v);
}

int yget_size(const struct ydoc *doc, const struct ynode *n, uint64_t lo, uint64_t hi,
	      struct diag *d, uint64_t *v)
{
	static const char *const units[] = {"", "k", "K", "KiB", "M", "MiB", "G", "GiB", NULL};
	static const uint64_t mult[] = {1, 1 << 10, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30,
					1 << 30};

	return ranged(doc, n, d, units, mult, lo, hi,
		      "a size in bytes (a number, optionally followed by k, M or G)", v);
}

int yget_duration(const struct ydoc *doc, const struct ynode *n, uint64_t lo_ns,
		  uint64_t hi_ns, struct diag *d, uint64_t *ns)
{
	static const char *const units[] = {"ms", "s", "m", "h", "d", NULL};
	static const uint64_t mult[] = {1000000ull, 1000000000ull, 60000000000ull,
					3600000000000ull, 86400000000000ull};

	return ranged(doc, n, d, units, mult, lo_ns, hi_ns,
		      "a duration (a number followed by ms, s, m, h or d, e.g. 30s)", ns);
}

int yget_bool(const struct ydoc *doc, const struct ynode *n, struct diag *d, bool *v)
{
	static const char *const yes[] = {"true", "yes", "on", NULL};
	static const char *const no[] = {"false", "no", "off", NULL};

	if (n->kind == YN_SCALAR && in(n->str, yes))
		*v = true;
	else if (n->kind == YN_SCALAR && in(n->str, no))
		*v = false;
	else {
		ydoc_error(doc, n, d, "expected true or false, found '%s'",
			   n->kind == YN_SCALAR ? n->str : kind_name(n->kind));
		return -EINVAL;
	}
	return 0;
}

int yget_enum(const struct ydoc *doc, const struct ynode *n, const char *const *choices_,
	      struct diag *d, int *idx)
{
	char want[256];

	for (int i = 0; n->kind == YN_SCALAR && choices_[i]; i++)
		if (!strcmp(n->str, choices_[i])) {
			*idx = i;
			return 0;
		}
	choices(choices_, want, sizeof(want));
	ydoc_error(doc, n, d, "expected %s, found '%s'", want,
		   n->kind == YN_SCALAR ? n->str : kind_name(n->kind));
	return -EINVAL;
}
