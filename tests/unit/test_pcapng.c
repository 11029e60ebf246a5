// SPDX-License-Identifier: GPL-2.0
/* pcapng: the exact bytes of SHB, IDB and EPB blocks (little-endian), and
 * the writer's refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "capture/pcapng.h"

static const uint8_t shb[] = {
	0x0a, 0x0d, 0x0d, 0x0a, 44,   0,    0,	  0,	/* type, total length */
	0x4d, 0x3c, 0x2b, 0x1a, 1,    0,    0,	  0,	/* byte-order magic, v1.0 */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* length unknown */
	4,    0,    8,	  0,	'e',  'd',  'g',  'e',	'w', 'a', 'r', 'd', /* shb_userappl */
	0,    0,    0,	  0,	44,   0,    0,	  0, /* opt_endofopt, length */
};

static const uint8_t idb_eth0[] = {
	1, 0, 0, 0, 40,	 0,   0,   0,	1, 0, 0, 0, 0x40, 0x06, 0, 0, /* Ethernet, snaplen 1600 */
	2, 0, 4, 0, 'e', 't', 'h', '0',				      /* if_name */
	9, 0, 1, 0, 9,	 0,   0,   0,				      /* if_tsresol: 10^-9 */
	0, 0, 0, 0, 40,	 0,   0,   0,
};

static const uint8_t idb_veth[] = {
	1, 0, 0, 0, 44,	 0,   0,   0,	1,   0,	  0,   0, 0x00, 0x01, 0, 0, /* snaplen 256 */
	2, 0, 7, 0, 'v', 'e', 't', 'h', '-', 'a', '1', 0,		    /* padded */
	9, 0, 1, 0, 9,	 0,   0,   0,	0,   0,	  0,   0, 44,	0,    0, 0,
};

/* interface 1, ts 1700000000123456789 ns, 5 of 60 bytes */
static const uint8_t epb[] = {
	6,    0,    0,	  0,	40,   0,    0,	  0,	1,    0,
	0,    0,    0xfe, 0x9c, 0x97, 0x17, 0x15, 0xcd, 0x85, 0x3d, /* ts high, low */
	5,    0,    0,	  0,	60,   0,    0,	  0,	0xaa, 0xbb,
	0xcc, 0xdd, 0xee, 0,	0,    0,    40,	  0,	0,    0,
};

static void whole_file(void **state)
{
	static const uint8_t pkt[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapng *w;

	(void)state;
	w = pcapng_open(f);
	assert_non_null(w);
	assert_int_equal(pcapng_add_interface(w, "eth0", 1600), 0);
	assert_int_equal(pcapng_add_interface(w, "veth-a1", 256), 1);
	assert_int_equal(pcapng_write_packet(w, 1, 1700000000123456789ull, pkt, 5, 60), 0);
	assert_int_equal(pcapng_close(w), 0);
	fclose(f);
	assert_int_equal(len, sizeof(shb) + sizeof(idb_eth0) + sizeof(idb_veth) + sizeof(epb));
	assert_memory_equal(buf + off, shb, sizeof(shb));
	off += sizeof(shb);
	assert_memory_equal(buf + off, idb_eth0, sizeof(idb_eth0));
	off += sizeof(idb_eth0);
	assert_memory_equal(buf + off, idb_veth, sizeof(idb_veth));
	off += sizeof(idb_veth);
	assert_memory_equal(buf + off, epb, sizeof(epb));
	free(buf);
}

static void aligned_packet(void **state)
{
	static const uint8_t pkt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapng *w = pcapng_open(f);

	(void)state;
	assert_int_equal(pcapng_add_interface(w, "eth0", 1600), 0);
	assert_int_equal(pcapng_write_packet(w, 0, 0, pkt, 8, 8), 0);
	assert_int_equal(pcapng_close(w), 0);
	fclose(f);
	/* No padding after 8 bytes: 32 bytes of framing + 8 of data. */
	assert_int_equal(len, sizeof(shb) + sizeof(idb_eth0) + 40);
	assert_memory_equal(buf + len - 12, "\x01\x02\x03\x04\x05\x06\x07\x08\x28\0\0\0", 12);
	free(buf);
}

static void refusals(void **state)
{
	static const uint8_t pkt[4];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapng *w = pcapng_open(f);

	(void)state;
	assert_int_equal(pcapng_write_packet(w, 0, 0, pkt, 4, 4), -EINVAL);
	assert_int_equal(pcapng_add_interface(w, "", 1600), -EINVAL);
	assert_int_equal(pcapng_add_interface(w, "eth0", 1600), 0);
	assert_int_equal(pcapng_write_packet(w, 1, 0, pkt, 4, 4), -EINVAL);
	assert_int_equal(pcapng_write_packet(w, 0, 0, pkt, 4, 3), -EINVAL);
	assert_int_equal(pcapng_close(w), 0);
	fclose(f);
	assert_int_equal(len, sizeof(shb) + sizeof(idb_eth0));
	free(buf);
}

static void write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct pcapng *w;

	(void)state;
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	w = pcapng_open(f);
	assert_null(w);
	assert_int_equal(errno, ENOSPC);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_file),
		cmocka_unit_test(aligned_packet),
		cmocka_unit_test(refusals),
		cmocka_unit_test(write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
