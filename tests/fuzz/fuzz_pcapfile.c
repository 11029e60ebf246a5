// SPDX-License-Identifier: GPL-2.0
/* Fuzz target for pcapfile: the input is a capture file (pcap or pcapng).
 * Beyond not crashing or reading outside the input:
 *  - the frames are, one for one and in order, the packet records (pcap)
 *    or packet blocks (EPB, SPB, PB) that a second, independent walk over
 *    the input finds, each frame where its record's data starts and
 *    inside the record; reading that ends cleanly ends on the walk's
 *    count, with the walk ending cleanly too, and reading that fails
 *    fails no later than the walk (pcapfile checks more);
 *  - an SPB's frame is no longer than its wire length;
 *  - an error names the file and the frames before it;
 *  - libpcap, reading the same bytes, hands out the same frames and stops
 *    at the same place, except where pcapfile deliberately goes on
 *    (pcapfile.h), and refuses no file pcapfile takes. */
#include <stdlib.h>
#include <string.h>

#include "pcapfile_cmp.h"

#define NAME "fuzz.cap"

/* Where the walk found a packet: its frame data starts at data and ends
 * at most at end (offsets into the input). */
struct rec {
	size_t data, end;
	bool spb;
};

struct walk {
	struct rec *v;
	size_t n, cap;
	bool clean; /* ended exactly at the end of the input */
	bool swapped;
};

static uint32_t rd32(const struct walk *w, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return w->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct walk *w, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return w->swapped ? __builtin_bswap16(v) : v;
}

static void add(struct walk *w, size_t data, size_t end, bool spb)
{
	if (w->n < w->cap)
		w->v[w->n] = (struct rec){data, end, spb};
	w->n++;
}

/* Classic pcap: records one after the other; the captured length is the
 * caplen field, or the len field in files older than 2.3 (and DG/UX's
 * 543.0), or the smaller of the two in 2.3. */
static void walk_pcap(const uint8_t *d, size_t n, uint32_t magic, struct walk *w)
{
	size_t hdr = magic == 0xa1b2cd34 ? 24 : 16, off = 24;
	uint16_t major, minor;

	if (n < 24)
		return;
	major = rd16(w, d + 4);
	minor = rd16(w, d + 6);
	while (off < n && n - off >= hdr) {
		uint32_t a = rd32(w, d + off + 8), b = rd32(w, d + off + 12), c = a;

		if (major == 543 || minor < 3)
			c = b;
		else if (minor == 3 && b < a)
			c = b;
		if (c > n - off - hdr)
			return;
		add(w, off + hdr, off + hdr + c, false);
		off += hdr + c;
	}
	w->clean = off == n;
}

/* pcapng: blocks one after the other, each section header setting the
 * byte order; the first one's trailer isn't checked (nor by libpcap). */
static void walk_pcapng(const uint8_t *d, size_t n, struct walk *w)
{
	size_t off = 0;

	while (off < n && n - off >= 12) {
		uint32_t type, len, bom;

		memcpy(&bom, d + off + 8, 4);
		memcpy(&type, d + off, 4);
		if (type == 0x0a0d0d0a) {
			if (bom != 0x1a2b3c4d && bom != 0x4d3c2b1a)
				return;
			w->swapped = bom == 0x4d3c2b1a;
		}
		type = rd32(w, d + off);
		len = rd32(w, d + off + 4);
		if (len < 12 || len % 4 || len > n - off)
			return;
		if (off && rd32(w, d + off + len - 4) != len)
			return;
		if (type == 6 || type == 2)
			add(w, off + 28, off + len - 4, false);
		else if (type == 3)
			add(w, off + 12, off + len - 4, true);
		off += len;
	}
	w->clean = off == n;
}

static void walk(const uint8_t *d, size_t n, struct walk *w)
{
	uint32_t m;

	memcpy(&m, d, 4);
	w->swapped = false;
	if (m == 0x0a0d0d0a)
		return walk_pcapng(d, n, w);
	if (__builtin_bswap32(m) == 0xa1b2c3d4 || __builtin_bswap32(m) == 0xa1b23c4d ||
	    __builtin_bswap32(m) == 0xa1b2cd34) {
		w->swapped = true;
		m = __builtin_bswap32(m);
	}
	walk_pcap(d, n, m, w);
}

/* pcapfile's frames against the walk. */
static void check_frames(const uint8_t *d, size_t n, const struct walk *w)
{
	struct pcapfile *r = pcapfile_open(d, n, NAME);
	struct pcapfile_frame f;
	struct pcapfile_err e;
	char want[64];
	uint64_t k = 0;
	int rc;

	if (!r) {
		if (errno != ENOEXEC && errno != ENOMEM)
			abort();
		return;
	}
	while ((rc = pcapfile_next(r, &f, &e)) == 1) {
		const struct rec *x;

		if (k >= w->n || k >= w->cap)
			abort();
		x = &w->v[k++];
		if (f.data != d + x->data || f.caplen > x->end - x->data ||
		    (x->spb && f.caplen > f.len))
			abort();
	}
	snprintf(want, sizeof(want),
		 "couldn't read '" NAME "' after frame %llu: ", (unsigned long long)k);
	if (rc == 0 && (k != w->n || !w->clean))
		abort();
	if (rc < 0 && (e.frame != k || strncmp(e.msg, want, strlen(want)) || e.offset >= n))
		abort();
	if (pcapfile_next(r, &f, &e) != rc) /* the end, or the error, stays */
		abort();
	pcapfile_close(r);
}

/* The same bytes through libpcap. */
static void check_libpcap(const uint8_t *d, size_t n)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcapfile *r = pcapfile_open(d, n, NAME);
	struct pf_cmp c;
	pcap_t *p;

	if (!r)
		return;
	p = pf_cmp_libpcap(d, n, ebuf);
	if (!p) /* pcapfile only takes headers libpcap takes */
		abort();
	if (!pf_cmp_run(r, p, &c) && !pf_cmp_deliberate(&c)) {
		fprintf(stderr, "pcapfile and libpcap differ: %s (pcapfile: %s)\n", c.diff,
			c.err.msg);
		abort();
	}
	pcap_close(p);
	pcapfile_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = {.cap = size / 12 + 1};

	if (size < 4)
		return 0;
	w.v = malloc(w.cap * sizeof(*w.v));
	if (!w.v)
		return 0;
	walk(data, size, &w);
	check_frames(data, size, &w);
	check_libpcap(data, size);
	free(w.v);
	return 0;
}
