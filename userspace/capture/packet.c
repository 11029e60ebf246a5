// SPDX-License-Identifier: GPL-2.0
/* packet: frame -> struct pkt. First stage after pcapsrc: link layer
 * (Ethernet/VLAN/PPPoE, Linux SLL/SLL2, raw IP, loopback), IPv4/IPv6 with
 * extension headers, TCP/UDP. Every read is bounds-checked against caplen;
 * a failure names the packet number, the offset and the reason. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "packet.h"

#define ETH_P_IPV4   0x0800
#define ETH_P_IPV6   0x86dd
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ1  0x9100
#define ETH_P_PPPOE  0x8864
#define PPP_IPV4     0x0021
#define PPP_IPV6     0x0057

static const char *const reasons[PKT_E_MAX] = {
	[PKT_OK] = "ok",
	[PKT_E_LINKTYPE] = "unsupported link type",
	[PKT_E_LINK] = "truncated link-layer header",
	[PKT_E_VLAN] = "truncated or too many VLAN tags",
	[PKT_E_PPPOE] = "truncated or bad PPPoE header",
	[PKT_E_NOT_IP] = "not IPv4 or IPv6",
	[PKT_E_IPV4] = "bad or truncated IPv4 header",
	[PKT_E_IPV6] = "bad or truncated IPv6 header",
	[PKT_E_IPV6_EXT] = "bad, truncated or too many IPv6 extension headers",
	[PKT_E_TCP] = "bad or truncated TCP header",
	[PKT_E_UDP] = "bad or truncated UDP header",
	[PKT_E_TUNNEL] = "bad, truncated or too deeply nested tunnel header",
};

const char *packet_reason_str(enum pkt_reason r)
{
	return (unsigned)r < PKT_E_MAX ? reasons[r] : "unknown";
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int fail(struct pkt_err *err, uint64_t num, size_t off, enum pkt_reason r)
{
	err->num = num;
	err->off = off;
	err->reason = r;
	snprintf(err->msg, sizeof(err->msg), "packet %llu, offset %zu: %s", (unsigned long long)num,
		 off, reasons[r]);
	if (r == PKT_E_LINKTYPE)
		return -ENOTSUP;
	return r == PKT_E_NOT_IP ? -ENOENT : -EINVAL;
}

void packet_flow_key(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		     uint8_t proto, uint8_t family, struct ew_flow_key *k)
{
	int c = memcmp(src, dst, 16);
	int src_lo = c < 0 || (c == 0 && sport <= dport);

	memset(k, 0, sizeof(*k));
	memcpy(k->lo_addr, src_lo ? src : dst, 16);
	memcpy(k->hi_addr, src_lo ? dst : src, 16);
	k->lo_port = htons(src_lo ? sport : dport);
	k->hi_port = htons(src_lo ? dport : sport);
	k->proto = proto;
	k->family = family;
}

/* Fills key so that both directions of a flow give the same bytes. */
static void make_key(struct pkt *p)
{
	packet_flow_key(p->src, p->sport, p->dst, p->dport, p->proto, p->family, &p->key);
}

static void tcp_options(struct pkt *p, const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = o[i], len;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = o[i + 1]) < 2 || len > n - i)
			return; /* malformed options end parsing, like a receiver */
		if (kind == 8 && len == 10) {
			p->flags |= PKT_F_TS;
			p->tsval = rd32(o + i + 2);
			p->tsecr = rd32(o + i + 6);
		}
		i += len;
	}
}

static long ether_payload(const uint8_t *f, size_t caplen, size_t pos, uint16_t type, struct pkt *p,
			  struct pkt_err *err);

/* Decapsulates GRE (IP or transparent Ethernet bridging), IP-in-IP and
 * IPv6-in-IPv4: the inner packet is what the flow is about. */
static int tunnel(struct pkt *p, const uint8_t *h, size_t n, size_t off, struct pkt_err *err)
{
	size_t hl = 4;
	uint16_t fl, type;
	long pos;

	if (++p->tunnels > PKT_TUNNEL_MAX || p->proto != IPPROTO_GRE) {
		if (p->tunnels > PKT_TUNNEL_MAX)
			return fail(err, p->num, off, PKT_E_TUNNEL);
		return packet_decode_ip(h, n, off, p, err);
	}
	if (n < 4)
		return fail(err, p->num, off, PKT_E_TUNNEL);
	fl = rd16(h);
	type = rd16(h + 2);
	hl += (fl & 0x8000 ? 4 : 0) + (fl & 0x2000 ? 4 : 0) + (fl & 0x1000 ? 4 : 0);
	if ((fl & 0x7) != 0 || hl > n) /* version 0 only */
		return fail(err, p->num, off, PKT_E_TUNNEL);
	if (type == 0x6558) { /* transparent Ethernet bridging */
		if (n - hl < 14)
			return fail(err, p->num, off + hl, PKT_E_LINK);
		type = rd16(h + hl + 12);
		hl += 14;
	}
	pos = ether_payload(h, n, hl, type, p, err);
	if (pos < 0) {
		err->off += off;
		snprintf(err->msg, sizeof(err->msg), "packet %llu, offset %zu: %s",
			 (unsigned long long)p->num, err->off, reasons[err->reason]);
		return (int)pos;
	}
	return packet_decode_ip(h + pos, n - (size_t)pos, off + (size_t)pos, p, err);
}

/* l4 points at the TCP/UDP header, n bytes to the end of the IP payload. */
static int decode_l4(struct pkt *p, const uint8_t *l4, size_t n, size_t off, struct pkt_err *err)
{
	if (p->proto == IPPROTO_TCP) {
		size_t hl;

		if (n < 20 || (hl = (size_t)(l4[12] >> 4) * 4) < 20 || hl > n)
			return fail(err, p->num, off, PKT_E_TCP);
		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		p->seq = rd32(l4 + 4);
		p->ack = rd32(l4 + 8);
		p->tcp_flags = l4[13] & 0x3f;
		p->win = rd16(l4 + 14);
		tcp_options(p, l4 + 20, hl - 20);
		p->payload = l4 + hl;
		p->len = n - hl;
	} else if (p->proto == IPPROTO_UDP) {
		size_t ul;

		if (n < 8)
			return fail(err, p->num, off, PKT_E_UDP);
		ul = rd16(l4 + 4);
		if (ul == 0) /* IPv6 jumbogram: the IP length rules */
			ul = n;
		if (ul < 8 || ul > n)
			return fail(err, p->num, off + 4, PKT_E_UDP);
		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		p->payload = l4 + 8;
		p->len = ul - 8;
	} else if (p->proto == IPPROTO_GRE || p->proto == IPPROTO_IPIP ||
		   p->proto == IPPROTO_IPV6) {
		return tunnel(p, l4, n, off, err);
	} else {
		make_key(p);
		return 0;
	}
	p->flags |= PKT_F_L4;
	make_key(p);
	return 0;
}

static int decode_ipv4(const uint8_t *ip, size_t len, size_t off, struct pkt *p,
		       struct pkt_err *err)
{
	size_t hl, tot;
	uint16_t frag;

	if (len < 20 || (ip[0] >> 4) != 4 || (hl = (size_t)(ip[0] & 0xf) * 4) < 20 || hl > len)
		return fail(err, p->num, off, PKT_E_IPV4);
	tot = rd16(ip + 2);
	if (tot == 0) /* segmentation offload captures leave it zero */
		tot = len;
	if (tot < hl || tot > len)
		return fail(err, p->num, off + 2, PKT_E_IPV4);
	p->family = 4;
	memset(p->src, 0, 10);
	memset(p->dst, 0, 10);
	p->src[10] = p->src[11] = p->dst[10] = p->dst[11] = 0xff;
	memcpy(p->src + 12, ip + 12, 4);
	memcpy(p->dst + 12, ip + 16, 4);
	p->proto = ip[9];
	p->l3 = ip;
	p->l3_len = tot; /* Ethernet padding cut off */
	frag = rd16(ip + 6);
	if (frag & 0x3fff) { /* MF or a non-zero offset */
		p->flags |= PKT_F_FRAG;
		make_key(p);
		return 0;
	}
	return decode_l4(p, ip + hl, tot - hl, off + hl, err);
}

/* Walks the extension header chain; returns the offset of the upper-layer
 * header (or of the fragment header, with PKT_F_FRAG set), or -1. */
static int ipv6_exts(const uint8_t *ip, size_t tot, struct pkt *p, size_t *pos_out)
{
	uint8_t nh = ip[6];
	size_t pos = 40;

	for (int i = 0; i <= PKT_IPV6_EXT_MAX; i++) {
		size_t hl;

		switch (nh) {
		case 0:
		case 43:
		case 60:
		case 51:
		case 44:
			break;
		default:
			p->proto = nh;
			*pos_out = pos;
			return 0;
		}
		if (i == PKT_IPV6_EXT_MAX || pos + 8 > tot)
			break;
		if (nh == 44) {
			if (rd16(ip + pos + 2) & 0xfff9) { /* offset or M */
				p->proto = ip[pos];
				p->flags |= PKT_F_FRAG;
				*pos_out = pos;
				return 0;
			}
			hl = 8; /* atomic fragment: just a header */
		} else if (nh == 51) {
			hl = ((size_t)ip[pos + 1] + 2) * 4;
		} else {
			hl = ((size_t)ip[pos + 1] + 1) * 8;
		}
		if (pos + hl > tot)
			break;
		nh = ip[pos];
		pos += hl;
	}
	*pos_out = pos;
	return -1;
}

static int decode_ipv6(const uint8_t *ip, size_t len, size_t off, struct pkt *p,
		       struct pkt_err *err)
{
	size_t tot, pos;

	if (len < 40 || (ip[0] >> 4) != 6)
		return fail(err, p->num, off, PKT_E_IPV6);
	tot = rd16(ip + 4);
	tot = tot ? tot + 40 : len; /* 0: jumbogram, the capture length rules */
	if (tot > len)
		return fail(err, p->num, off + 4, PKT_E_IPV6);
	p->family = 6;
	memcpy(p->src, ip + 8, 16);
	memcpy(p->dst, ip + 24, 16);
	p->l3 = ip;
	p->l3_len = tot;
	if (ipv6_exts(ip, tot, p, &pos))
		return fail(err, p->num, off + pos, PKT_E_IPV6_EXT);
	if (p->flags & PKT_F_FRAG) {
		make_key(p);
		return 0;
	}
	return decode_l4(p, ip + pos, tot - pos, off + pos, err);
}

int packet_decode_ip(const uint8_t *ip, size_t len, size_t off_base, struct pkt *p,
		     struct pkt_err *err)
{
	p->flags = 0;
	p->proto = 0;
	p->sport = p->dport = 0;
	if (len < 1)
		return fail(err, p->num, off_base, PKT_E_IPV4);
	if ((ip[0] >> 4) == 6)
		return decode_ipv6(ip, len, off_base, p, err);
	return decode_ipv4(ip, len, off_base, p, err);
}

/* Follows VLAN tags and PPPoE from ethertype `type` at frame[pos]; returns
 * the IP header offset or a negative errno (err filled). */
static long ether_payload(const uint8_t *f, size_t caplen, size_t pos, uint16_t type, struct pkt *p,
			  struct pkt_err *err)
{
	int tags = 0;

	while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ1) {
		if (++tags > PKT_VLAN_MAX || pos + 4 > caplen)
			return fail(err, p->num, pos, PKT_E_VLAN);
		if (tags == 1 && !p->vlan) /* the outermost tag names the VLAN */
			p->vlan = rd16(f + pos) & 0x0fff;
		type = rd16(f + pos + 2);
		pos += 4;
	}
	if (type == ETH_P_PPPOE) {
		uint16_t ppp;

		/* ver/type 0x11, code 0 (session data), session, length, then the
		 * PPP protocol: one byte if odd (field compression), else two */
		if (pos + 7 > caplen || f[pos] != 0x11 || f[pos + 1] != 0)
			return fail(err, p->num, pos, PKT_E_PPPOE);
		if (f[pos + 6] & 1) {
			ppp = f[pos + 6];
			pos += 7;
		} else {
			if (pos + 8 > caplen)
				return fail(err, p->num, pos, PKT_E_PPPOE);
			ppp = rd16(f + pos + 6);
			pos += 8;
		}
		if (ppp == PPP_IPV4)
			type = ETH_P_IPV4;
		else if (ppp == PPP_IPV6)
			type = ETH_P_IPV6;
		else
			return fail(err, p->num, pos - 1, PKT_E_NOT_IP);
	}
	if (type != ETH_P_IPV4 && type != ETH_P_IPV6)
		return fail(err, p->num, pos - 2, PKT_E_NOT_IP);
	return (long)pos;
}

/* Returns the offset of the IP header in frame, or a negative errno. */
static long link_payload(int linktype, const uint8_t *f, size_t caplen, struct pkt *p,
			 struct pkt_err *err)
{
	switch (linktype) {
	case PKT_LINK_EN10MB:
		if (caplen < 14)
			return fail(err, p->num, 0, PKT_E_LINK);
		return ether_payload(f, caplen, 14, rd16(f + 12), p, err);
	case PKT_LINK_LINUX_SLL:
		if (caplen < 16)
			return fail(err, p->num, 0, PKT_E_LINK);
		return ether_payload(f, caplen, 16, rd16(f + 14), p, err);
	case PKT_LINK_LINUX_SLL2:
		if (caplen < 20)
			return fail(err, p->num, 0, PKT_E_LINK);
		return ether_payload(f, caplen, 20, rd16(f), p, err);
	case PKT_LINK_NULL:
	case PKT_LINK_LOOP:
		/* The family is in either byte order and differs per OS (AF_INET6
		 * is 10, 24, 28 or 30): the IP version nibble decides instead. */
		if (caplen < 4)
			return fail(err, p->num, 0, PKT_E_LINK);
		return 4;
	case PKT_LINK_RAW:
	case PKT_LINK_RAW_ALT:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
		return 0;
	default:
		return fail(err, p->num, 0, PKT_E_LINKTYPE);
	}
}

int packet_link_supported(int linktype)
{
	switch (linktype) {
	case PKT_LINK_EN10MB:
	case PKT_LINK_LINUX_SLL:
	case PKT_LINK_LINUX_SLL2:
	case PKT_LINK_NULL:
	case PKT_LINK_LOOP:
	case PKT_LINK_RAW:
	case PKT_LINK_RAW_ALT:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
		return 1;
	default:
		return 0;
	}
}

int packet_decode(int linktype, const uint8_t *frame, size_t caplen, uint64_t num, uint64_t ts_ns,
		  struct pkt *p, struct pkt_err *err)
{
	long pos;

	memset(p, 0, sizeof(*p));
	p->num = num;
	p->ts_ns = ts_ns;
	pos = link_payload(linktype, frame, caplen, p, err);
	if (pos < 0)
		return (int)pos;
	if ((size_t)pos >= caplen)
		return fail(err, num, (size_t)pos, PKT_E_IPV4);
	if ((frame[pos] >> 4) != 4 && (frame[pos] >> 4) != 6)
		return fail(err, num, (size_t)pos, PKT_E_IPV4); /* bad version */
	return packet_decode_ip(frame + pos, caplen - (size_t)pos, (size_t)pos, p, err);
}
