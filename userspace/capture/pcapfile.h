/* SPDX-License-Identifier: GPL-2.0 */
/* pcapfile: reads classic pcap and pcapng out of memory (a file mapped
 * read-only), handing out frames that point into it: no copy between the
 * page cache and packet_decode. pcapsrc uses it before libpcap; a file
 * this reader doesn't take is left to libpcap. One mapping can serve any
 * number of readers (the engine's workers).
 *
 * Frames are libpcap's, field for field (nanosecond timestamps included),
 * on every file libpcap reads, with these deliberate differences:
 *  - pcapng: interfaces may differ in link type and snap length, and a
 *    section may have the other byte order (libpcap stops there);
 *  - pcapng: no 16 MiB cap on a block (libpcap's, for its buffer);
 *  - more than PCAPFILE_IF_MAX interfaces in a section is an error.
 * Files whose frames libpcap rewrites (the pseudo-headers of USB, NFLOG,
 * pflog and SocketCAN-in-SLL frames in byte-swapped files, and the
 * lengths of USB_LINUX_MMAPPED frames) are declined, so libpcap reads them.
 */
#ifndef EW_PCAPFILE_H
#define EW_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

#define PCAPFILE_IF_MAX 65536 /* interfaces per pcapng section */

/* A capture file mapped read-only. Immutable once made: readers on any
 * thread may share it. Truncating the file while it is mapped makes
 * reads past the new end fault (SIGBUS), as with any mapping; frames
 * appended after pcapfile_map are not seen. */
struct pcapfile_map {
	const uint8_t *data;
	size_t len;
};

/* Why a read stopped. */
struct pcapfile_err {
	/* "couldn't read 'x.pcapng' after frame 12: block at offset 4096
	 * has length 7 (expected a multiple of 4, at least 12)" */
	char msg[512];
	uint64_t frame;	 /* frames handed out before the damage */
	uint64_t offset; /* where in the file the damage is */
};

/* One frame, pointing into the reader's buffer (valid while the buffer
 * is). */
struct pcapfile_frame {
	const uint8_t *data;
	uint32_t caplen; /* bytes at data */
	uint32_t len;	 /* bytes on the wire */
	uint64_t ts_ns;	 /* ns since the epoch, computed as libpcap does */
	int linktype;	 /* DLT_* (LINKTYPE_* mapped as libpcap maps it) */
	uint32_t ifid;	 /* pcapng: interface in its section; pcap: 0 */
};

struct pcapfile;

/* Maps path read-only into *m. Returns 0, or -errno: -ENODEV for
 * anything but a non-empty regular file (a pipe, /dev/stdin, an empty
 * file: the caller reads those another way), or open/fstat/mmap's error.
 * Release with pcapfile_unmap. */
int pcapfile_map(const char *path, struct pcapfile_map *m);

/* Gives back m's pages before byte upto (rounded down to a page) to the
 * page cache: the process's resident set stops growing with the file,
 * and a reader that touches them again reads them back, the same bytes.
 * Any thread, while m is mapped. */
void pcapfile_map_drop(const struct pcapfile_map *m, size_t upto);

/* Unmaps m (a no-op on a zeroed one) and zeroes it. */
void pcapfile_unmap(struct pcapfile_map *m);

/* Starts reading the len bytes at data, a pcap or pcapng file called
 * name in messages; data and name must outlive the reader. Returns the
 * reader (free with pcapfile_close), or NULL with errno set: ENOEXEC
 * when this isn't a file this reader takes (not pcap or pcapng, a header
 * libpcap would reject or read its own way, a file libpcap rewrites the
 * frames of): hand it to libpcap, which has the right message; ENOMEM. */
struct pcapfile *pcapfile_open(const uint8_t *data, size_t len, const char *name);

/* The link type (DLT_*) of the file, or of its first interface. */
int pcapfile_linktype(const struct pcapfile *r);

/* Where the next record or block starts: the bytes read so far. */
size_t pcapfile_offset(const struct pcapfile *r);

/* Reads the next frame. Returns 1 with *f filled, 0 at the end, or -EIO
 * with *err filled (truncated or corrupt: the frames before the damage
 * were handed out; every later call fails the same way). */
int pcapfile_next(struct pcapfile *r, struct pcapfile_frame *f, struct pcapfile_err *err);

void pcapfile_close(struct pcapfile *r);

#endif
