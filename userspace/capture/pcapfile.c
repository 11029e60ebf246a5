// SPDX-License-Identifier: GPL-2.0
/* pcapfile: capture files mapped read-only -> frames pointing into the
 * mapping, for pcapsrc (and through it the engine's workers, which share
 * one mapping per file). This file: the mapping, the API and classic
 * pcap; pcapfile_ng.c reads pcapng.
 *
 *   pcap:  | file header 24 | rec hdr 16 (24) | frame caplen | rec hdr | ...
 *   rec:   | ts sec | ts usec/nsec | caplen | len | (modified: 8 more) |
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pcapfile_int.h"

#define MAGIC_US   0xa1b2c3d4u
#define MAGIC_NS   0xa1b23c4du
#define MAGIC_KUZ  0xa1b2cd34u /* Kuznetzov's modified format, microseconds */
#define PCAPNG_SHB 0x0a0d0d0au
#define FILE_HDR   24
#define LT_MASK	   0x03ffffffu /* the upper 6 bits carry FCS information */

enum { LEN_AS_IS, LEN_SWAPPED, LEN_MAYBE_SWAPPED };

/* ---- the mapping ---------------------------------------------------------- */

/* No MAP_POPULATE, and MADV_SEQUENTIAL, as measured with `edgeward pcap`
 * on a 330 MB capture (bench/gen_http_capture.py), one worker, medians of
 * 15 (cached) and 9 (dropped) interleaved runs on a busy 2-core machine
 * (docs/benchmarks.md). In the page cache every choice (none,
 * MADV_SEQUENTIAL, MAP_POPULATE, both, MADV_WILLNEED) took the same CPU
 * time, 0.33-0.34 s (libpcap: 0.38 s). With the file dropped from the
 * cache first, MAP_POPULATE took 0.66-0.68 s against 0.44-0.45 s without
 * (libpcap: 0.62 s): it reads the whole file before the first frame
 * instead of overlapping the reading with the work, and it would read a
 * file larger than memory in vain. MADV_SEQUENTIAL (more read-ahead, pages
 * behind reclaimed first) is the advice for a file read once, in order. */
#define MAP_FLAGS MAP_PRIVATE

int pcapfile_map(const char *path, struct pcapfile_map *m)
{
	struct stat st;
	void *p;
	int fd, rc = 0;

	memset(m, 0, sizeof(*m));
	/* stat before open: opening a FIFO would wait for a writer, and
	 * closing it again would cut off the reader libpcap then opens */
	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENODEV;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX / 2) {
		rc = -ENODEV;
		goto out;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_FLAGS, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL); /* advice: failure is harmless */
	m->data = p;
	m->len = (size_t)st.st_size;
out:
	close(fd);
	return rc;
}

void pcapfile_map_drop(const struct pcapfile_map *m, size_t upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	upto = upto < m->len ? upto & ~(page - 1) : m->len;
	/* a private read-only file mapping: the pages go, the file stays */
	if (upto)
		madvise((void *)m->data, upto, MADV_DONTNEED);
}

void pcapfile_unmap(struct pcapfile_map *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	memset(m, 0, sizeof(*m));
}

/* ---- classic pcap ------------------------------------------------------------ */

/* The file header, as libpcap's pcap_check_header takes it; anything it
 * would reject (or read in its own way) is -ENOEXEC, for libpcap. */
static int pcap_open(struct pcapfile *r, uint32_t magic)
{
	uint16_t major, minor;
	uint32_t snaplen;

	if (r->len < FILE_HDR)
		return -ENOEXEC; /* libpcap: "truncated dump file" */
	major = pf_rd16(r, r->buf + 4);
	minor = pf_rd16(r, r->buf + 6);
	if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
		return -ENOEXEC; /* "archaic" or "unsupported pcap savefile version" */
	snaplen = pf_rd32(r, r->buf + 16);
	r->linktype = pf_dlt(pf_rd32(r, r->buf + 20) & LT_MASK);
	if (pf_rewritten(r->linktype, r->swapped))
		return -ENOEXEC;
	r->snapshot = pf_snaplen(r->linktype, snaplen);
	r->nsec = magic == MAGIC_NS;
	r->hdrsize = 16;
	if (magic == MAGIC_KUZ) {
		r->hdrsize = 24;
		/* libpcap assumes a cooked capture with a made-up Ethernet header */
		if (r->linktype == 1)
			r->snapshot = r->snapshot <= INT32_MAX - 14 ? r->snapshot + 14 : INT32_MAX;
	}
	/* caplen and len traded places in 2.3; DG/UX (543.0) kept the old order */
	if (major == 543 || minor < 3)
		r->lengths = LEN_SWAPPED;
	else
		r->lengths = minor == 3 ? LEN_MAYBE_SWAPPED : LEN_AS_IS;
	r->off = FILE_HDR;
	return 0;
}

/* libpcap's time stamp, as pcapsrc computed ns from its struct timeval:
 * seconds and micro- or nanoseconds, not checked against 10^6 or 10^9,
 * from signed 32-bit fields, except that its byte swap makes them
 * unsigned (so sign-extended only in files of our byte order). */
static uint64_t pcap_ts(const struct pcapfile *r, const uint8_t *h)
{
	uint32_t sec = pf_rd32(r, h), frac = pf_rd32(r, h + 4);
	int64_t s = r->swapped ? (int64_t)sec : (int64_t)(int32_t)sec;
	int64_t f = r->swapped ? (int64_t)frac : (int64_t)(int32_t)frac;

	return (uint64_t)s * NS_PER_S + (uint64_t)(r->nsec ? f : f * 1000);
}

static int pcap_next(struct pcapfile *r, struct pcapfile_frame *f)
{
	size_t left = r->len - r->off;
	const uint8_t *h = r->buf + r->off;
	uint32_t caplen, len, max;

	if (left == 0)
		return 0;
	if (left < r->hdrsize)
		return pf_fail(r, r->off,
			       "truncated dump file: record header at offset %zu is cut short (%zu "
			       "of %u bytes)",
			       r->off, left, r->hdrsize);
	caplen = pf_rd32(r, h + 8);
	len = pf_rd32(r, h + 12);
	if (r->lengths == LEN_SWAPPED || (r->lengths == LEN_MAYBE_SWAPPED && caplen > len)) {
		uint32_t t = caplen;

		caplen = len;
		len = t;
	}
	max = pf_snaplen(r->linktype, 0);
	if (caplen > max)
		return pf_fail(r, r->off,
			       "record at offset %zu has caplen %u (more than the %s %u)", r->off,
			       caplen, caplen > r->snapshot ? "snap length" : "maximum",
			       caplen > r->snapshot ? r->snapshot : max);
	if (caplen > left - r->hdrsize)
		return pf_fail(r, r->off,
			       "truncated dump file: record at offset %zu has caplen %u but only "
			       "%zu bytes follow",
			       r->off, caplen, left - r->hdrsize);
	f->data = h + r->hdrsize;
	/* libpcap cuts a frame longer than the snap length down to it */
	f->caplen = caplen > r->snapshot ? r->snapshot : caplen;
	f->len = len;
	f->ts_ns = pcap_ts(r, h);
	f->linktype = r->linktype;
	f->ifid = 0;
	r->off += r->hdrsize + (size_t)caplen;
	return 1;
}

/* ---- the API ------------------------------------------------------------------- */

struct pcapfile *pcapfile_open(const uint8_t *data, size_t len, const char *name)
{
	struct pcapfile *r;
	uint32_t magic;
	int rc = -ENOEXEC;

	if (len < 4) {
		errno = ENOEXEC;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->buf = data;
	r->len = len;
	r->name = name;
	memcpy(&magic, data, 4);
	if (magic == PCAPNG_SHB) {
		r->ng = true;
		rc = pf_ng_open(r);
	} else {
		r->swapped = __builtin_bswap32(magic) == MAGIC_US ||
			     __builtin_bswap32(magic) == MAGIC_NS ||
			     __builtin_bswap32(magic) == MAGIC_KUZ;
		magic = r->swapped ? __builtin_bswap32(magic) : magic;
		if (magic == MAGIC_US || magic == MAGIC_NS || magic == MAGIC_KUZ)
			rc = pcap_open(r, magic);
	}
	if (rc) {
		pcapfile_close(r);
		errno = -rc;
		return NULL;
	}
	return r;
}

int pcapfile_linktype(const struct pcapfile *r)
{
	return r->linktype;
}

int pcapfile_next(struct pcapfile *r, struct pcapfile_frame *f, struct pcapfile_err *err)
{
	int rc;

	if (r->failed) {
		*err = r->err;
		return -EIO;
	}
	rc = r->ng ? pf_ng_next(r, f) : pcap_next(r, f);
	if (rc == 1)
		r->frames++;
	else if (rc < 0)
		*err = r->err;
	return rc;
}

size_t pcapfile_offset(const struct pcapfile *r)
{
	return r->off;
}

void pcapfile_close(struct pcapfile *r)
{
	if (!r)
		return;
	free(r->ifs);
	free(r);
}
