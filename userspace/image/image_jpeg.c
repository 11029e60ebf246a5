// SPDX-License-Identifier: GPL-2.0
/* image_jpeg: JPEG through libjpeg-turbo with the library's defaults (islow
 * IDCT, fancy upsampling), as ImageMagick decodes for the reference PDQ
 * tool. Errors longjmp back here; a progress hook enforces the time limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#include "image_dec.h"

#define JPEG_MAX_SCANS	 500	/* progressive scans; real files use about 10 */
#define JPEG_MAX_WARNS	 1000	/* corrupt-data warnings before giving up */
#define JPEG_MAX_MEM	 (512u << 20)

struct jpeg_ctx {
	struct jpeg_error_mgr pub;	/* first: libjpeg casts to it */
	struct jpeg_progress_mgr prog;
	jmp_buf jb;
	struct image_dec *d;
	int code;			/* -errno to return after the longjmp */
	unsigned warns;
	int started;			/* jpeg_start_decompress has returned */
};

static void on_error(j_common_ptr cinfo)
{
	struct jpeg_ctx *c = (struct jpeg_ctx *)cinfo->err;
	char msg[JMSG_LENGTH_MAX];

	cinfo->err->format_message(cinfo, msg);
	image_fail(c->d, -EBADMSG, "%s", msg);
	c->code = -EBADMSG;
	longjmp(c->jb, 1);
}

/* Warnings (corrupt data, premature end) are not fatal, as in ImageMagick,
 * but a flood of them is. */
static void on_message(j_common_ptr cinfo, int level)
{
	struct jpeg_ctx *c = (struct jpeg_ctx *)cinfo->err;

	/* Running out of data before the first row is an error. */
	if (level < 0 && !c->started && cinfo->err->msg_code == JWRN_JPEG_EOF) {
		image_fail(c->d, -EBADMSG, "truncated before the image data");
		c->code = -EBADMSG;
		longjmp(c->jb, 1);
	}
	if (level < 0 && ++c->warns > JPEG_MAX_WARNS) {
		image_fail(c->d, -EBADMSG, "more than %d corrupt-data warnings", JPEG_MAX_WARNS);
		c->code = -EBADMSG;
		longjmp(c->jb, 1);
	}
}

static void on_progress(j_common_ptr cinfo)
{
	struct jpeg_ctx *c = (struct jpeg_ctx *)cinfo->err;
	struct jpeg_decompress_struct *di = (struct jpeg_decompress_struct *)cinfo;

	if (di->input_scan_number > JPEG_MAX_SCANS) {
		image_fail(c->d, -EBADMSG, "more than %d scans", JPEG_MAX_SCANS);
		c->code = -EBADMSG;
		longjmp(c->jb, 1);
	}
	c->code = image_tick(c->d);
	if (c->code)
		longjmp(c->jb, 1);
}

/* ImageMagick's CMYK to RGB for the PNM it hands the reference, in its
 * 16-bit quantum: samples are taken as inverted (Adobe) CMYK, then
 * R = Q - (C*(Q-K)/Q + K), rounded to a quantum, scaled to a byte. */
static uint8_t cmyk_to_byte(uint8_t x, uint8_t k)
{
	const double q = 65535.0;
	double cx = q - x * 257.0, ck = q - k * 257.0;
	double v = q - ((1.0 / q) * cx * (q - ck) + ck);
	unsigned long u = v <= 0 ? 0 : v >= q ? 65535 : (unsigned long)(v + 0.5);

	return (uint8_t)(((u + 128) - ((u + 128) >> 8)) >> 8);
}

static void cmyk_row(const uint8_t *in, uint8_t *out, uint32_t w)
{
	for (uint32_t x = 0; x < w; x++, in += 4, out += 3) {
		out[0] = cmyk_to_byte(in[0], in[3]);
		out[1] = cmyk_to_byte(in[1], in[3]);
		out[2] = cmyk_to_byte(in[2], in[3]);
	}
}

static int read_rows(struct jpeg_ctx *c, struct jpeg_decompress_struct *di, uint8_t *cmyk)
{
	while (di->output_scanline < di->output_height) {
		uint32_t y = di->output_scanline;
		JSAMPROW row = cmyk ? cmyk : image_row(c->d, y);

		if (jpeg_read_scanlines(di, &row, 1) != 1)
			return image_fail(c->d, -EBADMSG, "no data at row %u", y);
		if (cmyk)
			cmyk_row(cmyk, image_row(c->d, y), di->output_width);
		if (image_tick(c->d))
			return -ETIMEDOUT;
	}
	return 0;
}

/* After jpeg_read_header: picks the output colour space and allocates. */
static int setup(struct jpeg_ctx *c, struct jpeg_decompress_struct *di, uint8_t **cmyk)
{
	int ret;

	switch (di->jpeg_color_space) {
	case JCS_GRAYSCALE:
		di->out_color_space = JCS_GRAYSCALE;
		break;
	case JCS_CMYK:
	case JCS_YCCK:
		di->out_color_space = JCS_CMYK;
		break;
	default:
		di->out_color_space = JCS_RGB;
		break;
	}
	ret = image_start(c->d, di->image_width, di->image_height,
			  di->out_color_space == JCS_GRAYSCALE ? 1 : 3);
	if (ret)
		return ret;
	if (di->out_color_space == JCS_CMYK) {
		*cmyk = malloc((size_t)di->image_width * 4);
		if (!*cmyk)
			return image_fail(c->d, -ENOMEM, "out of memory");
	}
	return 0;
}

int image_decode_jpeg(struct image_dec *d, const uint8_t *buf, size_t len)
{
	struct jpeg_decompress_struct di;
	struct jpeg_ctx c = { .d = d };
	uint8_t *volatile cmyk = NULL;
	uint8_t *tmp = NULL;
	int ret;

	di.err = jpeg_std_error(&c.pub);
	c.pub.error_exit = on_error;
	c.pub.emit_message = on_message;
	if (setjmp(c.jb)) {
		ret = c.code ? c.code : -EBADMSG;
		goto out;
	}
	jpeg_create_decompress(&di);
	di.mem->max_memory_to_use = JPEG_MAX_MEM;
	c.prog.progress_monitor = on_progress;
	di.progress = &c.prog;
	jpeg_mem_src(&di, buf, (unsigned long)len);
	jpeg_read_header(&di, TRUE);
	ret = setup(&c, &di, &tmp);
	cmyk = tmp;
	if (ret)
		goto out;
	jpeg_start_decompress(&di);
	c.started = 1;
	ret = read_rows(&c, &di, cmyk);
	if (!ret)
		jpeg_finish_decompress(&di);
out:
	jpeg_destroy_decompress(&di);
	free(cmyk);
	return ret;
}
