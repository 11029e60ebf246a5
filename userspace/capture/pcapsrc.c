// SPDX-License-Identifier: GPL-2.0
/* pcapsrc: pcap/pcapng files -> frames, or through ingest -> whole IP
 * packets. The source stage of `edgeward pcap`. A regular file is mapped
 * and read by pcapfile (no copy); libpcap reads the rest, and every file
 * pcapfile declines, so those keep libpcap's behaviour and messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "pcapsrc.h"

/* Our own mapping's pages behind the reader are given back every
 * PCAPSRC_DROP_STEP bytes, all but the last PCAPSRC_DROP_LAG: a long
 * capture costs a bounded resident set. A mapping the caller gave is the
 * caller's to drop (the engine's workers share one). */

struct pcapsrc {
	struct pcapfile *f;	 /* the mapped file's reader, or NULL: */
	pcap_t *p;		 /* libpcap's */
	struct pcapfile_map map; /* our own mapping, when the caller gave none */
	size_t dropped;		 /* map's pages before this were given back */
	int linktype;
	uint64_t num;
	char path[256];
};

static int open_libpcap(struct pcapsrc *s, const char *path, struct pcapsrc_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";

	s->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!s->p) {
		snprintf(err->msg, sizeof(err->msg), "couldn't open '%s': %s", path, ebuf);
		return -EINVAL;
	}
	s->linktype = pcap_datalink(s->p);
	return 0;
}

/* The mapped reader, over m or a mapping of our own; 0 with s->f NULL
 * when the file is for libpcap. */
static int open_mapped(struct pcapsrc *s, const char *path, const struct pcapfile_map *m,
		       struct pcapsrc_err *err)
{
	if (!m && pcapfile_map(path, &s->map) == 0)
		m = &s->map;
	if (!m)
		return 0; /* not a regular file, or unreadable: libpcap says why */
	s->f = pcapfile_open(m->data, m->len, s->path);
	if (!s->f && errno != ENOEXEC) {
		snprintf(err->msg, sizeof(err->msg), "couldn't open '%s': %s", path,
			 strerror(errno));
		return -errno;
	}
	if (s->f)
		s->linktype = pcapfile_linktype(s->f);
	else
		pcapfile_unmap(&s->map);
	return 0;
}

static int check_link(struct pcapsrc *s, const char *path, struct pcapsrc_err *err)
{
	const char *name = pcap_datalink_val_to_name(s->linktype);

	if (packet_link_supported(s->linktype))
		return 0;
	snprintf(err->msg, sizeof(err->msg), "couldn't read '%s': unsupported link type %d (%s)",
		 path, s->linktype, name ? name : "unknown");
	return -ENOTSUP;
}

struct pcapsrc *pcapsrc_open_map(const char *path, const struct pcapfile_map *m,
				 struct pcapsrc_err *err)
{
	struct pcapsrc *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(err->msg, sizeof(err->msg), "couldn't open '%s': %s", path,
			 strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	rc = open_mapped(s, path, m, err);
	if (!rc && !s->f)
		rc = open_libpcap(s, path, err);
	if (!rc)
		rc = check_link(s, path, err);
	if (rc) {
		pcapsrc_close(s);
		errno = -rc;
		return NULL;
	}
	return s;
}

struct pcapsrc *pcapsrc_open(const char *path, struct pcapsrc_err *err)
{
	return pcapsrc_open_map(path, NULL, err);
}

static int next_mapped(struct pcapsrc *s, struct pcapsrc_frame *f, struct pcapsrc_err *err)
{
	struct pcapfile_frame pf;
	struct pcapfile_err pe;
	int rc = pcapfile_next(s->f, &pf, &pe);

	if (rc < 0) {
		_Static_assert(sizeof(err->msg) >= sizeof(pe.msg), "messages would be cut");
		memcpy(err->msg, pe.msg, sizeof(pe.msg));
		return -EIO;
	}
	if (rc == 0)
		return 0;
	if (s->map.data && pcapfile_offset(s->f) >= s->dropped + PCAPSRC_DROP_LAG + PCAPSRC_DROP_STEP) {
		s->dropped = pcapfile_offset(s->f) - PCAPSRC_DROP_LAG;
		pcapfile_map_drop(&s->map, s->dropped);
	}
	f->data = pf.data;
	f->caplen = pf.caplen;
	f->len = pf.len;
	f->ts_ns = pf.ts_ns;
	f->num = ++s->num;
	f->linktype = pf.linktype;
	return 1;
}

size_t pcapsrc_offset(const struct pcapsrc *s)
{
	return s->f ? pcapfile_offset(s->f) : 0;
}

int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, struct pcapsrc_err *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (s->f)
		return next_mapped(s, f, err);
	rc = pcap_next_ex(s->p, &h, &data);
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
	pcapfile_close(s->f);
	pcapfile_unmap(&s->map);
	if (s->p)
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
