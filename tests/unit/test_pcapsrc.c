// SPDX-License-Identifier: GPL-2.0
/* pcapsrc: captures written with libpcap run through decode, defrag and
 * reasm; counters, the first malformed frame, unreadable and cut files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "ewtest.h"

#include "capture/pcapsrc.h"
#include "unit/capwrite.h"

static void tcp(struct cap *c, int c2s, uint32_t seq, uint32_t ack, uint8_t fl, const char *s)
{
	cap_tcp(c, CLI_IP, CLI_PORT, c2s, seq, ack, fl, s);
}

/* A capture of one HTTP exchange, an ARP frame, a frame with a bad TCP
 * header, and a UDP datagram in two IPv4 fragments. */
static void write_capture(const char *path)
{
	static const uint8_t arp[] = {CAP_ETH_HDR, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1};
	struct cap c;
	uint8_t ip[1600], fr[1600];
	char body[40];
	size_t n;

	cap_open(&c, path, DLT_EN10MB);
	tcp(&c, 1, 100, 0, PKT_SYN, "");
	tcp(&c, 0, 500, 101, PKT_SYN | PKT_ACK, "");
	cap_put(&c, arp, sizeof(arp));
	n = build_v4(ip, 6, CLI_IP, SRV_IP, CLI_PORT, SRV_PORT, 1, 1, PKT_ACK, 0, "", 0);
	ip[32] = 0x30; /* TCP data offset 12 */
	cap_eth(&c, ip, n);
	tcp(&c, 1, 101, 501, PKT_ACK, "GET / HTTP/1.0\r\n\r\n");
	tcp(&c, 0, 501, 119, PKT_ACK | PKT_FIN, "HTTP/1.0 200 OK\r\n\r\nbody");
	tcp(&c, 1, 119, 525, PKT_ACK | PKT_FIN, "");
	memset(body, 'u', sizeof(body));
	n = build_v4(ip, 17, CLI_IP, SRV_IP, 5353, 53, 0, 0, 0, 0, body, 40);
	memcpy(fr, ip, 20); /* first fragment: UDP header + 16 bytes */
	memcpy(fr + 20, ip + 20, 24);
	put16(fr + 2, 44);
	put16(fr + 6, 0x2000);
	cap_eth(&c, fr, 44);
	memcpy(fr + 20, ip + 44, 24); /* second: the last 24 bytes */
	put16(fr + 6, 3);
	cap_eth(&c, fr, 44);
	cap_close(&c);
}

static void run_capture(void **state)
{
	char path[] = "/tmp/ew_test_pcapsrc_XXXXXX";
	struct rec rec = {0};
	struct reasm *r = reasm_new(NULL, &rec_ops, &rec);
	struct capture_stats st = {0};
	struct pcapsrc_err err = {{0}};
	int fd = mkstemp(path);
	struct stat sb;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_capture(path);
	assert_int_equal(run_file(path, r, &st, &err), 0);
	assert_int_equal(st.frames, 9);
	assert_int_equal(st.not_ip, 1);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.bad[PKT_E_TCP], 1);
	assert_string_equal(st.first_bad.msg, "packet 4, offset 34: bad or truncated TCP header");
	assert_int_equal(st.defrag.fragments, 2);
	assert_int_equal(st.defrag.reassembled, 1);
	assert_int_equal(st.decoded, 6); /* 5 TCP + 1 reassembled UDP */
	assert_int_equal(rec.nflows, 2);
	assert_string_equal(rec.flows[0].out[STREAM_C2S], "GET / HTTP/1.0\r\n\r\n<end>");
	assert_string_equal(rec.flows[0].out[STREAM_S2C], "HTTP/1.0 200 OK\r\n\r\nbody<end>");
	assert_int_equal(rec.flows[0].why, STREAM_CLOSE_FIN);
	assert_int_equal(rec.flows[0].fi.first_ts_ns, 1700000000ull * 1000000000ull + 1123);
	assert_int_equal(rec.flows[1].fi.proto, 17);
	assert_int_equal(rec.flows[1].n[STREAM_C2S], 40 + 5); /* + "<end>" */
	assert_int_equal(rec.flows[1].why, STREAM_CLOSE_EOF); /* flushed */

	/* cut in the middle of the last record: what came before still counts */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size - 10), 0);
	memset(&rec, 0, sizeof(rec));
	memset(&st, 0, sizeof(st));
	assert_int_equal(run_file(path, r, &st, &err), -EIO);
	assert_true(strncmp(err.msg, "couldn't read '", 15) == 0);
	assert_non_null(strstr(err.msg, "' after frame "));
	assert_int_equal(st.frames, 8);
	assert_int_equal(rec.flows[0].closed, 1);
	unlink(path);
	reasm_free(r);
}

static void unreadable(void **state)
{
	struct reasm *r = reasm_new(NULL, &rec_ops, &(struct rec){0});
	struct capture_stats st = {0};
	struct pcapsrc_err err;
	char path[] = "/tmp/ew_test_pcapsrc_XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(run_file("/nonexistent/x.pcap", r, &st, &err) < 0);
	assert_true(strncmp(err.msg, "couldn't open '/nonexistent/x.pcap': ", 37) == 0);
	assert_true(write(fd, "not a capture file at all", 25) == 25);
	close(fd);
	assert_true(run_file(path, r, &st, &err) < 0);
	assert_true(strncmp(err.msg, "couldn't open '", 15) == 0);
	assert_int_equal(st.frames, 0);
	unlink(path);
	reasm_free(r);
}

static void unsupported_link_type(void **state)
{
	struct reasm *r = reasm_new(NULL, &rec_ops, &(struct rec){0});
	struct capture_stats st = {0};
	struct pcapsrc_err err;
	char path[] = "/tmp/ew_test_pcapsrc_XXXXXX", want[200];
	int fd = mkstemp(path);
	struct cap c;

	(void)state;
	close(fd);
	cap_open(&c, path, DLT_IEEE802_11);
	cap_close(&c);
	assert_int_equal(run_file(path, r, &st, &err), -ENOTSUP);
	snprintf(want, sizeof(want), "couldn't read '%s': unsupported link type 105 (IEEE802_11)",
		 path);
	assert_string_equal(err.msg, want);
	unlink(path);
	reasm_free(r);
}

/* pcapng (a Zeek trace) through the same path, when the test data is here. */
static void pcapng_file(void **state)
{
	const char *path = ewtest_data("pcaps/http/zeek__zeek-image-1080-80-x.pcapng");
	struct rec rec = {0};
	struct reasm *r;
	struct capture_stats st = {0};
	struct pcapsrc_err err;

	(void)state;
	r = reasm_new(NULL, &rec_ops, &rec);
	assert_int_equal(run_file(path, r, &st, &err), 0);
	assert_int_equal(st.frames, 17);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(rec.nflows, 1);
	assert_int_equal(rec.flows[0].fi.server_port, 80);
	assert_int_equal(rec.flows[0].fi.flags, 0);
	/* 6056 payload bytes from port 80 (tshark: sum of tcp.len), "<end>" */
	assert_int_equal(rec.flows[0].n[STREAM_S2C], 6056 + 5);
	assert_int_equal(rec.flows[0].n[STREAM_C2S], 81 + 5);
	reasm_free(r);
}

/* This process's file-backed resident pages (RssFile), in bytes. */
static size_t rss_file(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssFile: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* A 40 MiB capture read through the mapping: every frame's bytes as
 * written, the mapping's resident pages bounded (pages behind the reader
 * go back to the page cache), and a dropped page read back intact. */
static void long_file_bounded(void **state)
{
	enum { FRAMES = 28000, LEN = 1500 };
	char path[] = "/tmp/ew_test_pcapsrc_XXXXXX";
	static const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	uint8_t frame[LEN];
	size_t base, peak = 0;
	struct pcapsrc_frame fr;
	struct pcapsrc_err err;
	const uint8_t *first = NULL;
	struct pcapsrc *ps;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	(void)state;
	assert_non_null(f);
	fwrite(hdr, sizeof(hdr), 1, f);
	for (uint32_t i = 0; i < FRAMES; i++) {
		uint32_t rec[4] = {i, 0, LEN, LEN};

		memset(frame, (int)(i * 7 + 1), sizeof(frame));
		memcpy(frame, &i, sizeof(i));
		fwrite(rec, sizeof(rec), 1, f);
		fwrite(frame, sizeof(frame), 1, f);
	}
	assert_int_equal(fclose(f), 0);
	base = rss_file();
	ps = pcapsrc_open(path, &err);
	assert_non_null(ps);
	for (uint32_t i = 0; i < FRAMES; i++) {
		assert_int_equal(pcapsrc_next(ps, &fr, &err), 1);
		assert_int_equal(fr.caplen, LEN);
		memset(frame, (int)(i * 7 + 1), sizeof(frame));
		memcpy(frame, &i, sizeof(i));
		assert_memory_equal(fr.data, frame, LEN);
		if (!first)
			first = fr.data;
		if (i % 1000 == 0 && rss_file() > base + peak)
			peak = rss_file() - base;
	}
	assert_int_equal(pcapsrc_next(ps, &fr, &err), 0);
	/* 8 MiB behind the reader, 1 MiB steps, and what read-ahead adds */
	assert_true(peak < (12u << 20));
	memset(frame, 1, sizeof(frame));
	memset(frame, 0, 4);
	assert_memory_equal(first, frame, LEN); /* dropped long ago: read back */
	pcapsrc_close(ps);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_capture),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(unsupported_link_type),
		cmocka_unit_test(pcapng_file),
		cmocka_unit_test(long_file_bounded),
	};
	return ewtest_run(tests);
}
