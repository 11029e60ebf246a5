// SPDX-License-Identifier: GPL-2.0
/* sniff: magic-byte types of decoded bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "object/sniff.h"

struct sniff_case {
	const char *bytes;
	size_t len;
	const char *want;
};

#define C(b, w) { b, sizeof(b) - 1, w }

static const struct sniff_case cases[] = {
	C("\xff\xd8\xff\xe0\0\x10JFIF", "jpeg"),
	C("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "png"),
	C("GIF89a\x01\0\x01\0", "gif"),
	C("GIF87a", "gif"),
	C("RIFF\x24\0\0\0WEBPVP8 ", "webp"),
	C("RIFF\x24\0\0\0AVI LIST", "avi"),
	C("RIFF\x24\0\0\0WAVEfmt ", "wav"),
	C("BM\x36\0\0\0\0\0\0\0", "bmp"),
	C("II*\0\x08\0\0\0", "tiff"),
	C("MM\0*\0\0\0\x08", "tiff"),
	C("\0\0\0\x18" "ftypmp42\0\0\0\0", "mp4"),
	C("\0\0\0\x14" "ftypqt  \0\0\0\0", "mov"),
	C("\0\0\0\x1c" "ftypavif\0\0\0\0", "avif"),
	C("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "webm"),
	C("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "mkv"),
	C("PK\x03\x04\x14\0", "zip"),
	C("%PDF-1.7\n", "pdf"),
	C("\x1f\x8b\x08\0", "gzip"),
	C("\x28\xb5\x2f\xfd\x24", "zstd"),
	C("\xfd" "7zXZ\0\0", "xz"),
	C("  <!DOCTYPE html><html>", "html"),
	C("\xef\xbb\xbf<html>", "html"),
	C("<?xml version=\"1.0\"?>", "xml"),
	C("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR", ""),
	C("<htmlx", ""),
	C("\xff\xd8", ""),	/* too short for JPEG */
	C("", ""),
};

static void table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sniff_case *c = &cases[i];

		assert_string_equal(sniff_type((const uint8_t *)c->bytes, c->len),
				    c->want);
		/* every name sniffed is listed, with a family (policy files) */
		if (*c->want)
			assert_non_null(sniff_type_family(c->want));
	}
}

/* The list of names: no repeats, each with a family; the families. */
static void names(void **state)
{
	const char *const *n = sniff_type_names();

	(void)state;
	for (size_t i = 0; n[i]; i++) {
		assert_non_null(sniff_type_family(n[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(n[i], n[j]);
	}
	assert_string_equal(sniff_type_family("jpeg"), "image");
	assert_string_equal(sniff_type_family("mkv"), "video");
	assert_string_equal(sniff_type_family("exe"), "executable");
	assert_string_equal(sniff_type_family("xml"), "markup");
	assert_null(sniff_type_family("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
