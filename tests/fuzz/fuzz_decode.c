// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the content decoders. The first byte picks the coding
 * stack and the split size; the rest is the encoded body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/decode.h"

static void sink(void *arg, const uint8_t *p, size_t len)
{
	size_t *n = arg;

	if (len && !p)
		abort();
	*n += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const stacks[] = {
		"gzip", "deflate", "br", "identity", "gzip, gzip", "deflate, gzip",
		"br, deflate", "x-gzip, foo", "chunked, gzip", "gzip,,deflate,br",
		"zstd", "zstd, gzip", "identity, gzip, identity", "x-deflate", "lzma, gzip",
		"deflate deflate deflate",
	};
	struct decode_limits lim = { 1 << 20, 100, 64 << 10 };
	enum decode_coding c[DECODE_MAX_LAYERS];
	int chunked, unknown, many;
	struct decoder *d;
	size_t out = 0, step;
	unsigned n;
	const char *msg;

	if (size < 1)
		return 0;
	n = decode_parse_codings(stacks[data[0] & 15], c, DECODE_MAX_LAYERS,
				 &chunked, &unknown, &many);
	d = decode_new(c, n, &lim, sink, &out);
	if (!d)
		return 0;
	step = (data[0] >> 4) * 37 + 1;
	for (size_t i = 1; i < size; i += step)
		decode_feed(d, data + i, size - i < step ? size - i : step);
	decode_finish(d);
	decode_status(d, &msg);
	if (out != decode_out_len(d) || out > lim.max_decoded || !msg)
		abort();
	decode_free(d);
	return 0;
}
