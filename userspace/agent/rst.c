// SPDX-License-Identifier: GPL-2.0
/* rst: builds and sends TCP RST segments (IPv4 and IPv6) on raw sockets.
 *
 *   IPv4: | IPv4 header (20) | TCP header (20, RST|ACK) |
 *   IPv6: | IPv6 header (40) | TCP header (20, RST|ACK) |
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "rst.h"

#define TCP_LEN 20
#define TCP_RST 0x04

struct rst {
	int fd4, fd6;
};

static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

static bool is_v4(const uint8_t *a)
{
	return !memcmp(a, mapped, sizeof(mapped));
}

struct rst *rst_new(void)
{
	struct rst *r = calloc(1, sizeof(*r));
	int on = 1;

	if (!r)
		return NULL;
	r->fd4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	r->fd6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (r->fd6 >= 0 && setsockopt(r->fd6, IPPROTO_IPV6, IPV6_HDRINCL, &on, sizeof(on))) {
		close(r->fd6);
		r->fd6 = -1;
	}
	if (r->fd4 < 0 && r->fd6 < 0) {
		ew_err("couldn't open a raw socket for resets: %s", strerror(errno));
		free(r);
		return NULL;
	}
	return r;
}

void rst_free(struct rst *r)
{
	if (!r)
		return;
	if (r->fd4 >= 0)
		close(r->fd4);
	if (r->fd6 >= 0)
		close(r->fd6);
	free(r);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The TCP header of a reset with the checksum over the pseudo-header of
 * addresses alen bytes long. */
static void tcp_rst(uint8_t *t, const uint8_t *src, const uint8_t *dst, size_t alen,
		    uint16_t sport, uint16_t dport, uint32_t seq)
{
	uint32_t s;
	uint16_t c;

	memset(t, 0, TCP_LEN);
	*(uint16_t *)(void *)t = htons(sport);
	*(uint16_t *)(void *)(t + 2) = htons(dport);
	*(uint32_t *)(void *)(t + 4) = htonl(seq);
	t[12] = (TCP_LEN / 4) << 4;
	t[13] = TCP_RST; /* alone: no acknowledgement number to vouch for */
	s = sum16(src, alen, 0);
	s = sum16(dst, alen, s);
	s += IPPROTO_TCP + TCP_LEN;
	c = fold(sum16(t, TCP_LEN, s));
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
}

static int send4(struct rst *r, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		 uint16_t dport, uint32_t seq)
{
	uint8_t pkt[20 + TCP_LEN] = {0x45, 0, 0, sizeof(pkt), 0, 0, 0x40, 0, 64, IPPROTO_TCP};
	struct sockaddr_in to = {.sin_family = AF_INET};

	memcpy(pkt + 12, src + 12, 4);
	memcpy(pkt + 16, dst + 12, 4);
	tcp_rst(pkt + 20, src + 12, dst + 12, 4, sport, dport, seq);
	memcpy(&to.sin_addr, dst + 12, 4);
	/* the kernel fills the IPv4 checksum and id */
	return sendto(r->fd4, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0
		       ? -errno
		       : 0;
}

static int send6(struct rst *r, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		 uint16_t dport, uint32_t seq)
{
	uint8_t pkt[40 + TCP_LEN] = {0x60, 0, 0, 0, 0, TCP_LEN, IPPROTO_TCP, 64};
	struct sockaddr_in6 to = {.sin6_family = AF_INET6};

	memcpy(pkt + 8, src, 16);
	memcpy(pkt + 24, dst, 16);
	tcp_rst(pkt + 40, src, dst, 16, sport, dport, seq);
	memcpy(&to.sin6_addr, dst, 16);
	return sendto(r->fd6, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0
		       ? -errno
		       : 0;
}

static int send_one(struct rst *r, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		    uint16_t dport, uint32_t seq)
{
	if (is_v4(src) != is_v4(dst))
		return -EINVAL;
	if (is_v4(src))
		return r->fd4 < 0 ? -EAFNOSUPPORT : send4(r, src, sport, dst, dport, seq);
	return r->fd6 < 0 ? -EAFNOSUPPORT : send6(r, src, sport, dst, dport, seq);
}

int rst_send_pair(struct rst *r, const uint8_t *client, uint16_t cport, const uint8_t *server,
		  uint16_t sport, uint32_t c2s_seq, uint32_t s2c_seq)
{
	int a = send_one(r, server, sport, client, cport, s2c_seq);
	int b = send_one(r, client, cport, server, sport, c2s_seq);

	if (a < 0 && b < 0)
		return a;
	return (a == 0) + (b == 0);
}
