// SPDX-License-Identifier: GPL-2.0
/* image_gif: the first frame of a GIF through giflib, at the frame's own
 * size, palette colours looked up, transparency ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>

#include "image_dec.h"

struct gif_src {
	const uint8_t *buf;
	size_t len, off;
};

static int on_read(GifFileType *g, GifByteType *out, int n)
{
	struct gif_src *s = g->UserData;
	size_t k = n < 0 ? 0 : (size_t)n;

	if (k > s->len - s->off)
		k = s->len - s->off;
	memcpy(out, s->buf + s->off, k);
	s->off += k;
	return (int)k;
}

/* Output row of the i-th stored line: interlaced GIFs store rows 0,8,16..
 * then 4,12.. then 2,6.. then 1,3.. */
static uint32_t line_row(uint32_t i, uint32_t h, int interlaced)
{
	static const uint32_t start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };

	if (!interlaced)
		return i;
	for (int p = 0; p < 4; p++) {
		uint32_t n = h > start[p] ? (h - start[p] + step[p] - 1) / step[p] : 0;

		if (i < n)
			return start[p] + i * step[p];
		i -= n;
	}
	return h - 1;	/* not reached: i < h */
}

static int read_frame(struct image_dec *d, GifFileType *g)
{
	const ColorMapObject *map;
	uint8_t *line = NULL;
	uint32_t w, h;
	int ret;

	if (DGifGetImageDesc(g) == GIF_ERROR)
		return image_fail(d, -EBADMSG, "%s", GifErrorString(g->Error));
	map = g->Image.ColorMap ? g->Image.ColorMap : g->SColorMap;
	if (!map)
		return image_fail(d, -EBADMSG, "first frame has no colour map");
	w = (uint32_t)g->Image.Width;
	h = (uint32_t)g->Image.Height;
	ret = image_start(d, w, h, 3);
	if (ret)
		return ret;
	line = malloc(w);
	if (!line)
		return image_fail(d, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < h && !ret; i++) {
		uint8_t *out = image_row(d, line_row(i, h, g->Image.Interlace));

		if (DGifGetLine(g, line, (int)w) == GIF_ERROR) {
			ret = image_fail(d, -EBADMSG, "row %u: %s", i, GifErrorString(g->Error));
			break;
		}
		for (uint32_t x = 0; x < w; x++, out += 3) {
			/* An index past the colour map takes colour 0, as in
			 * ImageMagick (ConstrainColormapIndex). */
			GifColorType c = map->Colors[line[x] < map->ColorCount ? line[x] : 0];

			out[0] = c.Red;
			out[1] = c.Green;
			out[2] = c.Blue;
		}
		ret = image_tick(d);
	}
	free(line);
	return ret;
}

static int skip_extension(struct image_dec *d, GifFileType *g)
{
	GifByteType *ext = NULL;
	int code;

	if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
		return image_fail(d, -EBADMSG, "%s", GifErrorString(g->Error));
	while (ext) {
		if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
			return image_fail(d, -EBADMSG, "%s", GifErrorString(g->Error));
	}
	return image_tick(d);
}

int image_decode_gif(struct image_dec *d, const uint8_t *buf, size_t len)
{
	struct gif_src s = { buf, len, 0 };
	GifRecordType type;
	GifFileType *g;
	int gerr = 0, ret = 1;

	g = DGifOpen(&s, on_read, &gerr);
	if (!g)
		return image_fail(d, -EBADMSG, "%s", GifErrorString(gerr));
	while (ret > 0) {
		if (DGifGetRecordType(g, &type) == GIF_ERROR) {
			ret = image_fail(d, -EBADMSG, "%s", GifErrorString(g->Error));
			break;
		}
		if (type == IMAGE_DESC_RECORD_TYPE)
			ret = read_frame(d, g);
		else if (type == EXTENSION_RECORD_TYPE)
			ret = skip_extension(d, g) ?: 1;
		else
			ret = image_fail(d, -EBADMSG, "no image in file");
	}
	DGifCloseFile(g, &gerr);
	return ret;
}
