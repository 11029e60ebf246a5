// SPDX-License-Identifier: GPL-2.0
/* Fuzz target for frame decoding, defragmentation and reassembly: the
 * input is a sequence of frames, each
 *
 *   | link (index into links[]) | len (be16) | frame[len] |
 *
 * run through packet_decode -> defrag -> packet_decode_ip -> reasm_push, as
 * pcapsrc_run does. A decode failure must come with a message naming the
 * packet. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/defrag.h"
#include "unit/reasm_util.h"

static void *fp_open(void *ctx, const struct flow_info *fi)
{
	(void)fi;
	return ctx;
}

static void fp_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	volatile uint8_t sink = 0;

	(void)flow;
	(void)d;
	(void)ts;
	for (size_t i = 0; i < len; i++)
		sink ^= p[i];
	(void)sink;
}

static void fp_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	(void)flow;
	(void)d;
	(void)len;
	(void)ts;
}

static void fp_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow;
	(void)d;
	(void)ts;
}

static void fp_close(void *flow, enum stream_close why, uint64_t ts)
{
	(void)flow;
	(void)why;
	(void)ts;
}

static const int links[] = {
	PKT_LINK_EN10MB, PKT_LINK_RAW,	PKT_LINK_LINUX_SLL, PKT_LINK_LINUX_SLL2,
	PKT_LINK_NULL,	 PKT_LINK_LOOP, PKT_LINK_IPV4,	    PKT_LINK_IPV6,
};

static void one(struct defrag *df, struct reasm *r, int lt, const uint8_t *fr, size_t len,
		uint64_t num)
{
	struct pkt p;
	struct pkt_err e;
	const uint8_t *ip;
	size_t iplen;
	int rc = packet_decode(lt, fr, len, num, num * 1000, &p, &e);

	if (rc == 0 && (p.flags & PKT_F_FRAG)) {
		if (defrag_push(df, p.l3, p.l3_len, p.ts_ns, &ip, &iplen) != 1)
			return;
		rc = packet_decode_ip(ip, iplen, 0, &p, &e);
	}
	if (rc == 0)
		reasm_push(r, &p);
	else if (e.num != num || strncmp(e.msg, "packet ", 7))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct stream_ops ops = {
		fp_open, fp_data, fp_gap, fp_end, fp_close, NULL,
	};
	struct defrag_conf dc;
	struct reasm_conf rc;
	struct defrag *df;
	struct reasm *r;
	uint64_t num = 0;
	uint8_t *fr;

	defrag_conf_default(&dc);
	dc.max_datagrams = 4;
	reasm_conf_default(&rc);
	rc.max_flows = 4;
	rc.total_buf_max = 1 << 14;
	df = defrag_new(&dc);
	r = reasm_new(&rc, &ops, NULL);
	for (size_t i = 0; df && r && i + 3 <= size;) {
		int lt = links[data[i] % (sizeof(links) / sizeof(links[0]))];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];

		i += 3;
		if (len > size - i)
			len = size - i;
		fr = malloc(len ? len : 1); /* exact size: overreads are caught */
		if (!fr)
			break;
		if (len)
			memcpy(fr, data + i, len);
		one(df, r, lt, fr, len, ++num);
		free(fr);
		i += len;
	}
	reasm_free(r);
	defrag_free(df);
	return 0;
}
