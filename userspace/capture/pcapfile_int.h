/* SPDX-License-Identifier: GPL-2.0 */
/* pcapfile's insides, shared by its two readers: classic pcap
 * (pcapfile.c, which also holds the API) and pcapng (pcapfile_ng.c).
 * Not for other files. */
#ifndef EW_PCAPFILE_INT_H
#define EW_PCAPFILE_INT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pcapfile.h"

#define NS_PER_S 1000000000ull

/* A pcapng interface: how to read its frames' lengths and times. */
struct pf_if {
	int linktype;	  /* DLT_* */
	uint32_t snaplen; /* adjusted as libpcap does (pf_snaplen) */
	uint64_t tsresol; /* time units per second */
	int64_t tsoffset; /* seconds added to every time stamp */
	bool binary;	  /* tsresol is a power of 2 */
};

struct pcapfile {
	const uint8_t *buf; /* the whole file */
	size_t len;
	size_t off; /* the next record or block */
	const char *name;
	uint64_t frames; /* handed out */
	bool ng;
	bool swapped; /* the file's (section's) byte order isn't ours */
	bool failed;  /* err holds why; every later call fails */
	int linktype; /* of the file, or of the first interface */
	/* classic pcap */
	uint32_t snapshot;
	uint32_t hdrsize; /* 16, or 24 for the modified (Kuznetzov) format */
	uint8_t lengths;  /* LEN_* in pcapfile.c: caplen and len interchanged? */
	bool nsec;
	/* pcapng: the interfaces of the current section */
	struct pf_if *ifs;
	uint32_t n_if, cap_if;
	struct pcapfile_err err;
};

static inline uint16_t pf_rd16(const struct pcapfile *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swapped ? __builtin_bswap16(v) : v;
}

static inline uint32_t pf_rd32(const struct pcapfile *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swapped ? __builtin_bswap32(v) : v;
}

static inline uint64_t pf_rd64(const struct pcapfile *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return r->swapped ? __builtin_bswap64(v) : v;
}

/* Records why reading stopped at byte off ("couldn't read 'name' after
 * frame N: " and the reason) and returns -EIO. */
__attribute__((format(printf, 3, 4))) static inline int pf_fail(struct pcapfile *r, size_t off,
								const char *fmt, ...)
{
	struct pcapfile_err *e = &r->err;
	va_list ap;
	int n;

	e->frame = r->frames;
	e->offset = off;
	n = snprintf(e->msg, sizeof(e->msg), "couldn't read '%s' after frame %llu: ", r->name,
		     (unsigned long long)r->frames);
	if (n >= 0 && (size_t)n < sizeof(e->msg)) {
		va_start(ap, fmt);
		vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->failed = true;
	return -EIO;
}

/* LINKTYPE_* as stored in files -> DLT_*, as libpcap 1.10 maps them on
 * Linux (checked against it for every 16-bit value by test_pcapfile). */
static inline int pf_dlt(uint32_t linktype)
{
	switch (linktype) {
	case 100:
		return 11; /* ATM_RFC1483 */
	case 101:
		return 12; /* RAW */
	case 102:
		return 15; /* SLIP_BSDOS */
	case 103:
		return 16; /* PPP_BSDOS */
	case 106:
		return 19; /* ATM_CLIP */
	default:
		return (int)linktype;
	}
}

/* The snap length libpcap gives an interface: its own, unless 0 or past
 * the largest frame libpcap accepts for the link type. */
static inline uint32_t pf_snaplen(int dlt, uint32_t snaplen)
{
	uint32_t max = 262144; /* libpcap's MAXIMUM_SNAPLEN */

	if (dlt == 231) /* DBUS */
		max = 128u << 20;
	else if (dlt == 279) /* EBHSCR */
		max = 8u << 20;
	else if (dlt == 249) /* USBPCAP */
		max = 1u << 20;
	return snaplen == 0 || snaplen > max ? max : snaplen;
}

/* Link types whose frames libpcap rewrites: the lengths of USB_LINUX_MMAPPED
 * always; in byte-swapped files, the host-order pseudo-headers of pflog,
 * Linux SLL/SLL2 (SocketCAN), USB and NFLOG. We hand out the file's bytes
 * untouched, so those files are left to libpcap. */
static inline bool pf_rewritten(int dlt, bool swapped)
{
	if (dlt == 220)
		return true;
	return swapped && (dlt == 113 || dlt == 117 || dlt == 189 || dlt == 239 || dlt == 276);
}

/* pcapfile_ng.c: r->buf holds a pcapng file (it starts with a section
 * header). Reads up to its first interface; returns 0 or -ENOEXEC (leave
 * it to libpcap, which has the message, or is the better judge). */
int pf_ng_open(struct pcapfile *r);

/* The next pcapng frame: 1, 0 at the end, or pf_fail's -EIO. */
int pf_ng_next(struct pcapfile *r, struct pcapfile_frame *f);

#endif
