/* SPDX-License-Identifier: GPL-2.0 */
/* Streaming MIME multipart splitter for HTTP bodies: multipart/form-data
 * uploads (each part an object with its filename) and multipart/byteranges
 * responses (each part a piece with its Content-Range).
 *
 *   http body (decoded) --> multipart --> part begin / data / end
 */
#ifndef EW_MULTIPART_H
#define EW_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#define MP_FIELD 256
#define MP_BOUNDARY 72		/* RFC 2046: at most 70 characters */
#define MP_HEAD_MAX 8192	/* part header block cap */

struct mp_part {
	char name[MP_FIELD];		/* form field name */
	char filename[MP_FIELD];	/* Content-Disposition filename, "" */
	char content_type[MP_FIELD];
	char content_range[MP_FIELD];
};

/* Callbacks; pointers are valid only during the call. end's complete is 1
 * when the part's closing delimiter was seen. */
struct mp_ops {
	void (*begin)(void *arg, const struct mp_part *part);
	void (*data)(void *arg, const uint8_t *p, size_t len);
	void (*end)(void *arg, int complete);
};

struct multipart;

/* Extracts the boundary parameter of a Content-Type value into out
 * (MP_BOUNDARY bytes). Returns 0, or -ENOENT if there is none or it is too
 * long. */
int multipart_boundary(const char *content_type, char *out);

/* Creates a splitter for boundary; ops must outlive it. Returns NULL and
 * sets errno on failure; free with multipart_free. */
struct multipart *multipart_new(const char *boundary, const struct mp_ops *ops,
				void *arg);

/* Feeds body bytes. */
void multipart_feed(struct multipart *m, const uint8_t *p, size_t len);

/* Ends input: a part still open ends incomplete. Returns the number of
 * parts seen. */
unsigned multipart_finish(struct multipart *m);

void multipart_free(struct multipart *m);

#endif
