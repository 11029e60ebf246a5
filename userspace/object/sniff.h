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

#endif
