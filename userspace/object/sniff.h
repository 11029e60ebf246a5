/* SPDX-License-Identifier: GPL-2.0 */
/* Media type from magic bytes, for object records: what a body really is,
 * whatever its Content-Type says. Pure function, no state. */
#ifndef EW_SNIFF_H
#define EW_SNIFF_H

#include <stddef.h>
#include <stdint.h>

/* Bytes sniff_type looks at at most: pass the first SNIFF_LEN decoded bytes
 * (or all of a shorter body). */
#define SNIFF_LEN 512

/* Returns a static name ("jpeg", "png", "gif", "webp", "bmp", "tiff", "mp4",
 * "mov", "webm", "mkv", "avi", "wav", "zip", "pdf", "gzip", "zstd", "html",
 * ...) or
 * "" if the bytes match nothing known. */
const char *sniff_type(const uint8_t *p, size_t len);

/* Every name sniff_type returns (but ""), NULL-ended, and the family of
 * one: "image", "video", "audio", "archive", "document", "executable" or
 * "markup" (NULL for a name not in the list). Policy files match on both. */
const char *const *sniff_type_names(void);
const char *sniff_type_family(const char *name);

#endif
