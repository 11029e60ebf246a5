// SPDX-License-Identifier: GPL-2.0
/* Hash list files: text or CSV, gzip or not, into a per-value callback.
 * First stage of list loading; hashset.c and pdqlist.c consume the values.
 *
 *   file --gzread--> chunks --lines--> header? --fields--> hex --> cb()
 *
 * Lines are handled in place in the read buffer; only a line that straddles
 * two chunks is copied (into a LISTFILE_LINE_MAX buffer). */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "listfile.h"

#define LISTFILE_LINE_MAX	4096
#define LISTFILE_CHUNK		(256 * 1024)
#define CSV_FIELDS_MAX		64

struct lf {
	const char *name;
	const struct listfile_opts *o;
	listfile_cb cb;
	void *ctx;
	struct diag *d;
	unsigned line;
	int header_done;	/* 1 after the first data or header line */
	int csv;
	int col_digest, col_quality, col_label, ncols;
	int stop;		/* a fatal error or the callback's return */
	int rc;
	size_t len;		/* bytes in buf */
	int overlong;
	char buf[LISTFILE_LINE_MAX + 1];
};

static const char *const kind_names[LIST_KIND_MAX] = { "md5", "sha1", "sha256", "pdq" };
static const char *const kind_titles[LIST_KIND_MAX] = { "MD5", "SHA-1", "SHA-256", "PDQ" };
static const size_t kind_lens[LIST_KIND_MAX] = { 16, 20, 32, 32 };

size_t list_kind_len(enum list_kind k)
{
	return k < LIST_KIND_MAX ? kind_lens[k] : 0;
}

const char *list_kind_name(enum list_kind k)
{
	return k < LIST_KIND_MAX ? kind_names[k] : "?";
}

const char *list_kind_title(enum list_kind k)
{
	return k < LIST_KIND_MAX ? kind_titles[k] : "?";
}

/* Lower-cases s[0..n) into out, dropping '-', '_' and spaces: "SHA-256" and
 * "sha_256" both become "sha256". */
static void normalize(const char *s, size_t n, char *out, size_t outsz)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < outsz; i++) {
		if (s[i] == '-' || s[i] == '_' || s[i] == ' ')
			continue;
		out[j++] = (char)tolower((unsigned char)s[i]);
	}
	out[j] = '\0';
}

int list_kind_parse(const char *s, enum list_kind *k)
{
	char n[16];

	normalize(s, strlen(s), n, sizeof(n));
	for (int i = 0; i < LIST_KIND_MAX; i++) {
		if (!strcmp(n, kind_names[i])) {
			*k = (enum list_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Records an error at (line, col) of the current line p[0..n). */
static void lf_error(struct lf *st, const char *p, size_t n, size_t col,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void lf_error(struct lf *st, const char *p, size_t n, size_t col,
		     const char *fmt, ...)
{
	struct diag *d = st->d;
	char text[DIAG_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	diag_add(d, st->name, st->line, (unsigned)col, "%s", text);
	diag_src(d, (const char *)p, n);
}

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* High bit of each byte set iff the byte is in [lo, hi]; bytes < 0x80. */
static uint64_t in_range(uint64_t v, unsigned lo, unsigned hi)
{
	return (v + ONES * (0x80 - lo)) & ~(v + ONES * (0x7f - hi)) & HIGHS;
}

/* Decodes 8 hex digits (SWAR: eight at once) into 4 bytes. Returns 0, or
 * -1 if any is not a hex digit. Lists are hundreds of megabytes of hex;
 * this halved the parse. */
static int unhex8(const char *s, uint8_t *out)
{
	uint64_t x, low, digit, letter, v, t;

	memcpy(&x, s, 8);
	x = le64toh(x);		/* byte i (bits 8i..8i+7) = s[i] */
	if (x & HIGHS)
		return -1;
	low = x | ONES * 0x20;	/* fold 'A'-'F' onto 'a'-'f'; digits keep bit 5 */
	digit = in_range(x, '0', '9');
	letter = in_range(low, 'a', 'f');
	if ((digit | letter) != HIGHS)
		return -1;
	v = (low & ONES * 0x0f) + (letter >> 7) * 9;	/* nibble per byte */
	t = (v << 4 | v >> 8) & 0x00ff00ff00ff00ffull;	/* pairs into bytes 0,2,4,6 */
	out[0] = (uint8_t)t;
	out[1] = (uint8_t)(t >> 16);
	out[2] = (uint8_t)(t >> 32);
	out[3] = (uint8_t)(t >> 48);
	return 0;
}

/* Decodes exactly 2*len hex digits (len a multiple of 4). Returns 0 or -1. */
static int unhex(const char *s, size_t n, uint8_t *out, size_t len)
{
	if (n != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i += 4)
		if (unhex8(s + 2 * i, out + i))
			return -1;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One CSV field: [start, end) of its content, quotes removed from the
 * ends ("" inside quotes stays doubled; digests and qualities never hold
 * quotes, labels keep them). */
struct field {
	size_t start, end;
};

/* Splits p[0..n) into fields. Returns the field count, or -1 (and records
 * an error) for an unterminated quote. */
static int split_csv(struct lf *st, const char *p, size_t n, struct field *f, int max)
{
	int nf = 0;
	size_t i = 0;

	for (;;) {
		size_t s, e;

		while (i < n && is_space(p[i]))
			i++;
		if (i < n && p[i] == '"') {
			size_t q = i++;

			s = i;
			while (i < n && !(p[i] == '"' && (i + 1 >= n || p[i + 1] != '"')))
				i += p[i] == '"' ? 2 : 1;
			if (i >= n) {
				lf_error(st, p, n, q + 1, "unterminated quoted field");
				return -1;
			}
			e = i++;
			while (i < n && p[i] != ',')
				i++;
		} else {
			s = i;
			while (i < n && p[i] != ',')
				i++;
			e = i;
			while (e > s && is_space(p[e - 1]))
				e--;
		}
		if (nf < max)
			f[nf] = (struct field){ s, e };
		nf++;
		if (i >= n)
			return nf;
		i++;	/* the comma */
	}
}

/* Column index of the first header field matching one of names[], or -1. */
static int find_col(const char *p, const struct field *f, int nf, const char *const *names)
{
	char n[64];

	for (int i = 0; i < nf && i < CSV_FIELDS_MAX; i++) {
		normalize(p + f[i].start, f[i].end - f[i].start, n, sizeof(n));
		for (int k = 0; names[k]; k++)
			if (!strcmp(n, names[k]))
				return i;
	}
	return -1;
}

static const char *const quality_names[] = { "quality", "pdqquality", NULL };
static const char *const label_names[] = { "label", "id", "name", "description", NULL };

/* Takes the header line: finds the digest, quality and label columns. */
static void header(struct lf *st, const char *p, size_t n)
{
	struct field f[CSV_FIELDS_MAX];
	char want[64], alt[72];
	const char *names[3] = { want, alt, NULL };
	int nf = split_csv(st, p, n, f, CSV_FIELDS_MAX);

	if (nf < 0) {
		st->stop = 1;
		return;
	}
	normalize(st->o->column ? st->o->column : list_kind_name(st->o->kind),
		  strlen(st->o->column ? st->o->column : list_kind_name(st->o->kind)),
		  want, sizeof(want));
	snprintf(alt, sizeof(alt), "%shash", want);
	st->ncols = nf;
	st->col_digest = find_col(p, f, nf, names);
	st->col_quality = find_col(p, f, nf, quality_names);
	st->col_label = find_col(p, f, nf, label_names);
	if (st->col_digest < 0) {
		char q[DIAG_QUOTE_LEN];

		diag_quote(p, n, q, sizeof(q));
		lf_error(st, p, n, 1, "no '%s' column in CSV header '%s'", want, q);
		st->stop = 1;
	}
}

/* Parses a quality field: an integer 0..100. Returns it or -1. */
static int parse_quality(const char *s, size_t n)
{
	int v = 0;

	if (!n || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 100 ? v : -1;
}

/* Checks and hands over one value whose digest is p[ds, de). Returns 0 or
 * -1 for a bad value (error recorded). */
static int emit(struct lf *st, const char *p, size_t n, size_t ds, size_t de,
		int quality, const char *label)
{
	size_t len = list_kind_len(st->o->kind);
	struct listfile_rec r = { .quality = quality, .label = label, .line = st->line };
	uint8_t dig[32];
	int rc;

	if (unhex(p + ds, de - ds, dig, len)) {
		char q[DIAG_QUOTE_LEN];

		diag_quote(p + ds, de - ds, q, sizeof(q));
		lf_error(st, p, n, ds + 1, "invalid %s digest '%s' (expected %zu hex digits)",
			 list_kind_title(st->o->kind), q, 2 * len);
		return -1;
	}
	r.digest = dig;
	st->d->values++;
	rc = st->cb(st->ctx, &r);
	if (rc) {
		st->rc = rc;
		st->stop = 1;
	}
	return 0;
}

/* Copies field f of p into out (a label), at most outsz-1 bytes. */
static void copy_field(const char *p, const struct field *f, char *out, size_t outsz)
{
	size_t n = f->end - f->start;

	n = n < outsz - 1 ? n : outsz - 1;
	memcpy(out, p + f->start, n);
	out[n] = '\0';
}

static int csv_line(struct lf *st, const char *p, size_t n)
{
	struct field f[CSV_FIELDS_MAX];
	char label[256] = "";
	int quality = -1;
	int nf = split_csv(st, p, n, f, CSV_FIELDS_MAX);

	if (nf < 0)
		return -1;
	if (nf <= st->col_digest || nf > CSV_FIELDS_MAX) {
		lf_error(st, p, n, n + 1, "expected %d fields as in the header, found %d",
			 st->ncols, nf);
		return -1;
	}
	if (st->col_quality >= 0 && st->col_quality < nf &&
	    f[st->col_quality].end > f[st->col_quality].start) {
		const struct field *q = &f[st->col_quality];

		quality = parse_quality(p + q->start, q->end - q->start);
		if (quality < 0) {
			char qs[DIAG_QUOTE_LEN];

			diag_quote(p + q->start, q->end - q->start, qs, sizeof(qs));
			lf_error(st, p, n, q->start + 1,
				 "invalid quality '%s' (expected an integer 0-100)", qs);
			return -1;
		}
	}
	if (st->col_label >= 0 && st->col_label < nf)
		copy_field(p, &f[st->col_label], label, sizeof(label));
	return emit(st, p, n, f[st->col_digest].start, f[st->col_digest].end, quality, label);
}

/* Text: the digest is the first token (up to blank or ','); the rest of the
 * line, if any, is its label (as in "hash  filename" or "hash,label"). */
static int text_line(struct lf *st, const char *p, size_t n, size_t s)
{
	size_t e = s + 2 * list_kind_len(st->o->kind), ls;

	/* the common line is a digest alone: skip scanning it */
	if (e > n || (e < n && !is_space(p[e]) && p[e] != ','))
		e = s;
	while (e < n && !is_space(p[e]) && p[e] != ',')
		e++;
	ls = e < n ? e + 1 : e;
	while (ls < n && is_space(p[ls]))
		ls++;
	if (ls < n) {
		char label[256];
		size_t le = n, k;

		while (le > ls && is_space(p[le - 1]))
			le--;
		k = le - ls < sizeof(label) - 1 ? le - ls : sizeof(label) - 1;
		memcpy(label, p + ls, k);
		label[k] = '\0';
		return emit(st, p, n, s, e, -1, label);
	}
	return emit(st, p, n, s, e, -1, "");
}

/* AUTO: the first line is a CSV header if it is not itself a value and
 * either has several fields or names the digest column. */
static int looks_like_header(struct lf *st, const char *p, size_t n, size_t s)
{
	size_t e = s;
	uint8_t dig[32];
	char first[64], want[64];

	if (st->o->format != LISTFILE_AUTO)
		return st->o->format == LISTFILE_CSV;
	while (e < n && !is_space(p[e]) && p[e] != ',')
		e++;
	if (!unhex(p + s, e - s, dig, list_kind_len(st->o->kind)))
		return 0;
	if (memchr(p, ',', n))
		return 1;
	normalize(p + s, e - s, first, sizeof(first));
	normalize(st->o->column ? st->o->column : list_kind_name(st->o->kind),
		  strlen(st->o->column ? st->o->column : list_kind_name(st->o->kind)),
		  want, sizeof(want));
	return !strcmp(first, want);
}

static void line(struct lf *st, const char *p, size_t n)
{
	size_t s = 0;
	int bad;

	st->line++;
	st->d->lines++;
	/* a UTF-8 byte order mark, as Windows tools write: columns count
	 * from after it, as editors show them */
	if (st->line == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		n -= 3;
	}
	while (n && (p[n - 1] == '\r'))
		n--;
	while (s < n && is_space(p[s]))
		s++;
	if (s == n || p[s] == '#')
		return;
	if (!st->header_done) {
		st->header_done = 1;
		if (looks_like_header(st, p, n, s)) {
			st->csv = 1;
			header(st, p, n);
			return;
		}
	}
	bad = st->csv ? csv_line(st, p, n) : text_line(st, p, n, s);
	if (bad)
		st->d->skipped += st->o->skip_bad_lines;
}

static void long_line(struct lf *st, const char *p)
{
	st->line++;
	st->d->lines++;
	lf_error(st, p, 64, 1, "line longer than %d bytes", LISTFILE_LINE_MAX);
	st->d->skipped += st->o->skip_bad_lines;
}

/* Splits a chunk into lines; a line cut by the chunk end waits in st->buf. */
static void feed(struct lf *st, const char *p, size_t n)
{
	while (n && !st->stop) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		if (st->overlong) {
			/* the rest of a line already reported as too long */
		} else if (st->len + k > LISTFILE_LINE_MAX) {
			long_line(st, st->len ? st->buf : p);
			st->overlong = 1;
		} else if (!st->len && nl) {
			line(st, p, k);
		} else {
			memcpy(st->buf + st->len, p, k);
			st->len += k;
			if (nl)
				line(st, st->buf, st->len);
		}
		if (nl) {
			st->len = 0;
			st->overlong = 0;
			k++;
		}
		p += k;
		n -= k;
	}
}

/* The last line, if the file does not end in a newline. */
static void finish(struct lf *st)
{
	if (st->len && !st->stop && !st->overlong)
		line(st, st->buf, st->len);
	st->len = 0;
}

static void lf_init(struct lf *st, const char *name, const struct listfile_opts *o,
		    listfile_cb cb, void *ctx, struct diag *d)
{
	memset(d, 0, sizeof(*d));
	st->name = name;
	st->o = o;
	st->cb = cb;
	st->ctx = ctx;
	st->d = d;
	st->col_quality = st->col_label = -1;
	st->csv = o->format == LISTFILE_CSV;
}

static int lf_result(struct lf *st)
{
	if (st->rc)
		return st->rc;
	if (st->stop || (st->d->errors && !st->o->skip_bad_lines))
		return -EINVAL;
	return 0;
}

int listfile_parse(const char *name, const char *buf, size_t len,
		   const struct listfile_opts *o, listfile_cb cb, void *ctx,
		   struct diag *d)
{
	struct lf *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	if (o->kind >= LIST_KIND_MAX) {
		free(st);
		return -EINVAL;
	}
	lf_init(st, name, o, cb, ctx, d);
	feed(st, buf, len);
	finish(st);
	rc = lf_result(st);
	free(st);
	return rc;
}

/* Reads path through zlib, which passes uncompressed files through as they
 * are and inflates gzip ones (it checks the magic). */
static int read_gz(struct lf *st, const char *path, char *chunk)
{
	gzFile gz;
	int n, zerr, rc = 0;

	errno = 0;
	gz = gzopen(path, "rb");
	if (!gz) {
		rc = errno ? -errno : -ENOMEM;
		diag_add(st->d, st->name, 0, 0, "couldn't open list: %s", strerror(-rc));
		return rc;
	}
	gzbuffer(gz, LISTFILE_CHUNK);
	while (!st->stop && (n = gzread(gz, chunk, LISTFILE_CHUNK)) > 0)
		feed(st, chunk, (size_t)n);
	gzerror(gz, &zerr);
	if (!st->stop && zerr != Z_OK) {
		const char *m = gzerror(gz, &zerr);
		size_t pl = strlen(path);

		/* zlib prefixes the path: "x.gz: unexpected end of file" */
		if (!strncmp(m, path, pl) && !strncmp(m + pl, ": ", 2))
			m += pl + 2;
		rc = zerr == Z_ERRNO ? -errno : -EIO;
		diag_add(st->d, st->name, st->line + 1, 1, "couldn't read list: %s",
				  zerr == Z_ERRNO ? strerror(errno) : m);
	}
	gzclose(gz);
	return rc;
}

int listfile_read(const char *path, const struct listfile_opts *o,
		  listfile_cb cb, void *ctx, struct diag *d)
{
	struct lf *st = calloc(1, sizeof(*st));
	char *chunk = malloc(LISTFILE_CHUNK);
	int rc = -ENOMEM;

	if (!st || !chunk)
		goto out;
	rc = -EINVAL;
	if (o->kind >= LIST_KIND_MAX)
		goto out;
	lf_init(st, path, o, cb, ctx, d);
	rc = read_gz(st, path, chunk);
	if (rc)
		goto out;
	finish(st);
	rc = lf_result(st);
out:
	free(chunk);
	free(st);
	return rc;
}
