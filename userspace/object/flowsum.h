/* SPDX-License-Identifier: GPL-2.0 */
/* flowsum: a stream consumer beside the HTTP parser that turns each flow
 * into one "flow" event line when it closes: endpoints, bytes, gaps,
 * transport anomalies and the SHA-256 of each direction's byte stream
 * (`edgeward streams`, for checking reassembly against other tools).
 *
 *   reasm --stream_ops--> flowsum --objrec (whole line)--> assemble */
#ifndef EW_FLOWSUM_H
#define EW_FLOWSUM_H

#include <stdbool.h>

#include "objrec.h"
#include "stream/stream.h"

struct flowsum_conf {
	bool hash; /* SHA-256 per direction */
	void (*emit)(void *ctx, struct objrec *r); /* the callee owns r */
	void *emit_ctx;
};

struct flowsum;

/* Returns a consumer (caller frees with flowsum_free after its flows are
 * closed) or NULL with errno set. */
struct flowsum *flowsum_new(const struct flowsum_conf *conf);
void flowsum_free(struct flowsum *fs);

/* Names the input written into the following lines; not copied. */
void flowsum_set_source(struct flowsum *fs, const char *source);

/* Lines that could not be made (memory). */
uint64_t flowsum_errors(const struct flowsum *fs);

/* The stream consumer; pass the struct flowsum * as flow_open's ctx. */
const struct stream_ops *flowsum_stream_ops(void);

#endif
