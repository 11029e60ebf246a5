/* SPDX-License-Identifier: GPL-2.0 */
/* Streaming body decoders for the HTTP parser: a stack of content codings
 * (gzip, deflate with or without zlib header, br, zstd, identity) undone in
 * reverse order, as a browser does, with decompression-bomb limits.
 *
 *   http (de-chunked wire bytes) --> decode --> sink (decoded body)
 */
#ifndef EW_DECODE_H
#define EW_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define DECODE_MAX_LAYERS 8

enum decode_coding {
	DEC_IDENTITY,
	DEC_GZIP,	/* gzip, x-gzip: passed through if not gzip-framed */
	DEC_DEFLATE,	/* zlib-wrapped or raw deflate, detected */
	DEC_BR,		/* brotli */
	DEC_ZSTD,	/* zstd (RFC 8878), window at most 8 MiB as browsers */
	DEC_LZMA,	/* "lzma" (LZMA-alone, 16 MiB memory): no browser
			 * decodes it, Suricata can; decoded, flagged as an
			 * unknown coding */
	DEC_AUTO,	/* unknown token: gunzip if it carries the gzip magic,
			 * inflate if it has a zlib header, else pass through */
};

struct decode_limits {
	uint64_t max_decoded;	/* decoded bytes; 0 = unlimited */
	uint32_t max_ratio;	/* decoded/input ratio; 0 = unlimited */
	uint64_t ratio_floor;	/* ratio is checked only past this many decoded */
};

/* Receives decoded bytes; p is valid only during the call. */
typedef void (*decode_sink_fn)(void *arg, const uint8_t *p, size_t len);

struct decoder;

/* Parses a Content-Encoding or Transfer-Encoding value into codings in the
 * order the sender applied them (decode in reverse). Browser tolerance:
 * tokens are split on ',' (and on whitespace and control bytes), matched
 * case-insensitively, empty tokens skipped; "chunked" is skipped and
 * reported through *chunked (its position: 1 = last, 2 = not last).
 * Unknown tokens become DEC_AUTO and set *unknown. Returns the number of
 * codings (at most max; extra layers set *too_many). */
unsigned decode_parse_codings(const char *value, enum decode_coding *out,
			      unsigned max, int *chunked, int *unknown,
			      int *too_many);

/* Creates a decoder for n codings (sender order; n may be 0: identity).
 * lim may be NULL (no limits). sink receives decoded bytes with arg.
 * Returns NULL and sets errno on failure; free with decode_free. */
struct decoder *decode_new(const enum decode_coding *codings, unsigned n,
			   const struct decode_limits *lim, decode_sink_fn sink,
			   void *arg);

/* Feeds len input bytes. Returns 0, or -1 once the decoder has stopped
 * (error or limit: see decode_status); later calls are ignored. */
int decode_feed(struct decoder *d, const uint8_t *p, size_t len);

/* Signals the end of input: flushes layers that were still sniffing and
 * notes truncated compressed streams. Returns 0 or -1 as decode_feed. */
int decode_finish(struct decoder *d);

/* Status: DECODE_ERR_* bits and a message ("" if none), owned by d. */
#define DECODE_ERR_DATA		0x1	/* corrupt or truncated compressed data */
#define DECODE_ERR_BOMB		0x2	/* a limit stopped decoding */
unsigned decode_status(const struct decoder *d, const char **msg);

/* Total bytes given to sink so far. */
uint64_t decode_out_len(const struct decoder *d);

void decode_free(struct decoder *d);

#endif
