// SPDX-License-Identifier: GPL-2.0
/* Hash-sharing XML reader: streams a clearinghouse file through libxml2's
 * xmlReader into a table of entries keyed by id, applying replacements and
 * deletions in document order; hashxml_build.c then builds the exact sets
 * and the PDQ index from the entries in force. List-loading stage, beside
 * listfile.c.
 *
 *   <queryResult>
 *     <images>  <image> id classification fingerprints{md5 sha1 pdq} </image>
 *               <deletedImage> id </deletedImage>
 *     <videos>  <video> ... </video>  <deletedVideo> id </deletedVideo>
 *
 * Elements we don't know (member, timestamp, feedback, paging, other
 * fingerprint types) are skipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "hashxml_int.h"

/* Parse state for one file. */
enum xkind { X_NONE, X_IMAGE, X_VIDEO, X_DEL_IMAGE, X_DEL_VIDEO };

struct xp {
	struct hashxml *x;
	xmlTextReaderPtr r;
	const char *name;
	struct diag *d;
	int fatal;		/* stop reading */
	int xml_bad;		/* libxml2 reported an error: the file is rejected */
	int root_seen;
	enum xkind in;		/* the entry being read */
	int depth;		/* its element depth */
	int bad;		/* it had an error: dropped */
	struct xentry cur;
	char id[HASHXML_ID_MAX];
	char cls[CLASS_MAX];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

struct hashxml *hashxml_new(void)
{
	struct hashxml *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->map_cap = 1024;
	x->map = calloc(x->map_cap, sizeof(*x->map));
	x->cls = malloc(sizeof(*x->cls));
	if (!x->map || !x->cls || !(x->cls[0] = strdup(HASHXML_UNCLASSIFIED))) {
		free(x->map);
		free(x->cls);
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->ncls = 1;
	return x;
}

void hashxml_free(struct hashxml *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->e[i].id);
	for (size_t i = 0; i < x->ncls; i++)
		free(x->cls[i]);
	free(x->cls);
	free(x->e);
	free(x->map);
	free(x);
}

/* Slot of id in the map: where it is, or the empty slot it would take. */
static size_t slot_of(const struct hashxml *x, const char *id)
{
	size_t i = fnv1a(id) & (x->map_cap - 1);

	while (x->map[i] && strcmp(x->e[x->map[i] - 1].id, id))
		i = (i + 1) & (x->map_cap - 1);
	return i;
}

static int map_grow(struct hashxml *x)
{
	size_t ncap = x->map_cap * 2;
	uint32_t *nm = calloc(ncap, sizeof(*nm)), *old = x->map;

	if (!nm)
		return -ENOMEM;
	x->map = nm;
	x->map_cap = ncap;
	for (size_t i = 0; i < x->n; i++)
		x->map[slot_of(x, x->e[i].id)] = (uint32_t)i + 1;
	free(old);
	return 0;
}

struct xentry *hashxml_lookup(const struct hashxml *x, const char *id)
{
	uint32_t v = x->map[slot_of(x, id)];

	return v ? &x->e[v - 1] : NULL;
}

/* Index of classification c, added if new; -1 on ENOMEM or too many. */
static int class_index(struct hashxml *x, const char *c)
{
	char **grown;

	if (!c[0])
		return 0;
	for (size_t i = 0; i < x->ncls; i++)
		if (!strcmp(x->cls[i], c))
			return (int)i;
	if (x->ncls >= UINT16_MAX)
		return -1;
	grown = realloc(x->cls, (x->ncls + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	x->cls = grown;
	if (!(x->cls[x->ncls] = strdup(c)))
		return -1;
	return (int)x->ncls++;
}

/* Puts e (id owned by the caller) in force, replacing one with its id. */
static int upsert(struct hashxml *x, const struct xentry *e)
{
	struct xentry *old = hashxml_lookup(x, e->id);
	char *id;

	if (old) {
		id = old->id;
		*old = *e;
		old->id = id;
		return 0;
	}
	if ((x->n + 1) * 10 > x->map_cap * 7 && map_grow(x))
		return -ENOMEM;
	if (x->n == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 256;
		struct xentry *ne = realloc(x->e, ncap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		x->e = ne;
		x->cap = ncap;
	}
	if (!(id = strdup(e->id)))
		return -ENOMEM;
	x->e[x->n] = *e;
	x->e[x->n].id = id;
	x->n++;
	x->map[slot_of(x, id)] = (uint32_t)x->n;
	return 0;
}

/* ---- parsing --------------------------------------------------------------- */

static unsigned node_line(struct xp *p)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(p->r);
	long l = n ? xmlGetLineNo(n) : -1;

	return l > 0 ? (unsigned)l : (unsigned)xmlTextReaderGetParserLineNumber(p->r);
}

static void xml_error(void *ctx, xmlErrorPtr err)
{
	struct xp *p = ctx;
	char msg[200];
	size_t n;

	if (err->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "error");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	diag_add(p->d, p->name, err->line > 0 ? (unsigned)err->line : 1,
			  err->int2 > 0 ? (unsigned)err->int2 : 1, "malformed XML: %s", msg);
	/* keep reading: the reader still hands out the nodes it parsed before
	 * the error, and their problems belong in the report too */
	p->xml_bad = 1;
}

static const char *const entry_names[] = {
	[X_IMAGE] = "image", [X_VIDEO] = "video",
	[X_DEL_IMAGE] = "deletedImage", [X_DEL_VIDEO] = "deletedVideo",
};

static enum xkind entry_kind(const char *name)
{
	for (int k = X_IMAGE; k <= X_DEL_VIDEO; k++)
		if (!strcmp(name, entry_names[k]))
			return (enum xkind)k;
	return X_NONE;
}

/* The element's text, trimmed, into buf; returns its length, -1 when it
 * doesn't fit, or -2 when the document ends inside it (libxml2 reports
 * that itself). */
static int element_text(struct xp *p, char *buf, size_t size)
{
	xmlChar *s;
	const char *t;
	size_t n;
	int rc;

	buf[0] = '\0';
	if (!xmlTextReaderExpand(p->r)) {
		p->bad = 1;
		return -2;
	}
	s = xmlTextReaderReadString(p->r);
	t = s ? (const char *)s : "";

	while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
		t++;
	n = strlen(t);
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
		n--;
	rc = n < size ? (int)n : -1;
	if (rc >= 0) {
		memcpy(buf, t, n);
		buf[n] = '\0';
	} else {
		memcpy(buf, t, size - 1);
		buf[size - 1] = '\0';
	}
	xmlFree(s);
	return rc;
}

static int unhex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (!strchr("0123456789abcdefABCDEF", s[2 * i]) || !s[2 * i] ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]) || !s[2 * i + 1])
			return -1;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void field_error(struct xp *p, const char *what, const char *val, const char *expect)
{
	char q[DIAG_QUOTE_LEN];

	diag_quote(val, strlen(val), q, sizeof(q));
	diag_add(p->d, p->name, node_line(p), 0, "invalid %s '%s' in <%s> '%s' (%s)",
			  what, q, entry_names[p->in], p->id[0] ? p->id : "?", expect);
	p->bad = 1;
}

/* A fingerprint element of an image or video entry. */
static void fingerprint(struct xp *p, const char *name)
{
	static const struct { const char *name; const char *title; int flag; size_t len; } fp[] = {
		{ "md5", "MD5 digest", F_MD5, 16 },
		{ "sha1", "SHA-1 digest", F_SHA1, 20 },
		{ "pdq", "PDQ hash", F_PDQ, 32 },
	};
	char v[80], expect[32];
	int rc;

	for (size_t i = 0; i < sizeof(fp) / sizeof(fp[0]); i++) {
		uint8_t *dst = i == 0 ? p->cur.md5 : i == 1 ? p->cur.sha1 : p->cur.pdq.b;

		if (strcmp(name, fp[i].name))
			continue;
		snprintf(expect, sizeof(expect), "expected %zu hex digits", 2 * fp[i].len);
		rc = element_text(p, v, sizeof(v));
		if (rc == -2)
			return;
		if (rc < 0 || unhex(v, dst, fp[i].len)) {
			field_error(p, fp[i].title, v, expect);
			return;
		}
		p->cur.flags |= fp[i].flag;
	}
}

static int valid_class(const char *c)
{
	if (!c[0])
		return 0;
	for (; *c; c++)
		if (!(*c >= 'A' && *c <= 'Z') && !(*c >= 'a' && *c <= 'z') &&
		    !(*c >= '0' && *c <= '9') && *c != '-' && *c != '_')
			return 0;
	return 1;
}

/* A child element of the entry being read. */
static void entry_child(struct xp *p, const char *name)
{
	char v[80];
	int rc;

	if (!strcmp(name, "id")) {
		rc = element_text(p, p->id, sizeof(p->id));
		if (rc != -2 && rc <= 0)
			field_error(p, "id", p->id, "expected 1 to 127 bytes");
	} else if (!strcmp(name, "classification")) {
		rc = element_text(p, v, sizeof(v));
		if (rc == -2)
			return;
		if (rc < 0 || strlen(v) >= CLASS_MAX || !valid_class(v))
			field_error(p, "classification", v,
				    "expected letters, digits, '-' or '_', at most 63");
		else
			strcpy(p->cls, v);
	} else if (p->in == X_IMAGE || p->in == X_VIDEO) {
		fingerprint(p, name);
	}
}

static void begin_entry(struct xp *p, enum xkind k)
{
	p->in = k;
	p->depth = xmlTextReaderDepth(p->r);
	p->bad = 0;
	memset(&p->cur, 0, sizeof(p->cur));
	p->cur.line = node_line(p);
	p->id[0] = p->cls[0] = '\0';
}

static int delete_entry(struct xp *p)
{
	struct xentry *e = hashxml_lookup(p->x, p->id);

	p->x->st.deletions++;
	if (e && (e->flags & F_LIVE))
		e->flags &= (uint8_t)~F_LIVE;
	else
		p->x->st.unknown_deletions++;
	return 0;
}

/* The entry's end tag: apply it. Returns 0 or -ENOMEM. */
static int end_entry(struct xp *p)
{
	enum xkind k = p->in;
	int cls;

	p->in = X_NONE;
	if (!p->id[0] && !p->bad) {
		diag_add(p->d, p->name, p->cur.line, 0, "<%s> without <id>",
				  entry_names[k]);
		p->bad = 1;
	}
	if (p->bad)
		return 0;
	if (k == X_DEL_IMAGE || k == X_DEL_VIDEO)
		return delete_entry(p);
	cls = class_index(p->x, p->cls);
	if (cls < 0)
		return -ENOMEM;
	p->cur.cls = (uint16_t)cls;
	p->cur.flags |= F_LIVE | (k == X_VIDEO ? F_VIDEO : 0);
	p->cur.id = p->id;
	if (k == X_VIDEO)
		p->x->st.videos++;
	else
		p->x->st.images++;
	return upsert(p->x, &p->cur);
}

static int start_element(struct xp *p)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(p->r);
	enum xkind k;

	if (!p->root_seen) {
		p->root_seen = 1;
		if (strcmp(name, "queryResult")) {
			diag_add(p->d, p->name, node_line(p), 0,
					  "root element is <%.40s>, expected <queryResult>", name);
			p->fatal = 1;
		}
		return 0;
	}
	if (p->in != X_NONE) {
		entry_child(p, name);
		return 0;
	}
	k = entry_kind(name);
	if (k == X_NONE)
		return 0;
	begin_entry(p, k);
	return xmlTextReaderIsEmptyElement(p->r) ? end_entry(p) : 0;
}

/* Runs the reader to the end; the caller owns p->r. */
static int run(struct xp *p)
{
	int ret = 1, rc = 0;

	xmlTextReaderSetStructuredErrorHandler(p->r, xml_error, p);
	while (!p->fatal && !rc && (ret = xmlTextReaderRead(p->r)) == 1) {
		int type = xmlTextReaderNodeType(p->r);

		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			/* (libxml2 keeps no line for the DTD node) */
			diag_add(p->d, p->name, 0, 0,
					  "DOCTYPE not allowed in hash-sharing XML");
			p->fatal = 1;
		} else if (type == XML_READER_TYPE_ELEMENT) {
			rc = start_element(p);
		} else if (type == XML_READER_TYPE_END_ELEMENT && p->in != X_NONE &&
			   xmlTextReaderDepth(p->r) == p->depth) {
			rc = end_entry(p);
		}
	}
	if (ret < 0 && !p->fatal && !p->xml_bad) {
		diag_add(p->d, p->name, node_line(p), 0, "malformed XML");
		p->fatal = 1;
	}
	if (!rc && !p->fatal && !p->xml_bad && !p->root_seen) {
		diag_add(p->d, p->name, 1, 1, "malformed XML: no root element");
		p->fatal = 1;
	}
	return rc;
}

/* No network, no DTD loading, no entity substitution (XML_PARSE_NOENT is
 * deliberately absent), and libxml2's default size limits (no HUGE). */
#define XML_OPTS XML_PARSE_NONET

static int finish(struct xp *p, bool skip_bad, int rc)
{
	xmlFreeTextReader(p->r);
	if (rc)
		return rc;
	if (p->fatal || p->xml_bad || (p->d->errors && !skip_bad))
		return -EINVAL;
	return 0;
}

/* libxml2 prints some errors (encoding, I/O) through its per-thread
 * generic and structured handlers instead of the reader's. Point both at
 * us for the length of one parse, and restore them after: the parser must
 * not print. */
struct xml_handlers {
	xmlGenericErrorFunc gen;
	void *gen_ctx;
	xmlStructuredErrorFunc st;
	void *st_ctx;
};

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void handlers_take(struct xml_handlers *h, struct xp *p)
{
	h->gen = xmlGenericError;
	h->gen_ctx = xmlGenericErrorContext;
	h->st = xmlStructuredError;
	h->st_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(p, silent);
	xmlSetStructuredErrorFunc(p, xml_error);
}

static void handlers_restore(const struct xml_handlers *h)
{
	xmlSetGenericErrorFunc(h->gen_ctx, h->gen);
	xmlSetStructuredErrorFunc(h->st_ctx, h->st);
}

int hashxml_read(struct hashxml *x, const char *path, bool skip_bad,
		 struct diag *d)
{
	struct xp p = { .x = x, .name = path, .d = d };
	struct xml_handlers h;
	int rc;

	memset(d, 0, sizeof(*d));
	handlers_take(&h, &p);
	p.r = xmlReaderForFile(path, NULL, XML_OPTS);
	if (!p.r) {
		handlers_restore(&h);
		d->errors = d->nmsgs = 0;	/* one clear message instead */
		diag_add(d, path, 0, 0, "couldn't open hash-sharing XML");
		return -EIO;
	}
	rc = finish(&p, skip_bad, run(&p));
	handlers_restore(&h);
	return rc;
}

int hashxml_parse(struct hashxml *x, const char *name, const char *buf,
		  size_t len, bool skip_bad, struct diag *d)
{
	struct xp p = { .x = x, .name = name, .d = d };
	struct xml_handlers h;
	int rc;

	memset(d, 0, sizeof(*d));
	if (len > INT32_MAX)
		return -E2BIG;
	handlers_take(&h, &p);
	p.r = xmlReaderForMemory(buf, (int)len, name, NULL, XML_OPTS);
	if (!p.r) {
		handlers_restore(&h);
		return -ENOMEM;
	}
	rc = finish(&p, skip_bad, run(&p));
	handlers_restore(&h);
	return rc;
}
