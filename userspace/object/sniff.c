// SPDX-License-Identifier: GPL-2.0
/* Magic-byte sniffing of decoded bodies (object records, matching by type).
 * Signatures follow the WHATWG MIME Sniffing standard where it has them. */
#include <string.h>
#include <strings.h>

#include "sniff.h"

struct magic {
	unsigned off;
	const char *bytes;
	unsigned len;
	const char *name;
};

#define M(o, b, n) { o, b, sizeof(b) - 1, n }

/* Checked in order: longer, more specific signatures first. */
static const struct magic magics[] = {
	M(0, "\xff\xd8\xff", "jpeg"),
	M(0, "\x89PNG\r\n\x1a\n", "png"),
	M(0, "GIF87a", "gif"),
	M(0, "GIF89a", "gif"),
	M(0, "BM", "bmp"),
	M(0, "II*\0", "tiff"),
	M(0, "MM\0*", "tiff"),
	M(0, "%PDF-", "pdf"),
	M(0, "PK\x03\x04", "zip"),
	M(0, "PK\x05\x06", "zip"),
	M(0, "\x1f\x8b\x08", "gzip"),
	M(0, "7z\xbc\xaf\x27\x1c", "7z"),
	M(0, "\x28\xb5\x2f\xfd", "zstd"),
	M(0, "\xfd" "7zXZ\0", "xz"),
	M(0, "Rar!\x1a\x07", "rar"),
	M(0, "\0\0\1\0", "ico"),
	M(0, "OggS\0", "ogg"),
	M(0, "ID3", "mp3"),
	M(0, "fLaC", "flac"),
	M(0, "\0\0\0\x0cjP  \r\n\x87\n", "jp2"),
	M(0, "\xff\x0a", "jxl"),
	M(0, "%!PS-", "ps"),
	M(0, "\x7f" "ELF", "elf"),
	M(0, "MZ", "exe"),
};

/* RIFF containers: the form type at offset 8 names the format. */
static const char *riff(const uint8_t *p, size_t len)
{
	if (len < 12 || memcmp(p, "RIFF", 4))
		return NULL;
	if (!memcmp(p + 8, "WEBP", 4))
		return "webp";
	if (!memcmp(p + 8, "AVI ", 4))
		return "avi";
	if (!memcmp(p + 8, "WAVE", 4))
		return "wav";
	return NULL;
}

/* ISO BMFF: a 'ftyp' box at offset 4; the major brand names the format. */
static const char *isobmff(const uint8_t *p, size_t len)
{
	if (len < 12 || memcmp(p + 4, "ftyp", 4))
		return NULL;
	if (!memcmp(p + 8, "qt  ", 4))
		return "mov";
	if (!memcmp(p + 8, "avif", 4) || !memcmp(p + 8, "avis", 4))
		return "avif";
	if (!memcmp(p + 8, "heic", 4) || !memcmp(p + 8, "heix", 4) ||
	    !memcmp(p + 8, "mif1", 4))
		return "heic";
	return "mp4";
}

/* EBML header; the DocType element (0x42 0x82) says webm or matroska. */
static const char *ebml(const uint8_t *p, size_t len)
{
	if (len < 4 || memcmp(p, "\x1a\x45\xdf\xa3", 4))
		return NULL;
	for (size_t i = 4; i + 7 <= len && i < 64; i++) {
		if (p[i] != 0x42 || p[i + 1] != 0x82)
			continue;
		if (!memcmp(p + i + 3, "webm", 4))
			return "webm";
		return "mkv";
	}
	return "mkv";
}

/* HTML: optional whitespace, then one of the WHATWG tag openers. */
static const char *html(const uint8_t *p, size_t len)
{
	static const char *const tags[] = { "<!DOCTYPE HTML", "<HTML", "<HEAD",
					    "<SCRIPT", "<BODY", "<IFRAME", "<!--",
					    "<TITLE", "<DIV", "<P", "<H1", "<BR",
					    "<TABLE", "<A", "<STYLE", "<B", "<FONT" };
	size_t i = 0;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
			   p[i] == '\r' || p[i] == '\f'))
		i++;
	for (unsigned t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		size_t n = strlen(tags[t]);

		if (len - i <= n || strncasecmp((const char *)p + i, tags[t], n))
			continue;
		/* "tag-terminating byte": space or '>' (not for comments) */
		if (t == 6 || p[i + n] == ' ' || p[i + n] == '>')
			return "html";
	}
	if (len - i > 5 && !memcmp(p + i, "<?xml", 5))
		return "xml";
	return NULL;
}

/* Names and families, in one table: sniff_type_names lists them. */
static const char *const names[] = {
	"jpeg", "png", "gif", "bmp", "tiff", "ico", "jp2", "jxl", "webp", "avif", "heic",
	"avi", "mov", "mp4", "webm", "mkv",
	"ogg", "mp3", "flac", "wav",
	"zip", "gzip", "7z", "zstd", "xz", "rar",
	"pdf", "ps",
	"elf", "exe",
	"html", "xml",
	NULL,
};
/* the index in names[] where each family ends */
static const struct {
	unsigned end;
	const char *family;
} families[] = {
	{11, "image"}, {16, "video"}, {20, "audio"}, {26, "archive"},
	{28, "document"}, {30, "executable"}, {32, "markup"},
};

const char *const *sniff_type_names(void)
{
	return names;
}

const char *sniff_type_family(const char *name)
{
	for (unsigned i = 0; names[i]; i++) {
		if (strcmp(names[i], name))
			continue;
		for (unsigned f = 0; f < sizeof(families) / sizeof(families[0]); f++)
			if (i < families[f].end)
				return families[f].family;
	}
	return NULL;
}

const char *sniff_type(const uint8_t *p, size_t len)
{
	const char *t;

	if (len > SNIFF_LEN)
		len = SNIFF_LEN;
	for (unsigned i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];

		if (len >= m->off + m->len && !memcmp(p + m->off, m->bytes, m->len))
			return m->name;
	}
	if ((t = riff(p, len)) || (t = isobmff(p, len)) || (t = ebml(p, len)) ||
	    (t = html(p, len)))
		return t;
	return "";
}
