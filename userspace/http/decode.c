// SPDX-License-Identifier: GPL-2.0
/* Streaming content decoders for HTTP bodies: undoes stacked gzip, deflate
 * and br codings in reverse order, tolerant where browsers are (gzip label on
 * plain data, raw deflate, bad CRCs), and stops decompression bombs.
 *
 *   wire bytes --> layer[0] (last coding applied) --> ... --> sink
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"

#define DEC_BUF 16384
#define DEC_STASH 256	/* input kept until a deflate layer first produces */

enum lstate {
	L_SNIFF,	/* collecting the first two bytes */
	L_PASS,		/* not compressed after all: bytes pass through */
	L_GZHDR,	/* inside the gzip member header */
	L_INFLATE,	/* raw deflate data */
	L_BROTLI,
	L_ZSTD,
	L_LZMA,
	L_DONE,		/* compressed stream ended; the rest is ignored */
};

/* gzip header fields, in order (RFC 1952 2.3) */
enum gzstate { GZ_FIXED, GZ_XLEN, GZ_EXTRA, GZ_NAME, GZ_COMMENT, GZ_HCRC };

struct layer {
	enum decode_coding coding;
	enum lstate st;
	uint8_t head[2];
	unsigned nhead;
	enum gzstate gz;
	unsigned gzflg, gzcnt, gzxlen;
	z_stream z;
	int zinit;
	BrotliDecoderState *br;
	ZSTD_DCtx *zs;
	lzma_stream lz;
	int lzinit;
	uint8_t *buf;		/* DEC_BUF output bytes */
	uint8_t stash[DEC_STASH];
	size_t nstash;
	uint64_t produced;
};

struct decoder {
	struct layer l[DECODE_MAX_LAYERS];	/* l[0] is undone first */
	unsigned n;
	struct decode_limits lim;
	decode_sink_fn sink;
	void *arg;
	uint64_t in, out;
	unsigned status;
	int stopped;
	char msg[128];
};

static int push(struct decoder *d, unsigned i, const uint8_t *p, size_t len);

static int fail(struct decoder *d, unsigned bit, const char *msg)
{
	if (!d->status)
		snprintf(d->msg, sizeof(d->msg), "%s", msg);
	d->status |= bit;
	d->stopped = 1;
	return -1;
}

static int emit(struct decoder *d, const uint8_t *p, size_t len)
{
	const struct decode_limits *lim = &d->lim;
	char m[128];

	if (lim->max_decoded && d->out + len > lim->max_decoded) {
		len = lim->max_decoded - d->out;
		if (len)
			d->sink(d->arg, p, len);
		d->out += len;
		snprintf(m, sizeof(m), "decoded size limit of %llu bytes reached",
			 (unsigned long long)lim->max_decoded);
		return fail(d, DECODE_ERR_BOMB, m);
	}
	if (len)
		d->sink(d->arg, p, len);
	d->out += len;
	if (lim->max_ratio && d->out > lim->ratio_floor &&
	    d->out / (d->in ? d->in : 1) >= lim->max_ratio) {
		snprintf(m, sizeof(m),
			 "decompression ratio limit of %u reached (%llu bytes from %llu)",
			 lim->max_ratio, (unsigned long long)d->out,
			 (unsigned long long)d->in);
		return fail(d, DECODE_ERR_BOMB, m);
	}
	return 0;
}

static int layer_zinit(struct decoder *d, struct layer *l)
{
	if (inflateInit2(&l->z, -MAX_WBITS) != Z_OK)
		return fail(d, DECODE_ERR_DATA, "couldn't initialise zlib");
	l->zinit = 1;
	l->st = L_INFLATE;
	return 0;
}

/* Raw deflate of one layer. Data after the end of the deflate stream (the
 * gzip/zlib trailer, junk) is ignored, as browsers ignore it: CRC and
 * length fields are not checked. */
static int inflate_some(struct decoder *d, unsigned i, const uint8_t *p, size_t len)
{
	struct layer *l = &d->l[i];
	int rc;

	l->z.next_in = (Bytef *)p;
	l->z.avail_in = len;
	do {
		size_t got;

		l->z.next_out = l->buf;
		l->z.avail_out = DEC_BUF;
		rc = inflate(&l->z, Z_NO_FLUSH);
		got = DEC_BUF - l->z.avail_out;
		if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR) {
			if (l->coding == DEC_DEFLATE && !l->produced &&
			    l->nstash < DEC_STASH) {
				/* not deflate at all: a browser shows it as is */
				l->st = L_PASS;
				return push(d, i + 1, l->stash, l->nstash);
			}
			return fail(d, DECODE_ERR_DATA, l->coding == DEC_DEFLATE ?
				    "corrupt deflate data" : "corrupt gzip data");
		}
		if (got) {
			l->produced += got;
			if (push(d, i + 1, l->buf, got))
				return -1;
		}
		if (rc == Z_STREAM_END) {
			l->st = L_DONE;
			return 0;
		}
	} while (l->z.avail_in || !l->z.avail_out);
	return 0;
}

/* Moves past gzip header fields whose flag is absent or whose bytes are
 * all seen; at the end of the header the layer starts inflating. */
static void gz_skip(struct layer *l)
{
	for (;;) {
		if (l->gz == GZ_EXTRA && (!(l->gzflg & 0x04) ||
					  l->gzcnt >= l->gzxlen)) {
			l->gzcnt = 0;
			l->gz = GZ_NAME;
		} else if (l->gz == GZ_NAME && !(l->gzflg & 0x08)) {
			l->gz = GZ_COMMENT;
		} else if (l->gz == GZ_COMMENT && !(l->gzflg & 0x10)) {
			l->gz = GZ_HCRC;
		} else if (l->gz == GZ_HCRC && (!(l->gzflg & 0x02) ||
						l->gzcnt >= 2)) {
			l->st = L_INFLATE;
			return;
		} else {
			return;
		}
	}
}

/* Consumes gzip header bytes; returns how many were used. */
static size_t gzhdr(struct layer *l, const uint8_t *p, size_t len)
{
	size_t k = 0;

	while (k < len && l->st == L_GZHDR) {
		uint8_t c = p[k++];

		switch (l->gz) {
		case GZ_FIXED:	/* ID1 ID2 CM FLG MTIME(4) XFL OS */
			if (l->gzcnt == 3)
				l->gzflg = c;
			if (++l->gzcnt == 10) {
				l->gzcnt = 0;
				l->gz = GZ_XLEN;
				if (!(l->gzflg & 0x04))
					l->gz = GZ_NAME;
			}
			break;
		case GZ_XLEN:
			l->gzxlen |= (unsigned)c << (8 * l->gzcnt);
			if (++l->gzcnt == 2) {
				l->gzcnt = 0;
				l->gz = GZ_EXTRA;
			}
			break;
		case GZ_EXTRA:
			l->gzcnt++;
			break;
		case GZ_NAME:
		case GZ_COMMENT:
			if (!c)
				l->gz++;
			break;
		case GZ_HCRC:	/* header CRC: skipped, browsers don't check */
			l->gzcnt++;
			break;
		}
		gz_skip(l);
	}
	return k;
}

static void stash(struct layer *l, const uint8_t *p, size_t len)
{
	size_t room = DEC_STASH - l->nstash;

	if (l->produced || l->nstash >= DEC_STASH)
		return;
	if (len > room) {
		l->nstash = DEC_STASH;	/* too late to fall back */
		return;
	}
	memcpy(l->stash + l->nstash, p, len);
	l->nstash += len;
}

static int zlib_header(const uint8_t *h)
{
	return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 && !(h[1] & 0x20) &&
	       ((h[0] << 8) | h[1]) % 31 == 0;
}

/* Decides what a layer is once its first two bytes are known. */
static int sniffed(struct decoder *d, unsigned i)
{
	struct layer *l = &d->l[i];
	const uint8_t *h = l->head;

	if (l->coding == DEC_DEFLATE) {
		if (layer_zinit(d, l))
			return -1;
		stash(l, h, 2);
		if (zlib_header(h))
			return 0;	/* header skipped; trailer ignored */
		return inflate_some(d, i, h, 2);
	}
	if (l->coding == DEC_AUTO && zlib_header(h)) {
		l->coding = DEC_DEFLATE;
		return layer_zinit(d, l);
	}
	if (h[0] == 0x1f && h[1] == 0x8b) {
		if (layer_zinit(d, l))
			return -1;
		l->st = L_GZHDR;
		l->gzcnt = 2;
		return 0;
	}
	l->st = L_PASS;
	return push(d, i + 1, h, 2);
}

static int brotli_some(struct decoder *d, unsigned i, const uint8_t *p, size_t len)
{
	struct layer *l = &d->l[i];
	BrotliDecoderResult r;

	do {
		size_t avail_out = DEC_BUF;
		uint8_t *next_out = l->buf;

		r = BrotliDecoderDecompressStream(l->br, &len, &p, &avail_out,
						  &next_out, NULL);
		if (r == BROTLI_DECODER_RESULT_ERROR)
			return fail(d, DECODE_ERR_DATA, "corrupt brotli data");
		if (DEC_BUF - avail_out && push(d, i + 1, l->buf, DEC_BUF - avail_out))
			return -1;
		if (r == BROTLI_DECODER_RESULT_SUCCESS)
			l->st = L_DONE;
	} while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT);
	return 0;
}

static int zstd_some(struct decoder *d, unsigned i, const uint8_t *p, size_t len)
{
	struct layer *l = &d->l[i];
	ZSTD_inBuffer in = { p, len, 0 };

	for (;;) {
		ZSTD_outBuffer out = { l->buf, DEC_BUF, 0 };
		size_t r = ZSTD_decompressStream(l->zs, &out, &in);

		if (ZSTD_isError(r))
			return fail(d, DECODE_ERR_DATA, "corrupt zstd data");
		if (out.pos && push(d, i + 1, l->buf, out.pos))
			return -1;
		if (!r) {
			l->st = L_DONE;	/* frame complete: the rest is ignored */
			return 0;
		}
		if (out.pos < out.size && in.pos == in.size)
			return 0;	/* needs more input */
	}
	return 0;
}

static int lzma_some(struct decoder *d, unsigned i, const uint8_t *p, size_t len)
{
	struct layer *l = &d->l[i];

	l->lz.next_in = p;
	l->lz.avail_in = len;
	do {
		lzma_ret r;

		l->lz.next_out = l->buf;
		l->lz.avail_out = DEC_BUF;
		r = lzma_code(&l->lz, LZMA_RUN);
		if (DEC_BUF - l->lz.avail_out &&
		    push(d, i + 1, l->buf, DEC_BUF - l->lz.avail_out))
			return -1;
		if (r == LZMA_STREAM_END) {
			l->st = L_DONE;
			return 0;
		}
		if (r == LZMA_MEMLIMIT_ERROR)
			return fail(d, DECODE_ERR_BOMB,
				    "lzma dictionary over the 16 MiB memory limit");
		if (r != LZMA_OK)
			return fail(d, DECODE_ERR_DATA, "corrupt lzma data");
	} while (l->lz.avail_in || !l->lz.avail_out);
	return 0;
}

static int push(struct decoder *d, unsigned i, const uint8_t *p, size_t len)
{
	struct layer *l = &d->l[i];

	if (d->stopped)
		return -1;
	if (i == d->n)
		return emit(d, p, len);
	while (len && l->st == L_SNIFF) {
		l->head[l->nhead++] = *p++;
		len--;
		if (l->nhead == 2 && sniffed(d, i))
			return -1;
	}
	if (l->st == L_GZHDR) {
		size_t k = gzhdr(l, p, len);

		p += k;
		len -= k;
	}
	if (!len)
		return 0;
	switch (l->st) {
	case L_PASS:
		return push(d, i + 1, p, len);
	case L_INFLATE:
		stash(l, p, len);
		return inflate_some(d, i, p, len);
	case L_BROTLI:
		return brotli_some(d, i, p, len);
	case L_ZSTD:
		return zstd_some(d, i, p, len);
	case L_LZMA:
		return lzma_some(d, i, p, len);
	default:
		return 0;
	}
}

int decode_feed(struct decoder *d, const uint8_t *p, size_t len)
{
	if (d->stopped)
		return -1;
	d->in += len;
	return push(d, 0, p, len);
}

int decode_finish(struct decoder *d)
{
	for (unsigned i = 0; i < d->n && !d->stopped; i++) {
		struct layer *l = &d->l[i];

		if (l->st == L_SNIFF && l->nhead) {
			l->st = L_PASS;	/* one byte: cannot be compressed */
			if (push(d, i + 1, l->head, l->nhead))
				return -1;
		} else if (l->st == L_GZHDR || l->st == L_INFLATE ||
			   ((l->st == L_BROTLI || l->st == L_ZSTD ||
			     l->st == L_LZMA) && d->in)) {
			return fail(d, DECODE_ERR_DATA, "compressed data truncated");
		}
	}
	return d->stopped ? -1 : 0;
}

/* Allocates what layer l's coding needs. Returns 0 or -ENOMEM. */
static int layer_init(struct layer *l)
{
	l->buf = malloc(DEC_BUF);
	if (!l->buf)
		return -ENOMEM;
	if (l->coding == DEC_BR) {
		l->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
		if (!l->br)
			return -ENOMEM;
		l->st = L_BROTLI;
	} else if (l->coding == DEC_ZSTD) {
		l->zs = ZSTD_createDCtx();
		/* browsers accept windows up to 8 MiB (RFC 8878 9.1) */
		if (!l->zs || ZSTD_isError(ZSTD_DCtx_setParameter(l->zs,
				ZSTD_d_windowLogMax, 23)))
			return -ENOMEM;
		l->st = L_ZSTD;
	} else if (l->coding == DEC_LZMA) {
		lzma_stream init = LZMA_STREAM_INIT;

		l->lz = init;
		if (lzma_alone_decoder(&l->lz, 16 << 20) != LZMA_OK)
			return -ENOMEM;
		l->lzinit = 1;
		l->st = L_LZMA;
	}
	return 0;
}

struct decoder *decode_new(const enum decode_coding *codings, unsigned n,
			   const struct decode_limits *lim, decode_sink_fn sink,
			   void *arg)
{
	struct decoder *d;

	if (n > DECODE_MAX_LAYERS) {
		errno = E2BIG;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->sink = sink;
	d->arg = arg;
	if (lim)
		d->lim = *lim;
	for (unsigned i = 0; i < n; i++) {
		struct layer *l = &d->l[d->n];

		if (codings[n - 1 - i] == DEC_IDENTITY)
			continue;	/* no layer: nothing to undo */
		l->coding = codings[n - 1 - i];
		d->n++;
		if (layer_init(l))
			goto err;
	}
	return d;
err:
	decode_free(d);
	errno = ENOMEM;
	return NULL;
}

static enum decode_coding coding_of(const char *t, size_t n)
{
	static const char *const names[] = { "identity", "gzip", "deflate", "br",
					     "zstd", "lzma" };

	for (unsigned c = 0; c < 6; c++)
		if (n == strlen(names[c]) && !strncasecmp(t, names[c], n))
			return (enum decode_coding)c;
	if ((n == 6 && !strncasecmp(t, "x-gzip", 6)))
		return DEC_GZIP;
	if (n == 9 && !strncasecmp(t, "x-deflate", 9))
		return DEC_DEFLATE;
	return DEC_AUTO;
}

/* Token separators: ',' and anything a browser trims or splits on
 * (whitespace, controls, DEL, non-ASCII). */
static int sep(unsigned char c)
{
	return c == ',' || c <= 0x20 || c >= 0x7f || c == ';';
}

static int has_chunked(const unsigned char *t, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++)
		if (!strncasecmp((const char *)t + i, "chunked", 7))
			return 1;
	return 0;
}

unsigned decode_parse_codings(const char *value, enum decode_coding *out,
			      unsigned max, int *chunked, int *unknown,
			      int *too_many)
{
	const unsigned char *p = (const unsigned char *)value;
	unsigned n = 0;

	*chunked = *unknown = *too_many = 0;
	while (*p) {
		const unsigned char *t;

		while (*p && sep(*p))
			p++;
		t = p;
		while (*p && !sep(*p))
			p++;
		if (p == t)
			break;
		if (*chunked)
			*chunked = 2;	/* something follows chunked */
		if (has_chunked(t, p - t)) {
			if (p - t != 7)
				*unknown = 1;	/* "xchunked": some browsers */
			*chunked = 1;
			continue;
		}
		if (n == max) {
			*too_many = 1;
			continue;
		}
		out[n] = coding_of((const char *)t, p - t);
		if (out[n] == DEC_AUTO || out[n] == DEC_LZMA)
			*unknown = 1;
		n++;
	}
	return n;
}

unsigned decode_status(const struct decoder *d, const char **msg)
{
	if (msg)
		*msg = d->msg;
	return d->status;
}

uint64_t decode_out_len(const struct decoder *d)
{
	return d->out;
}

void decode_free(struct decoder *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++) {
		if (d->l[i].zinit)
			inflateEnd(&d->l[i].z);
		if (d->l[i].br)
			BrotliDecoderDestroyInstance(d->l[i].br);
		ZSTD_freeDCtx(d->l[i].zs);
		if (d->l[i].lzinit)
			lzma_end(&d->l[i].lz);
		free(d->l[i].buf);
	}
	free(d);
}
