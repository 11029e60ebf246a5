/* SPDX-License-Identifier: GPL-2.0 */
/* objrec: what one object leaves behind once a worker's objsink has hashed
 * and matched it, on its way to the one assembler that numbers and writes
 * the events and stitches range pieces:
 *
 *   worker: http -> objsink --objrec--> [engine: order] --> assemble -> log
 *
 * The event lines are ready but for their ids, which only the assembler
 * can give (they count events of every worker, in output order):
 *
 *   text = <object members>\n<match members>\n<match members>\n ...
 *
 * each part being JSON members with their leading commas, spliced in
 * after {"event":"object","id":N or {"event":"match","object":N. */
#ifndef EW_OBJREC_H
#define EW_OBJREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A range piece (Range/206 body, byteranges part): its bytes go to the
 * assembler's range store, which alone sees pieces of every connection. */
struct objrec_piece {
	char *host, *uri, *etag, *last_modified; /* in one allocation, at strs */
	char *strs;
	uint64_t first, last, total;
	uint64_t ts_begin, ts_end;
	int err;	/* refused before stitching: EINVAL (bad range), EFBIG */
	bool ok;	/* no gap: the bytes count towards coverage */
	uint8_t *data;	/* wire bytes from `first` on, at most last - first + 1 */
	size_t len;
};

struct objrec {
	struct objrec *next; /* free for the carrier's queues */
	/* Output order, compared in this order. item: the input position the
	 * worker was at (packet number, or a flush); flow: the object's flow
	 * id; seq: the worker's own count, which keeps one flow's records in
	 * the order they were made. */
	uint64_t item, flow, seq;
	uint64_t ts_end;	     /* wall clock of the object's last byte */
	const char *source;	     /* input name; outlives the record */
	char *text;		     /* see above; owned */
	bool whole_line;	     /* text is one finished line: written as is */
	size_t len;
	struct objrec_piece *piece; /* NULL unless a range piece; owned */
};

/* Frees r and what it owns. NULL is a no-op. */
void objrec_free(struct objrec *r);

/* Orders a before b: <0, 0 or >0. */
int objrec_cmp(const struct objrec *a, const struct objrec *b);

#endif
