/* SPDX-License-Identifier: GPL-2.0 */
/* flowclass: the flow classifier of one worker, a stream consumer beside
 * the HTTP parser. It takes each flow's packets through the reassembler's
 * packet hook, has nDPI (dpi.h) classify them, and when the flow ends
 * hands on one "flow" event line: endpoints, packets, and what nDPI found
 * ("ndpi": protocol, category, server_name, confidence, risks).
 *
 *   reasm --packet, close--> flowclass --dpi--> nDPI
 *                                |
 *                                +--objrec (whole line)--> assemble --> events
 *
 * docs/log-schema.md describes the line. */
#ifndef EW_FLOWCLASS_H
#define EW_FLOWCLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "dpi.h"
#include "object/objrec.h"
#include "stream/stream.h"

struct flowclass_conf {
	void (*emit)(void *ctx, struct objrec *r); /* the callee owns r */
	void *emit_ctx;
	/* Optional: called once per flow as soon as nDPI names its
	 * application (the detection ends there: later details such as a
	 * certificate are not waited for) or gives up at the packet cap,
	 * before the flow ends, with the flow as the reassembler holds it
	 * (live: where TCP stands). In the worker's thread. A flow closed
	 * before that gets no call. */
	void (*classified)(void *ctx, const struct flow_info *fi, const struct dpi_result *r);
	void *classified_ctx;
	bool no_lines;	/* write no flow lines (the live agent) */
};

struct flowclass_stats {
	uint64_t flows;	     /* flow events made */
	uint64_t classified; /* of those, named by nDPI (protocol not Unknown) */
	uint64_t guessed;    /* named by port or address only */
	uint64_t capped;     /* detection ended by the packet cap */
	uint64_t packets;    /* packets given to nDPI */
	uint64_t errors;     /* flows not classified or lines not made (memory) */
};

struct flowclass;

/* Returns a classifier with its own nDPI module (one per thread; not to be
 * made by two threads at once), or NULL with errno set. The caller frees
 * it with flowclass_free after its flows are closed. */
struct flowclass *flowclass_new(const struct flowclass_conf *conf);
void flowclass_free(struct flowclass *fc);

/* Names the input written into the following lines; not copied. */
void flowclass_set_source(struct flowclass *fc, const char *source);

/* Adds the counters to *st. */
void flowclass_stats(const struct flowclass *fc, struct flowclass_stats *st);

/* The stream consumer; pass the struct flowclass * as flow_open's ctx. */
const struct stream_ops *flowclass_stream_ops(void);

#endif
