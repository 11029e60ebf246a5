// SPDX-License-Identifier: GPL-2.0
/* pollists: the lists section of a policy file. Each list is named, of one
 * type, and comes from a file or inline entries:
 *
 *   md5, sha1, sha256 --listfile--> hashset --> hashdb group <name>
 *   pdq               --listfile--> pdqindex --> pdqdb group <name>
 *   hashxml           --hashxml---> both registries, group <name>
 *   ip, domain, url   --lines-----> the policy's cidrset, domset, urlset
 *
 * Lists of any type with errors are reported whole (every line's error)
 * and fail the policy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lists/hashxml.h"
#include "policy_int.h"


static const char *const kind_names[] = {"md5", "sha1", "sha256", "pdq", "hashxml",
					 "ip",	"domain", "url", NULL};
static const char *const list_keys[] = {"name",	     "type",	 "file",     "entries",
					"xml",	     "category", "threshold", "dihedral",
					"format",    "column",	 "skip_bad", NULL};

const char *policy_list_kind_name(enum plist_kind k)
{
	return k < PL_KIND_MAX ? kind_names[k] : "?";
}

int policy_list_find(const struct policy *p, const char *name)
{
	uint32_t i;

	return strmap_get(&p->list_ix, name, strlen(name), &i) ? (int)i : -1;
}

/* ---- addresses, names, URLs --------------------------------------------------------- */

struct text_ctx {
	unsigned list;
	enum plist_kind kind;
	size_t n; /* entries taken */
};

/* One entry s[0..n) of an ip, domain or url list; returns 0 or -EINVAL with
 * *why, or -ENOMEM. */
static int text_entry(struct policy *p, const struct text_ctx *t, const char *s, size_t n,
		      const char **why)
{
	char name[DOMAIN_MAX + 1];
	const char *path;
	size_t len, plen;
	struct cidr c;
	uint32_t id = 0;
	bool wild;
	int rc;

	if (t->kind == PL_IP) {
		if (cidr_parse(s, n, &c, why))
			return -EINVAL;
		cidrset_get(&p->ip, &c, &id);
		if ((rc = bitpool_add_bit(&p->bits, id, t->list, &id)))
			return rc;
		return cidrset_set(&p->ip, &c, id);
	}
	if (t->kind == PL_DOMAIN) {
		if (domain_normalize(s, n, name, &len, &wild, why))
			return -EINVAL;
		return domset_add(&p->dom, &p->bits, name, len, wild, t->list);
	}
	if (url_parse(s, n, name, &len, &path, &plen, why))
		return -EINVAL;
	return urlset_add(&p->url, &p->bits, name, len, path, plen, t->list);
}

static const char *text_what(enum plist_kind k)
{
	return k == PL_IP ? "IP prefix" : k == PL_DOMAIN ? "domain name" : "URL";
}

static int text_line(struct policy *p, const char *file, unsigned line, unsigned col,
		     const char *s, size_t len, void *ctx)
{
	struct text_ctx *t = ctx;
	char q[DIAG_QUOTE_LEN];
	const char *why;
	int rc = text_entry(p, t, s, len, &why);

	t->n += !rc;
	if (rc == -EINVAL) {
		diag_quote(s, len, q, sizeof(q));
		policy_file_error(p, file, line, col, "invalid %s '%s': %s", text_what(t->kind), q,
				  why);
	}
	return rc;
}

static int text_value(struct policy *p, const struct ynode *v, void *ctx)
{
	struct text_ctx *t = ctx;
	char q[DIAG_QUOTE_LEN];
	const char *why;
	int rc = text_entry(p, t, v->str, v->len, &why);

	t->n += !rc;
	if (rc == -EINVAL) {
		diag_quote(v->str, v->len, q, sizeof(q));
		ydoc_error(&p->doc, v, p->d, "invalid %s '%s': %s", text_what(t->kind), q, why);
	}
	return rc;
}

/* ---- hash and PDQ lists -------------------------------------------------------------- */

/* One list being read. */
struct load {
	struct policy *p;
	struct plist *l;
	unsigned idx;
	const struct ynode *n, *src; /* the list, and its file/entries/xml value */
	bool file;
	const char *category;
	struct listfile_opts lo;
	char path[4096];
	uint8_t *dig; /* exact: the digests */
	size_t ndig, capdig;
	struct pdqindex_builder *b; /* PDQ */
};

/* Copies a list file's messages into the policy's. */
static void merge(struct policy *p, const struct diag *ld)
{
	for (unsigned i = 0; i < ld->nmsgs && p->d->nmsgs < DIAG_MAX_MSGS; i++)
		p->d->msgs[p->d->nmsgs++] = ld->msgs[i];
	p->d->errors += ld->errors;
	p->d->warnings += ld->warnings;
}

static int add_digest(struct load *ld, const uint8_t *d)
{
	size_t len = list_kind_len(ld->lo.kind);

	if (ld->ndig == ld->capdig) {
		size_t cap = ld->capdig ? ld->capdig * 2 : 64;
		uint8_t *v = realloc(ld->dig, cap * len);

		if (!v)
			return -ENOMEM;
		ld->dig = v;
		ld->capdig = cap;
	}
	memcpy(ld->dig + ld->ndig++ * len, d, len);
	return 0;
}

static int add_pdq(struct load *ld, const uint8_t *d, int quality, const char *label)
{
	struct pdq_hash h;

	ld->ndig++;
	if (!ld->b)
		return 0; /* checking only */
	memcpy(h.b, d, sizeof(h.b));
	return pdqindex_builder_add(ld->b, &h, 0,
				    quality < 0 ? PDQ_QUALITY_NONE : (uint8_t)quality, label);
}

static int file_value(void *ctx, const struct listfile_rec *r)
{
	struct load *ld = ctx;

	return ld->lo.kind == LIST_PDQ ? add_pdq(ld, r->digest, r->quality, r->label)
				       : add_digest(ld, r->digest);
}

static int hex(const char *s, size_t n, uint8_t *out, size_t bytes)
{
	if (n != bytes * 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			return -EINVAL;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return 0;
}

static int entry_value(struct policy *p, const struct ynode *v, void *ctx)
{
	struct load *ld = ctx;
	size_t len = list_kind_len(ld->lo.kind);
	uint8_t d[32];
	char q[DIAG_QUOTE_LEN];

	if (hex(v->str, v->len, d, len)) {
		diag_quote(v->str, v->len, q, sizeof(q));
		ydoc_error(&p->doc, v, p->d, "invalid %s %s '%s' (expected %zu hex digits)",
			   list_kind_title(ld->lo.kind), ld->lo.kind == LIST_PDQ ? "hash" : "digest",
			   q, len * 2);
		return -EINVAL;
	}
	return file_value(ld, &(struct listfile_rec){.digest = d, .quality = -1, .label = ""});
}

/* Reads the values of a hash or PDQ list (file or entries). */
static int read_values(struct load *ld)
{
	struct policy *p = ld->p;
	struct diag fd;
	int rc;

	if (!ld->file)
		return policy_each_name(p, ld->src, "a hex digest", entry_value, ld);
	policy_version_file(p, ld->path);
	rc = listfile_read(ld->path, &ld->lo, file_value, ld, &fd);
	merge(p, &fd);
	return rc;
}

/* Builds and installs what was read (opts.lists). */
static int install(struct load *ld)
{
	struct policy *p = ld->p;
	struct pdqlist_info info = {.threshold = ld->l->threshold};
	struct hashset *set;
	struct pdqindex *ix;

	if (ld->lo.kind != LIST_PDQ) {
		set = hashset_build(ld->lo.kind, ld->l->name, ld->category, ld->dig, ld->ndig);
		if (!set)
			return -ENOMEM;
		ld->l->entries = hashset_count(set);
		return hashdb_replace(p->db, ld->l->name, &set, 1);
	}
	snprintf(info.name, sizeof(info.name), "%s", ld->l->name);
	snprintf(info.category, sizeof(info.category), "%s", ld->category);
	info.dihedral = ld->l->dihedral;
	ix = pdqindex_build(ld->b);
	ld->b = NULL;
	return ix ? pdqdb_replace(p->pdb, ld->l->name, ix, &info, 1) : -ENOMEM;
}

static int load_hashes(struct load *ld)
{
	int rc;

	if (ld->lo.kind == LIST_PDQ && ld->p->opts.lists && !(ld->b = pdqindex_builder_new()))
		return -ENOMEM;
	rc = read_values(ld);
	ld->l->entries = ld->ndig;
	if (!rc && ld->p->opts.lists)
		rc = install(ld);
	free(ld->dig);
	pdqindex_builder_free(ld->b);
	return rc;
}

/* Messages about inline XML (named as the policy file, lines and columns
 * counted in the XML text, which YAML may have folded or indented) are
 * put at the xml value's line, the XML's own position in the text:
 * "policy.yaml:40: xml line 2, column 7: malformed XML: ...". */
static void xml_lines(struct diag *fd, const char *name, const struct ynode *v)
{
	size_t nl = strlen(name);

	for (unsigned i = 0; i < fd->nmsgs; i++) {
		char *t = fd->msgs[i].text, *end, rest[DIAG_MSG_LEN], where[48] = "";
		unsigned long line, col = 0;

		if (strncmp(t, name, nl) || t[nl] != ':' || t[nl + 1] < '0' || t[nl + 1] > '9')
			continue;
		line = strtoul(t + nl + 1, &end, 10);
		if (*end == ':' && end[1] >= '0' && end[1] <= '9')
			col = strtoul(end + 1, &end, 10);
		if (*end == ':')
			end++;
		while (*end == ' ')
			end++;
		snprintf(where, sizeof(where), col ? " xml line %lu, column %lu:" : " xml line %lu:",
			 line, col);
		snprintf(rest, sizeof(rest), "%s", end);
		snprintf(t + nl, sizeof(fd->msgs[i].text) - nl, ":%u:%s %s", v->line, where, rest);
		fd->msgs[i].col = 0;
	}
}

static int load_xml(struct load *ld)
{
	struct policy *p = ld->p;
	struct hashxml *x = hashxml_new();
	struct hashxml_stats st;
	struct diag fd;
	int rc;

	if (!x)
		return -ENOMEM;
	if (ld->file) {
		policy_version_file(p, ld->path);
		rc = hashxml_read(x, ld->path, ld->lo.skip_bad_lines, &fd);
	} else {
		rc = hashxml_parse(x, p->doc.name, ld->src->str, ld->src->len, ld->lo.skip_bad_lines,
				   &fd);
		xml_lines(&fd, p->doc.name, ld->src);
	}
	merge(p, &fd);
	hashxml_stats(x, &st);
	ld->l->entries = st.live;
	if (!rc && p->opts.lists)
		rc = hashxml_install(x, ld->l->name, ld->l->threshold, p->db, p->pdb);
	if (!rc && p->opts.lists && ld->l->dihedral && st.pdq)
		rc = pdqdb_set_dihedral(p->pdb, ld->l->name, true);
	if (rc == -E2BIG)
		ydoc_error(&p->doc, ld->n, p->d, "list '%s' has PDQ hashes in more than %u "
						  "classifications", ld->l->name, PDQINDEX_MAX_LISTS);
	hashxml_free(x);
	return rc;
}

/* ---- the section ---------------------------------------------------------------------- */

#define K(k) (1u << (k))
#define HASHES (K(PL_MD5) | K(PL_SHA1) | K(PL_SHA256))
#define ALL ((1u << PL_KIND_MAX) - 1)

/* The types each key applies to (list_keys order). */
static const unsigned key_kinds[] = {
	ALL, ALL, ALL, ALL & ~K(PL_HASHXML), K(PL_HASHXML), HASHES | K(PL_PDQ),
	K(PL_PDQ) | K(PL_HASHXML), K(PL_PDQ) | K(PL_HASHXML), HASHES | K(PL_PDQ),
	HASHES | K(PL_PDQ), HASHES | K(PL_PDQ) | K(PL_HASHXML),
};

/* Every key of n applies to type k; else an error naming those it does. */
static int keys_apply(struct policy *p, const struct ynode *n, enum plist_kind k)
{
	int err = 0;

	for (size_t i = 0; i + 1 < n->n; i += 2)
		for (unsigned j = 0; list_keys[j]; j++) {
			char only[96] = "";
			unsigned left = (unsigned)__builtin_popcount(key_kinds[j]);

			if (n->kids[i]->kind != YN_SCALAR || strcmp(n->kids[i]->str, list_keys[j]) ||
			    key_kinds[j] & K(k))
				continue;
			for (unsigned t = 0; t < PL_KIND_MAX; t++)
				if (key_kinds[j] & K(t))
					snprintf(only + strlen(only), sizeof(only) - strlen(only),
						 "%s%s", !*only ? "" : --left == 1 ? " and " : ", ",
						 kind_names[t]);
			ydoc_error(&p->doc, n->kids[i], p->d,
				   "'%s' does not apply to %s %s list (only to %s lists)", list_keys[j],
				   k == PL_IP ? "an" : "a", kind_names[k], only);
			err = -EINVAL;
		}
	return err;
}

/* Where the entries come from: exactly one of file, entries (xml). */
static int source(struct load *ld, enum plist_kind k)
{
	struct policy *p = ld->p;
	const struct ynode *f = ymap_get(ld->n, "file");
	const struct ynode *e = ymap_get(ld->n, k == PL_HASHXML ? "xml" : "entries");
	const char *path;

	if (f && e) {
		ydoc_error(&p->doc, e, p->d, "list '%s' has both file and %s (expected one)",
			   ld->l->name, k == PL_HASHXML ? "xml" : "entries");
		return -EINVAL;
	}
	if (!f && !e) {
		ydoc_error(&p->doc, ld->n, p->d, "list '%s' has no entries (expected file: or %s:)",
			   ld->l->name, k == PL_HASHXML ? "xml" : "entries");
		return -EINVAL;
	}
	ld->src = f ? f : e;
	ld->file = f;
	if (e && k == PL_HASHXML)
		return yget_str(&p->doc, e, p->d, &path);
	if (!f)
		return 0;
	if (p->opts.no_files) {
		ydoc_error(&p->doc, f, p->d, "list files are not read here");
		return -EINVAL;
	}
	if (yget_str(&p->doc, f, p->d, &path))
		return -EINVAL;
	policy_path(p, path, ld->path, sizeof(ld->path));
	return 0;
}

static int options(struct load *ld)
{
	static const char *const formats[] = {"auto", "text", "csv", NULL};
	struct policy *p = ld->p;
	const struct ynode *v;
	uint64_t th;
	int err = 0, f;

	if ((v = ymap_get(ld->n, "category")))
		err |= policy_name(p, v, "category", &ld->category);
	if ((v = ymap_get(ld->n, "threshold")) && !yget_u64(&p->doc, v, 0, 255, p->d, &th))
		ld->l->threshold = (unsigned)th;
	else if (v)
		err = -EINVAL;
	if ((v = ymap_get(ld->n, "dihedral")))
		err |= yget_bool(&p->doc, v, p->d, &ld->l->dihedral);
	if ((v = ymap_get(ld->n, "format")) && !yget_enum(&p->doc, v, formats, p->d, &f))
		ld->lo.format = (enum listfile_format)f;
	else if (v)
		err = -EINVAL;
	if ((v = ymap_get(ld->n, "column")))
		err |= yget_str(&p->doc, v, p->d, &ld->lo.column);
	if ((v = ymap_get(ld->n, "skip_bad")))
		err |= yget_bool(&p->doc, v, p->d, &ld->lo.skip_bad_lines);
	return err ? -EINVAL : 0;
}

/* Name and type of a list entry, registered under its name. */
static int declare(struct policy *p, const struct ynode *n, struct plist **out)
{
	const struct ynode *nm = ymap_get(n, "name"), *t = ymap_get(n, "type");
	struct plist *l = &p->list[p->nlists];
	int k, dup, err;

	if (!nm || !t) {
		ydoc_error(&p->doc, n, p->d, "list without a %s", !nm ? "name" : "type");
		return -EINVAL;
	}
	if (policy_name(p, nm, "list", &l->name) || yget_enum(&p->doc, t, kind_names, p->d, &k))
		return -EINVAL;
	if ((dup = policy_list_find(p, l->name)) >= 0) {
		ydoc_error(&p->doc, nm, p->d, "duplicate list name '%s' (first at line %u)", l->name,
			   p->list[dup].node->line);
		return -EINVAL;
	}
	if ((err = strmap_put(&p->list_ix, l->name, strlen(l->name), p->nlists, NULL)) < 0)
		return err;
	l->kind = (enum plist_kind)k;
	l->node = n;
	l->threshold = PDQ_DEFAULT_THRESHOLD;
	*out = l;
	p->nlists++;
	return 0;
}

static int one_list(struct policy *p, const struct ynode *n)
{
	struct load ld = {.p = p, .n = n, .idx = p->nlists, .category = ""};
	struct text_ctx tc = {.list = p->nlists};
	int bad = policy_keys(p, n, "a list", list_keys), err;

	if (bad < 0)
		return bad;
	if ((err = declare(p, n, &ld.l)))
		return err;
	tc.kind = ld.l->kind;
	ld.lo.kind = ld.l->kind <= PL_PDQ ? (enum list_kind)ld.l->kind : LIST_SHA256;
	bad |= keys_apply(p, n, ld.l->kind) | options(&ld);
	if (source(&ld, ld.l->kind))
		err = -EINVAL;
	else if (ld.l->kind <= PL_PDQ)
		err = load_hashes(&ld);
	else if (ld.l->kind == PL_HASHXML)
		err = load_xml(&ld);
	else if (ld.file)
		err = policy_read_lines(p, ld.src, ld.path, text_line, &tc);
	else
		err = policy_each_name(p, ld.src, "an entry", text_value, &tc);
	if (ld.l->kind > PL_HASHXML)
		ld.l->entries = tc.n;
	ld.l->failed = err || bad;
	return err == -ENOMEM ? err : err || bad ? -EINVAL : 0;
}

static int inherit(void *ctx, uint32_t mine, uint32_t shorter, uint32_t *out)
{
	return bitpool_union(ctx, mine, shorter, out);
}

int policy_lists(struct policy *p, const struct ynode *n)
{
	int err = 0;

	if (n->kind != YN_SEQ) {
		ydoc_error(&p->doc, n, p->d, "expected a list of lists (- name: ..., type: ..., "
					     "file: ...)");
		return -EINVAL;
	}
	if (p->opts.lists && (!(p->db = hashdb_new()) || !(p->pdb = pdqdb_new())))
		return -ENOMEM;
	for (size_t i = 0; i < n->n && err != -ENOMEM; i++) {
		if (p->nlists == POLICY_LISTS_MAX) {
			ydoc_error(&p->doc, n->kids[i], p->d, "more than %d lists",
				   POLICY_LISTS_MAX);
			return -EINVAL;
		}
		err |= one_list(p, n->kids[i]) == -ENOMEM ? -ENOMEM : 0;
	}
	if (err)
		return err;
	return cidrset_inherit(&p->ip, inherit, &p->bits);
}
