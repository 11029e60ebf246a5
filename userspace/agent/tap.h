/* SPDX-License-Identifier: GPL-2.0 */
/* tap: the agent's passive source and enforcement. Consumes the TC mirror
 * ring buffer: each packet to the engine (tap mode) and, if asked, to a
 * pcapng file. A matched object in tap mode was already delivered: the
 * flow gets a BLOCK verdict (XDP drops the rest of it, on every inline
 * interface) and TCP resets to both ends, and the block event says so.
 *
 *   TC mirror ─ringbuf─▶ tap ─▶ engine_push_frame ─▶ workers ─verdict─▶ tap:
 *                          └─▶ pcapng                     verdict map, RSTs, event */
#ifndef EW_AGENT_TAP_H
#define EW_AGENT_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "decide.h"
#include "engine/engine.h"
#include "kside.h"
#include "namewatch.h"

struct tap_conf {
	struct engine *engine; /* NULL: the mirror only goes to the pcapng file */
	struct engine *log;    /* whose writer takes the DNS answers' block events */
	struct decider *dc;    /* names their rules after the policy's */
	struct kside *kside;
	struct namewatch *names; /* server names of mirrored flows; NULL: none */
	const char *pcap_out;  /* NULL: none */
	uint32_t snaplen;      /* for the pcapng interfaces */
	const char *const *ifaces;
	int n_if;
};

struct tap_stats {
	uint64_t frames;      /* mirrored packets consumed */
	uint64_t bad;	      /* malformed ring-buffer records */
	uint64_t written;     /* packets written to the pcapng file */
	uint64_t queue_full;  /* packets the engine could not queue */
	uint64_t blocked;     /* flows blocked after a match */
	uint64_t resets;      /* reset segments sent */
	uint64_t reset_errors;
	uint64_t dns_answers; /* DNS answers TC sent, logged as block events */
};

struct tap;

/* Opens the mirror (k->mirror_fd) and the pcapng file (created 0600, not
 * through a symlink, not over an existing file). Returns NULL with the
 * problem printed and errno set. */
struct tap *tap_new(const struct tap_conf *c);

/* An fd that polls readable when mirrored packets wait. */
int tap_fd(const struct tap *t);

/* Consumes what is ready. Returns the records consumed or -errno. */
int tap_poll(struct tap *t);

/* From the engine's verdict callback (worker threads), for an object the
 * policy blocks (td): blocks the flow, resets both ends, and writes the
 * block event with td's rule and version. */
void tap_block(struct tap *t, const struct obj_verdict *v, const struct tap_decision *td);

/* The same for a flow nDPI classified (r) that the policy blocks. */
void tap_block_flow(struct tap *t, const struct flow_info *fi, const struct dpi_result *r,
		    const struct tap_decision *td);

void tap_stats(const struct tap *t, struct tap_stats *st);

/* Closes the pcapng file (its error returned, printed) and frees t. */
int tap_free(struct tap *t);

#endif
