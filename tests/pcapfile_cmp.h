/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper: reads one capture with pcapfile and with libpcap side by
 * side, frame by frame, and says where they part; for test_pcapfile and
 * fuzz_pcapfile. Header-only. */
#ifndef EW_TESTS_PCAPFILE_CMP_H
#define EW_TESTS_PCAPFILE_CMP_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capture/pcapfile.h"

struct pf_cmp {
	uint64_t same;			 /* frames equal in both, from the first */
	int ours;			 /* pcapfile's next answer: 1 a frame, 0 the end, -EIO */
	int theirs;			 /* libpcap's: 1 a frame, 0 the end, -1 an error */
	char diff[400];			 /* what differed; "" if they agree */
	bool frame_differs;		 /* ... a frame both had (else: where they ended) */
	struct pcapfile_err err;	 /* ours, when -EIO */
	char pcap_msg[PCAP_ERRBUF_SIZE]; /* libpcap's, when -1 */
};

/* libpcap over n bytes at d (nanosecond time stamps), as pcapsrc opens a
 * file. NULL with ebuf filled when libpcap refuses it. */
static inline pcap_t *pf_cmp_libpcap(const uint8_t *d, size_t n, char *ebuf)
{
	FILE *f = fmemopen((void *)d, n, "rb");
	pcap_t *p;

	if (!f) {
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "fmemopen: %s", strerror(errno));
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p)
		fclose(f); /* not closed by libpcap on failure */
	return p;
}

static inline bool pf_cmp_frame(const struct pcapfile_frame *f, const struct pcap_pkthdr *h,
				const u_char *d, int linktype, struct pf_cmp *c)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;

	if (f->caplen != h->caplen || f->len != h->len || f->ts_ns != ts || f->linktype != linktype)
		snprintf(c->diff, sizeof(c->diff),
			 "frame %llu: caplen %u/%u len %u/%u ts %llu/%llu link type %d/%d",
			 (unsigned long long)c->same + 1, f->caplen, h->caplen, f->len, h->len,
			 (unsigned long long)f->ts_ns, (unsigned long long)ts, f->linktype,
			 linktype);
	else if (f->caplen && memcmp(f->data, d, f->caplen))
		snprintf(c->diff, sizeof(c->diff), "frame %llu: other bytes",
			 (unsigned long long)c->same + 1);
	c->frame_differs = c->diff[0] != 0;
	return !c->frame_differs;
}

/* Reads r and p to their ends, or to the first difference. Returns true
 * when they agree: the same frames, then both at the end or both
 * failing. */
static inline bool pf_cmp_run(struct pcapfile *r, pcap_t *p, struct pf_cmp *c)
{
	struct pcapfile_frame f;
	struct pcap_pkthdr *h;
	const u_char *d;

	memset(c, 0, sizeof(*c));
	for (;;) {
		c->ours = pcapfile_next(r, &f, &c->err);
		c->theirs = pcap_next_ex(p, &h, &d);
		if (c->theirs == PCAP_ERROR_BREAK)
			c->theirs = 0;
		else if (c->theirs != 1)
			snprintf(c->pcap_msg, sizeof(c->pcap_msg), "%s", pcap_geterr(p));
		if (c->ours != 1 || c->theirs != 1)
			break;
		if (!pf_cmp_frame(&f, h, d, pcap_datalink(p), c))
			return false;
		c->same++;
	}
	if ((c->ours < 0) != (c->theirs < 0) || (c->ours == 1) != (c->theirs == 1))
		snprintf(c->diff, sizeof(c->diff), "after frame %llu: pcapfile %d, libpcap %d (%s)",
			 (unsigned long long)c->same, c->ours, c->theirs, c->pcap_msg);
	return !c->diff[0];
}

/* Where libpcap stops and pcapfile deliberately goes on (pcapfile.h). */
static inline bool pf_cmp_deliberate(const struct pf_cmp *c)
{
	static const char *const stops[] = {
		"an interface has a type ",
		"an interface has a snapshot length ",
		"the file has sections with different byte orders",
		"pcapng block size ",
	};

	if (c->theirs != -1 || !c->diff[0] || c->frame_differs)
		return false;
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (!strncmp(c->pcap_msg, stops[i], strlen(stops[i])))
			return true;
	return false;
}

#endif
