// SPDX-License-Identifier: GPL-2.0
/* pcapsrc: pcap/pcapng files via libpcap -> frames, or through ingest ->
 * whole IP packets. The source stage of `edgeward pcap`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "pcapsrc.h"

struct pcapsrc {
	pcap_t *p;
	int linktype;
	uint64_t num;
	char path[256];
};

struct pcapsrc *pcapsrc_open(const char *path, struct pcapsrc_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapsrc *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err->msg, sizeof(err->msg), "couldn't open '%s': %s", path,
			 strerror(ENOMEM));
		return NULL;
	}
	s->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!s->p) {
		snprintf(err->msg, sizeof(err->msg), "couldn't open '%s': %s", path, ebuf);
		free(s);
		errno = EINVAL;
		return NULL;
	}
	s->linktype = pcap_datalink(s->p);
	if (!packet_link_supported(s->linktype)) {
		const char *name = pcap_datalink_val_to_name(s->linktype);

		snprintf(err->msg, sizeof(err->msg),
			 "couldn't read '%s': unsupported link type %d (%s)", path, s->linktype,
			 name ? name : "unknown");
		pcap_close(s->p);
		free(s);
		errno = ENOTSUP;
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	return s;
}

int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, struct pcapsrc_err *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(s->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err->msg, sizeof(err->msg), "couldn't read '%s' after frame %llu: %s",
			 s->path, (unsigned long long)s->num, pcap_geterr(s->p));
		return -EIO;
	}
	f->data = data;
	f->caplen = h->caplen;
	f->len = h->len;
	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	f->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	f->num = ++s->num;
	f->linktype = s->linktype;
	return 1;
}

void pcapsrc_close(struct pcapsrc *s)
{
	if (!s)
		return;
	pcap_close(s->p);
	free(s);
}

int pcapsrc_run(const char *path, uint64_t num_base, void (*fn)(void *ctx, const struct pkt *p),
		void *ctx, struct capture_stats *st, struct pcapsrc_err *err)
{
	struct pcapsrc_frame fr;
	struct pcapsrc *s;
	struct defrag *d;
	struct pkt p;
	int rc = -ENOMEM;

	s = pcapsrc_open(path, err);
	if (!s)
		return -errno;
	d = defrag_new(NULL);
	if (!d) {
		snprintf(err->msg, sizeof(err->msg), "couldn't read '%s': %s", path,
			 strerror(ENOMEM));
		goto out;
	}
	while ((rc = pcapsrc_next(s, &fr, err)) == 1)
		if (ingest_frame(d, fr.linktype, fr.data, fr.caplen, num_base + fr.num, fr.ts_ns,
				 &p, st))
			fn(ctx, &p);
	defrag_stats(d, &st->defrag);
out:
	defrag_free(d);
	pcapsrc_close(s);
	return rc;
}
