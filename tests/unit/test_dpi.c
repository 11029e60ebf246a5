// SPDX-License-Identifier: GPL-2.0
/* classify/dpi: packets without payload held until the first payload (or
 * the result) and replayed, and nDPI's state packed between packets, give
 * nDPI's results exactly as every packet given as it comes to a plain
 * state does (dpi_test_plain); the result is kept after
 * nDPI's state is gone, and a flow whose detection ended ignores packets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "classify/dpi.h"

#define T0 1700000000000000000ull /* ns */

struct pkt {
	uint8_t b[256];
	size_t len;
	uint64_t ts;
};

/* An IPv4 datagram of proto from 10.0.0.1:sport (c2s) or the reverse;
 * checksums are left zero (nDPI does not check them). */
static void ip4(struct pkt *p, uint8_t proto, bool c2s, uint16_t sport, uint16_t dport,
		uint8_t flags, uint32_t seq, uint32_t ack, const char *payload, uint64_t ts)
{
	static const uint8_t cli[4] = {10, 0, 0, 1}, srv[4] = {192, 0, 2, 80};
	size_t l4 = proto == IPPROTO_TCP ? 20 : 8, n = payload ? strlen(payload) : 0;
	uint8_t *h = p->b, *t = p->b + 20;
	uint16_t sp = htons(c2s ? sport : dport), dp = htons(c2s ? dport : sport);

	memset(p, 0, sizeof(*p));
	p->len = 20 + l4 + n;
	assert_true(p->len <= sizeof(p->b));
	h[0] = 0x45;
	h[2] = (uint8_t)(p->len >> 8);
	h[3] = (uint8_t)p->len;
	h[6] = 0x40;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, c2s ? cli : srv, 4);
	memcpy(h + 16, c2s ? srv : cli, 4);
	memcpy(t, &sp, 2);
	memcpy(t + 2, &dp, 2);
	if (proto == IPPROTO_TCP) {
		uint32_t s = htonl(seq), a = htonl(ack);

		memcpy(t + 4, &s, 4);
		memcpy(t + 8, &a, 4);
		t[12] = 5 << 4;
		t[13] = flags;
		t[14] = 0xff;
		t[15] = 0xff;
	} else {
		t[4] = (uint8_t)((8 + n) >> 8);
		t[5] = (uint8_t)(8 + n);
	}
	memcpy(t + l4, payload ? payload : "", n);
	p->ts = ts;
}

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08

static const char get[] = "GET /a HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: t\r\n\r\n";
static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n";

/* A TCP handshake (3 packets), then `acks` more pure ACKs, then (with
 * request) the GET and its response. Returns the packet count. */
static size_t http_flow(struct pkt *p, unsigned acks, bool request)
{
	size_t n = 0;
	uint64_t ts = T0;

	ip4(&p[n++], IPPROTO_TCP, true, 40000, 80, SYN, 100, 0, NULL, ts += 1000000);
	ip4(&p[n++], IPPROTO_TCP, false, 40000, 80, SYN | ACK, 500, 101, NULL, ts += 1000000);
	ip4(&p[n++], IPPROTO_TCP, true, 40000, 80, ACK, 101, 501, NULL, ts += 1000000);
	for (unsigned i = 0; i < acks; i++)
		ip4(&p[n++], IPPROTO_TCP, i % 2, 40000, 80, ACK, i % 2 ? 101 : 501,
		    i % 2 ? 501 : 101, NULL, ts += 1000000);
	if (request) {
		ip4(&p[n++], IPPROTO_TCP, true, 40000, 80, PSH | ACK, 101, 501, get, ts += 1000000);
		ip4(&p[n++], IPPROTO_TCP, false, 40000, 80, PSH | ACK, 501,
		    101 + (uint32_t)strlen(get), ok, ts += 1000000);
	}
	return n;
}

/* A DNS query and its answer for www.example.org (no packet to hold). */
static size_t dns_flow(struct pkt *p)
{
	static const char q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				"\x03www\x07\x65xample\x03org\x00\x00\x01\x00\x01";
	static const char a[] = "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
				"\x03www\x07\x65xample\x03org\x00\x00\x01\x00\x01"
				"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01";

	ip4(&p[0], IPPROTO_UDP, true, 53000, 53, 0, 0, 0, NULL, T0);
	ip4(&p[1], IPPROTO_UDP, false, 53000, 53, 0, 0, 0, NULL, T0 + 1000000);
	/* the payloads hold NULs: copied by length */
	memcpy(p[0].b + 28, q, sizeof(q) - 1);
	memcpy(p[1].b + 28, a, sizeof(a) - 1);
	for (int i = 0; i < 2; i++) {
		size_t n = 28 + (i ? sizeof(a) : sizeof(q)) - 1;

		p[i].len = n;
		p[i].b[2] = (uint8_t)(n >> 8);
		p[i].b[3] = (uint8_t)n;
		p[i].b[24] = (uint8_t)((n - 20) >> 8);
		p[i].b[25] = (uint8_t)(n - 20);
	}
	return 2;
}

/* A flow of proto in a new module (*d), plain or not. */
static struct dpi_flow *flow_new(struct dpi **d, bool plain, uint8_t proto)
{
	struct dpi_flow *f;

	*d = dpi_new();
	assert_non_null(*d);
	if (plain)
		dpi_test_plain(*d);
	f = dpi_flow_new(*d, proto);
	assert_non_null(f);
	return f;
}

/* Runs the packets through a new module, plain or not; `stop` packets in,
 * the result is asked for (a flow that ended early). */
static void run(const struct pkt *p, size_t n, uint8_t proto, bool plain, size_t stop,
		struct dpi_result *r)
{
	struct dpi *d;
	struct dpi_flow *f = flow_new(&d, plain, proto);

	for (size_t i = 0; i < n && i < stop; i++)
		dpi_flow_packet(d, f, p[i].b, p[i].len, p[i].ts);
	memset(r, 0, sizeof(*r));
	assert_int_equal(dpi_flow_result(d, f, r), 0);
	/* asked again, after nDPI's state has gone: the same */
	{
		struct dpi_result again;

		memset(&again, 0, sizeof(again));
		assert_int_equal(dpi_flow_result(d, f, &again), 0);
		assert_memory_equal(&again, r, sizeof(again));
	}
	/* over: more packets are ignored */
	if (n)
		assert_false(dpi_flow_packet(d, f, p[0].b, p[0].len, p[0].ts));
	dpi_flow_free(f);
	dpi_free(d);
}

static void same(const struct pkt *p, size_t n, uint8_t proto, size_t stop)
{
	struct dpi_result held, ref;

	run(p, n, proto, false, stop, &held);
	run(p, n, proto, true, stop, &ref);
	assert_int_equal(held.master, ref.master);
	assert_int_equal(held.app, ref.app);
	assert_int_equal(held.category, ref.category);
	assert_string_equal(held.protocol, ref.protocol);
	assert_string_equal(held.category_name, ref.category_name);
	assert_string_equal(held.confidence, ref.confidence);
	assert_string_equal(held.server_name, ref.server_name);
	assert_true(held.risks == ref.risks);
	assert_int_equal(held.packets, ref.packets);
	assert_int_equal(held.capped, ref.capped);
	assert_int_equal(held.guessed, ref.guessed);
}

static void http_request(void **state)
{
	struct pkt p[8];
	size_t n = http_flow(p, 0, true);
	struct dpi_result r;

	(void)state;
	same(p, n, IPPROTO_TCP, n);
	run(p, n, IPPROTO_TCP, false, n, &r);
	assert_int_equal(r.app, 7 /* nDPI: HTTP */);
	assert_string_equal(r.server_name, "www.example.org");
	assert_int_equal(r.packets, n);
	assert_false(r.guessed);
}

/* Only a handshake, or only a SYN: nDPI gets them at the result, guesses. */
static void handshake_only(void **state)
{
	struct pkt p[8];
	size_t n = http_flow(p, 0, false);
	struct dpi_result r;

	(void)state;
	same(p, n, IPPROTO_TCP, n);
	same(p, n, IPPROTO_TCP, 1);
	run(p, n, IPPROTO_TCP, false, 1, &r);
	assert_int_equal(r.packets, 1);
	assert_true(r.guessed);
	assert_string_equal(r.server_name, "");
}

/* More packets without payload than held.h keeps: the rest go to nDPI as
 * they come, after the ones held. */
static void past_the_hold(void **state)
{
	struct pkt p[64];
	size_t n = http_flow(p, 40, true);

	(void)state;
	same(p, n, IPPROTO_TCP, n);
	same(p, n, IPPROTO_TCP, n - 2);
}

/* The result asked for while the detection runs (the GET, no response). */
static void ended_early(void **state)
{
	struct pkt p[8];
	size_t n = http_flow(p, 0, true);

	(void)state;
	same(p, n, IPPROTO_TCP, n - 1);
}

/* A flow freed while its detection runs: nDPI's allocations for it (the
 * URL, the user agent) go too, whether its state is packed or not (the
 * leak checker says). */
static void freed_while_running(void **state)
{
	struct pkt p[8];
	size_t n = http_flow(p, 0, true);

	(void)state;
	for (int plain = 0; plain < 2; plain++) {
		struct dpi *d;
		struct dpi_flow *f = flow_new(&d, plain, IPPROTO_TCP);

		for (size_t i = 0; i < n - 1; i++)
			assert_true(dpi_flow_packet(d, f, p[i].b, p[i].len, p[i].ts));
		dpi_flow_free(f);
		dpi_free(d);
	}
}

static void dns(void **state)
{
	struct pkt p[2];
	size_t n = dns_flow(p);
	struct dpi_result r;

	(void)state;
	same(p, n, IPPROTO_UDP, n);
	run(p, n, IPPROTO_UDP, false, n, &r);
	assert_int_equal(r.app, 5 /* nDPI: DNS */);
	assert_string_equal(r.server_name, "www.example.org");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_request),	       cmocka_unit_test(handshake_only),
		cmocka_unit_test(past_the_hold),       cmocka_unit_test(ended_early),
		cmocka_unit_test(freed_while_running), cmocka_unit_test(dns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
