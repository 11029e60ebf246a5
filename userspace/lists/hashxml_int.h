/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by hashxml.c (the reader) and hashxml_build.c (lookups
 * and installation into the registries). Not for other stages. */
#ifndef EW_HASHXML_INT_H
#define EW_HASHXML_INT_H

#include "hashxml.h"

#define F_MD5	0x01
#define F_SHA1	0x02
#define F_PDQ	0x04
#define F_VIDEO	0x08
#define F_LIVE	0x10

#define CLASS_MAX	64

struct xentry {
	char *id;
	uint8_t md5[16];
	uint8_t sha1[20];
	struct pdq_hash pdq;
	uint16_t cls;		/* index into hashxml.cls; 0 is unclassified */
	uint8_t flags;
	unsigned line;
};

struct hashxml {
	struct xentry *e;
	size_t n, cap;
	uint32_t *map;		/* open addressing: entry index + 1, 0 empty */
	size_t map_cap;		/* a power of two */
	char **cls;
	size_t ncls;
	struct hashxml_stats st;
};

/* The entry with this id, live or deleted, or NULL. */
struct xentry *hashxml_lookup(const struct hashxml *x, const char *id);

#endif
