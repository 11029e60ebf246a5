/* SPDX-License-Identifier: GPL-2.0 */
/* tee: one byte-stream source, two consumers. The engine's workers hand
 * each flow to the HTTP parser and, beside it, to the flow classifier:
 *
 *   reasm --stream_ops--> tee --+--> http       (data, gap, end, close)
 *                               +--> flowclass  (packet, close)
 *
 * Every call goes to each consumer that took the flow (flow_open returned
 * non-NULL) and has that callback, first a, then b. */ 
#ifndef EW_TEE_H
#define EW_TEE_H

#include "stream.h"

struct stream_tee {
	const struct stream_ops *a_ops, *b_ops;
	void *a_ctx, *b_ctx;
	uint64_t errors; /* flows given up for want of memory */
};

/* The consumer; pass a struct stream_tee * (filled, outliving its flows)
 * as flow_open's ctx. */
const struct stream_ops *stream_tee_ops(void);

#endif
