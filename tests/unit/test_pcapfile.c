// SPDX-License-Identifier: GPL-2.0
/* pcapfile: the mapped reader against libpcap, frame by frame, on every
 * shared capture and on crafted ones (each byte order, micro/nano, the
 * modified format, pcapng options, SPB, PB, sections), cut at every byte
 * and with every byte flipped; then what pcapfile does where libpcap
 * stops, its messages, and the files it leaves to libpcap. Exits 77 when
 * the shared test data is missing (after running everything else). */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "capture/pcapsrc.h"
#include "pcapfile_cmp.h"
#include "unit/capbuild.h"

#define NS_PER_S 1000000000ull

#define NAME "t.cap"

/* ---- comparing ----------------------------------------------------------------- */

/* pcapfile and libpcap over n bytes: returns 1 when they agree, 0 when
 * pcapfile declined (errno ENOEXEC: libpcap reads it), failing the test on
 * any other difference unless `deliberate` lets libpcap stop first. */
static int compare(const uint8_t *d, size_t n, bool deliberate, struct pf_cmp *c)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapfile *r = pcapfile_open(d, n, NAME);
	int why = errno;
	pcap_t *p = n ? pf_cmp_libpcap(d, n, ebuf) : NULL;
	bool same;

	if (!r) {
		assert_int_equal(why, ENOEXEC);
		if (p)
			pcap_close(p);
		return 0;
	}
	if (!p)
		fail_msg("%zu bytes: pcapfile took a file libpcap refuses: %s", n, ebuf);
	same = pf_cmp_run(r, p, c);
	if (!same && !(deliberate && pf_cmp_deliberate(c)))
		fail_msg("%zu bytes: %s (pcapfile: %s)", n, c->diff, c->err.msg);
	if (c->ours < 0) { /* the message names the file, the frames before, an offset */
		char want[64];

		snprintf(want, sizeof(want), "couldn't read '" NAME "' after frame %llu: ",
			 (unsigned long long)c->err.frame);
		assert_true(same ? c->err.frame == c->same : c->err.frame >= c->same);
		assert_true(strncmp(c->err.msg, want, strlen(want)) == 0);
		assert_non_null(strstr(c->err.msg, "offset "));
		assert_true(c->err.offset < n);
	}
	pcap_close(p);
	pcapfile_close(r);
	return 1;
}

/* The whole file agrees and ends cleanly with `frames` frames; cut at
 * every byte it still agrees (pcapfile may decline only inside the
 * headers, the first hdr_end bytes). */
static void compare_cuts(const struct buf *b, uint64_t frames, size_t hdr_end)
{
	struct pf_cmp c;

	assert_int_equal(compare(b->d, b->n, false, &c), 1);
	assert_int_equal(c.same, frames);
	assert_int_equal(c.ours, 0);
	for (size_t cut = 0; cut < b->n; cut++)
		if (!compare(b->d, cut, false, &c) && cut >= hdr_end)
			fail_msg("cut at %zu: declined past the headers", cut);
}

/* Every byte flipped (three ways): agrees, or libpcap stops where
 * pcapfile deliberately goes on. */
static void compare_flips(const struct buf *b)
{
	static const uint8_t x[] = {0xff, 0x01, 0x80};
	uint8_t d[sizeof(b->d)];
	struct pf_cmp c;

	for (size_t i = 0; i < b->n; i++)
		for (size_t k = 0; k < sizeof(x); k++) {
			memcpy(d, b->d, b->n);
			d[i] ^= x[k];
			compare(d, b->n, true, &c);
		}
}

/* ---- the shared captures ------------------------------------------------------- */

static const char *testdata(void)
{
	static char dir[4096];
	const char *env = getenv("EW_TESTDATA");
	char probe[4200];

	snprintf(dir, sizeof(dir), "%s", env ? env : "../shared/testdata");
	snprintf(probe, sizeof(probe), "%s/pcaps/expected.json", dir);
	return access(probe, R_OK) ? NULL : dir;
}

static bool capture_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && !strcmp(n + l - 5, ".pcap")) || (l > 7 && !strcmp(n + l - 7, ".pcapng")) ||
	       (l > 4 && !strcmp(n + l - 4, ".cap"));
}

/* One capture file: mapped and taken by pcapfile, and the same as what
 * libpcap reads from the file. */
static uint64_t compare_file(const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapfile_map m;
	struct pcapfile *r;
	struct pf_cmp c;
	pcap_t *p;

	assert_int_equal(pcapfile_map(path, &m), 0);
	r = pcapfile_open(m.data, m.len, path);
	if (!r)
		fail_msg("'%s': not taken by pcapfile (%s)", path, strerror(errno));
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p)
		fail_msg("'%s': libpcap: %s", path, ebuf);
	if (!pf_cmp_run(r, p, &c))
		fail_msg("'%s': %s (pcapfile: %s)", path, c.diff, c.err.msg);
	pcap_close(p);
	pcapfile_close(r);
	pcapfile_unmap(&m);
	return c.same;
}

static int compare_dir(const char *dir, uint64_t *frames)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4500];
	int files = 0;

	if (!d)
		fail_msg("'%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!capture_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		*frames += compare_file(path);
		files++;
	}
	closedir(d);
	return files;
}

static void testdata_as_libpcap(void **state)
{
	static const char *const dirs[] = {"pcaps/http", "pcaps/evader", "ndpi/pcaps"};
	const char *td = testdata();
	uint64_t frames = 0;
	char dir[4200];
	int files = 0;

	(void)state;
	if (!td)
		skip();
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int n;

		snprintf(dir, sizeof(dir), "%s/%s", td, dirs[i]);
		n = compare_dir(dir, &frames);
		assert_true(n > 0);
		files += n;
	}
	printf("  %d captures, %llu frames: the same from pcapfile and libpcap\n", files,
	       (unsigned long long)frames);
}

/* ---- crafted captures, compared ----------------------------------------------------- */

static void linktypes_as_libpcap(void **state)
{
	struct buf b;
	struct pf_cmp c;

	(void)state;
	for (uint32_t lt = 0; lt < 70000; lt += lt < 65536 ? 1 : 997) {
		uint32_t stored = lt < 65536 ? lt : lt | 0x84000000u; /* FCS bits */

		b.n = 0;
		pc_hdr(&b, false, 0xa1b2c3d4, 2, 4, 100, stored);
		pc_rec(&b, 1, 2, 10, 10, false);
		if (lt == 220) { /* USB_LINUX_MMAPPED: libpcap rewrites lengths */
			assert_int_equal(compare(b.d, b.n, false, &c), 0);
			continue;
		}
		assert_int_equal(compare(b.d, b.n, false, &c), 1);
		assert_int_equal(c.same, 1);
	}
}

/* Classic pcap in each byte order, micro- and nanoseconds, and the
 * modified format. */
static void pcap_variants(void **state)
{
	static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34};

	(void)state;
	for (int be = 0; be < 2; be++)
		for (size_t m = 0; m < 3; m++) {
			struct buf b = {.n = 0};
			bool kuz = m == 2;

			pc_hdr(&b, be, magics[m], 2, 4, 96, 1);
			pc_rec(&b, 1700000000, 999999, 60, 60, kuz);
			pc_rec(&b, 0x80000001u, 0xfffffff0u, 0, 40, kuz); /* 2038+; signed? */
			pc_rec(&b, 5, 1000000001, 100, 1500, kuz);	  /* cut to 96 (+14) */
			pc_rec(&b, 6, 7, 40, 20, kuz);			  /* caplen > len */
			compare_cuts(&b, 4, 24);
			compare_flips(&b);
		}
}

/* Old versions: caplen and len interchanged (2.2, 543.0), or maybe (2.3). */
static void pcap_versions(void **state)
{
	static const uint16_t v[][2] = {{2, 2}, {2, 3}, {543, 0}, {2, 0}};
	struct pf_cmp c;
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool swapped = v[i][0] == 543 || v[i][1] < 3;

		b.n = 0;
		pc_hdr(&b, i % 2, 0xa1b2c3d4, v[i][0], v[i][1], 0, 101);
		pc_rec(&b, 1, 2, 30, 30, false);
		pc_rec_n(&b, 1, 2, 30, 80, swapped ? 80 : 30, false);
		pc_rec_n(&b, 1, 2, 80, 30, v[i][1] == 4 ? 80 : 30, false);
		compare_cuts(&b, 3, 24);
	}
	b.n = 0; /* larger than libpcap takes: both stop after frame 1 */
	pc_hdr(&b, false, 0xa1b2c3d4, 2, 4, 0, 1);
	pc_rec(&b, 1, 2, 20, 20, false);
	pc_rec(&b, 1, 2, 262145, 262145, false);
	assert_int_equal(compare(b.d, b.n, false, &c), 1);
	assert_int_equal(c.same, 1);
	assert_true(c.ours < 0);
	assert_non_null(strstr(c.err.msg, "record at offset 60 has caplen 262145 (more than the "));
}

/* pcapng: options of every kind, PB, SPB, skipped blocks, two sections
 * of one byte order and link type (what libpcap reads too). */
static void pcapng_variants(void **state)
{
	static const int res[] = {-1, 9, 3, 0x80 | 20, 0x80 | 40, 19, 0};

	(void)state;
	for (int be = 0; be < 2; be++)
		for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
			struct buf b = {.n = 0};
			size_t hdr_end;

			ng_shb(&b, be);
			ng_other(&b, 4, 12); /* a name resolution block, skipped */
			ng_idb(&b, 1, 200, res[i], i % 2 ? -3600 : 0);
			hdr_end = b.n;
			ng_pkt(&b, 6, 0, 0x17d8a7b3c4d5e6f7ull, 60, 60);
			ng_idb(&b, 1, 200, 6, 7);
			ng_pkt(&b, 2, 1, 1700000000123456ull, 33, 90);
			ng_spb(&b, 300, 200); /* cut to the snap length */
			ng_other(&b, 5, 8);   /* statistics */
			ng_shb(&b, be);
			ng_idb(&b, 1, 200, res[i], 0);
			ng_pkt(&b, 6, 0, ~0ull, 0, 10);
			ng_spb(&b, 10, 10);
			compare_cuts(&b, 5, hdr_end);
			if (i < 3)
				compare_flips(&b);
		}
}

/* ---- where libpcap stops: pcapfile on its own ------------------------------------------ */

struct want {
	uint64_t ts_ns;
	uint32_t caplen, len, ifid;
	int linktype;
};

/* Reads all of b, checking each frame; returns pcapfile_next's last rc. */
static int read_all(const struct buf *b, const struct want *w, size_t n, struct pcapfile_err *e)
{
	struct pcapfile *r = pcapfile_open(b->d, b->n, NAME);
	struct pcapfile_frame f;
	size_t i = 0;
	int rc;

	assert_non_null(r);
	while ((rc = pcapfile_next(r, &f, e)) == 1) {
		assert_true(i < n);
		assert_int_equal(f.ts_ns, w[i].ts_ns);
		assert_int_equal(f.caplen, w[i].caplen);
		assert_int_equal(f.len, w[i].len);
		assert_int_equal(f.ifid, w[i].ifid);
		assert_int_equal(f.linktype, w[i].linktype);
		assert_true(f.data > b->d && f.data + f.caplen <= b->d + b->n);
		i++;
	}
	assert_int_equal(i, n);
	pcapfile_close(r);
	return rc;
}

/* libpcap's verdict on b: an error that starts with msg. */
static void libpcap_stops(const struct buf *b, const char *msg)
{
	struct pf_cmp c;

	assert_int_equal(compare(b->d, b->n, true, &c), 1);
	assert_true(pf_cmp_deliberate(&c));
	if (strncmp(c.pcap_msg, msg, strlen(msg)))
		fail_msg("libpcap: %s", c.pcap_msg);
}

/* Three interfaces of different link types, snap lengths, resolutions
 * (ns, 2^-1 s with an offset, s) and an SPB: libpcap stops at the second. */
static void pcapng_links(void **state)
{
	static const uint64_t s0 = 1700000000ull;
	static const struct want w[] = {
		{s0 * NS_PER_S + 123456789, 50, 50, 0, 1},
		{(s0 - 7200) * NS_PER_S + 500000000, 40, 40, 1, 12},
		{(s0 - 7200) * NS_PER_S, 64, 99, 1, 12},
		{3 * NS_PER_S, 30, 30, 2, 113},
		{0, 30, 30, 0, 1},
	};
	struct buf b = {.n = 0};
	struct pcapfile_err e;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, 9, 0);
	ng_idb(&b, 101, 64, 0x80 | 1, -7200); /* LINKTYPE_RAW: DLT_RAW 12 */
	ng_idb(&b, 113, 1000, 0, 0);
	ng_pkt(&b, 6, 0, s0 * NS_PER_S + 123456789, 50, 50);
	ng_pkt(&b, 6, 1, s0 * 2 + 1, 40, 40);
	ng_pkt(&b, 2, 1, s0 * 2, 64, 99);
	ng_pkt(&b, 6, 2, 3, 30, 30);
	ng_spb(&b, 30, 30);
	assert_int_equal(read_all(&b, w, 5, &e), 0);
	libpcap_stops(&b, "an interface has a type 101 ");

	b.n = 0; /* same link type, other snap length */
	ng_shb(&b, true);
	ng_idb(&b, 1, 100, -1, 0);
	ng_idb(&b, 1, 50, -1, 0);
	ng_pkt(&b, 6, 1, 1, 50, 60);
	libpcap_stops(&b, "an interface has a snapshot length 50 ");
}

/* A second section in the other byte order, with its own interfaces. */
static void pcapng_sections(void **state)
{
	static const struct want w[] = {
		{77, 20, 20, 0, 1},
		{5 * NS_PER_S + 6000, 21, 22, 0, 12},
		{0, 32, 300, 0, 12},
		{88000000, 10, 10, 1, 1}, /* 88 ms */
	};
	struct buf b = {.n = 0};
	struct pcapfile_err e;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, 9, 0);
	ng_pkt(&b, 6, 0, 77, 20, 20);
	ng_shb(&b, true);
	ng_idb(&b, 101, 32, -1, 0);
	ng_idb(&b, 1, 0, 3, 0);
	ng_pkt(&b, 6, 0, 5000006, 21, 22);
	ng_spb(&b, 300, 32);
	ng_pkt(&b, 6, 1, 88, 10, 10);
	assert_int_equal(read_all(&b, w, 4, &e), 0);
	/* libpcap reads the section's length in the old order first */
	libpcap_stops(&b, "pcapng block size 671088640 > maximum ");
}

/* pcapng damage: libpcap stops at the same frame; the messages. */
static void expect_error(struct buf *b, uint64_t frames, const char *msg)
{
	char want[512];
	struct pf_cmp c;

	assert_int_equal(compare(b->d, b->n, false, &c), 1);
	assert_int_equal(c.same, frames);
	assert_int_equal(c.ours, -EIO);
	snprintf(want, sizeof(want), "couldn't read '" NAME "' after frame %llu: %s",
		 (unsigned long long)frames, msg);
	assert_string_equal(c.err.msg, want);
}

static size_t ng_start(struct buf *b, uint32_t snap)
{
	b->n = 0;
	ng_shb(b, false);
	ng_idb(b, 1, snap, -1, 0);
	ng_pkt(b, 6, 0, 1, 20, 20);
	return b->n;
}

static void pcapng_damage(void **state)
{
	static const uint32_t lens[] = {7, 8, 13, 0};
	struct buf b;
	char msg[200];
	size_t at;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		at = ng_start(&b, 0);
		put32(&b, 6);
		put32(&b, lens[i]);
		put32(&b, lens[i]);
		snprintf(
			msg, sizeof(msg),
			"block at offset %zu has length %u (expected a multiple of 4, at least 12)",
			at, lens[i]);
		expect_error(&b, 1, msg);
	}
	at = ng_start(&b, 64);
	ng_pkt(&b, 6, 0, 2, 100, 100);
	snprintf(msg, sizeof(msg),
		 "packet block at offset %zu has caplen 100 (more than the snap length 64)", at);
	expect_error(&b, 1, msg);
	at = ng_start(&b, 0);
	ng_pkt(&b, 6, 0, 2, 40, 40);
	b.d[at + 20] = 60; /* caplen 60 in a block holding 40 */
	snprintf(msg, sizeof(msg), "packet block at offset %zu has caplen 60 but holds 40 bytes",
		 at);
	expect_error(&b, 1, msg);
	at = ng_start(&b, 0);
	ng_pkt(&b, 6, 3, 2, 40, 40);
	snprintf(msg, sizeof(msg),
		 "packet block at offset %zu names interface 3, but its section has 1", at);
	expect_error(&b, 1, msg);
	at = ng_start(&b, 0);
	ng_other(&b, 99, 8);
	b.d[b.n - 4] = 24; /* trailer */
	snprintf(msg, sizeof(msg),
		 "block at offset %zu has length 20 in its header but 24 in its trailer", at);
	expect_error(&b, 1, msg);
	at = ng_start(&b, 0);
	ng_other(&b, 99, 8);
	b.n -= 3;
	snprintf(
		msg, sizeof(msg),
		"truncated dump file: block at offset %zu has length 20 but only 17 bytes are left",
		at);
	expect_error(&b, 1, msg);
}

/* ---- files: mapped, shared, or left to libpcap ------------------------------------------- */

static void write_file(const char *path, const void *d, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_true(write(fd, d, n) == (ssize_t)n);
	close(fd);
}

/* pcapsrc's message for path is "couldn't open 'path': " and libpcap's. */
static void libpcap_message(const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", want[600];
	struct pcapsrc_err err;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);

	assert_null(p);
	assert_null(pcapsrc_open(path, &err));
	snprintf(want, sizeof(want), "couldn't open '%s': %s", path, ebuf);
	assert_string_equal(err.msg, want);
}

static void left_to_libpcap(void **state)
{
	static const char text[] = "not a capture file at all, just words\n";
	char path[] = "/tmp/ew_test_pcapfile_XXXXXX";
	struct pcapfile_map m;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pcapfile_map(path, &m), -ENODEV); /* empty */
	libpcap_message(path);
	write_file(path, text, sizeof(text) - 1);
	assert_int_equal(pcapfile_map(path, &m), 0);
	assert_null(pcapfile_open(m.data, m.len, path));
	assert_int_equal(errno, ENOEXEC);
	pcapfile_unmap(&m);
	assert_null(m.data);
	libpcap_message(path);
	unlink(path);
	assert_int_equal(pcapfile_map("/nonexistent/x.pcap", &m), -ENOENT);
	assert_int_equal(pcapfile_map("/dev/null", &m), -ENODEV);
}

/* A FIFO goes to libpcap (and pcapfile_map doesn't open it: that would
 * wait for the writer). */
static void fifo(void **state)
{
	char dir[] = "/tmp/ew_test_pcapfile_XXXXXX", path[64];
	struct pcapsrc_frame f;
	struct pcapsrc_err err;
	struct pcapfile_map m;
	struct pcapsrc *s;
	struct buf b = {.n = 0};
	int n = 0, status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pcapfile_map(path, &m), -ENODEV);
	pc_hdr(&b, false, 0xa1b2c3d4, 2, 4, 0, 1);
	pc_rec(&b, 1, 2, 60, 60, false);
	pc_rec(&b, 1, 3, 60, 60, false);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		write_file(path, b.d, b.n);
		_exit(0);
	}
	s = pcapsrc_open(path, &err);
	assert_non_null(s);
	while (pcapsrc_next(s, &f, &err) == 1)
		n++;
	assert_int_equal(n, 2);
	pcapsrc_close(s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	rmdir(dir);
}

/* Two sources on one mapping, and one on its own: the same frames, the
 * shared ones pointing into the mapping. */
static void shared_map(void **state)
{
	char path[] = "/tmp/ew_test_pcapfile_XXXXXX";
	struct pcapsrc_frame f[3];
	struct pcapsrc_err err;
	struct pcapsrc *s[3];
	struct pcapfile_map m;
	struct buf b = {.n = 0};
	int fd = mkstemp(path), rc[3];

	(void)state;
	close(fd);
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, 9, 0);
	for (int i = 0; i < 5; i++)
		ng_pkt(&b, 6, 0, 1000 + i, 40 + i, 60);
	write_file(path, b.d, b.n);
	assert_int_equal(pcapfile_map(path, &m), 0);
	s[0] = pcapsrc_open_map(path, &m, &err);
	s[1] = pcapsrc_open_map(path, &m, &err);
	s[2] = pcapsrc_open(path, &err);
	do {
		for (int i = 0; i < 3; i++)
			rc[i] = pcapsrc_next(s[i], &f[i], &err);
		assert_int_equal(rc[0], rc[1]);
		assert_int_equal(rc[0], rc[2]);
		if (rc[0] != 1)
			break;
		assert_ptr_equal(f[0].data, f[1].data);
		assert_true(f[0].data > m.data && f[0].data + f[0].caplen <= m.data + m.len);
		assert_int_equal(f[0].caplen, f[2].caplen);
		assert_int_equal(f[0].ts_ns, f[2].ts_ns);
		assert_memory_equal(f[0].data, f[2].data, f[0].caplen);
	} while (1);
	assert_int_equal(rc[0], 0);
	assert_int_equal(f[0].num, 5);
	for (int i = 0; i < 3; i++)
		pcapsrc_close(s[i]);
	pcapfile_unmap(&m);
	unlink(path);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(testdata_as_libpcap), cmocka_unit_test(linktypes_as_libpcap),
	cmocka_unit_test(pcap_variants),       cmocka_unit_test(pcap_versions),
	cmocka_unit_test(pcapng_variants),     cmocka_unit_test(pcapng_links),
	cmocka_unit_test(pcapng_sections),     cmocka_unit_test(pcapng_damage),
	cmocka_unit_test(left_to_libpcap),     cmocka_unit_test(fifo),
	cmocka_unit_test(shared_map),
};

int main(void)
{
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	if (!failed && !testdata()) {
		printf("skipped: no test data at ../shared/testdata (set EW_TESTDATA)\n");
		return 77;
	}
	return failed;
}
