// SPDX-License-Identifier: GPL-2.0
/* pcapng output for mirrored packets: the last step of the ring-buffer path
 * (mirror.c -> here), checked byte for byte against tshark captures.
 *
 *   block: | type | total len | body ... padded to 4 | total len |
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

#define BT_SHB		  0x0A0D0D0Au
#define BT_IDB		  0x00000001u
#define BT_EPB		  0x00000006u
#define BYTE_ORDER_MAGIC  0x1A2B3C4Du
#define LINKTYPE_ETHERNET 1
#define OPT_END		  0
#define OPT_SHB_USERAPPL  4
#define OPT_IF_NAME	  2
#define OPT_IF_TSRESOL	  9
#define NAME_MAX_LEN	  255

struct pcapng {
	FILE *f;
	uint32_t n_if;
	int err;
};

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

static void put(struct pcapng *w, const void *p, size_t n)
{
	if (!w->err && n && fwrite(p, 1, n, w->f) != n)
		w->err = errno ? -errno : -EIO;
}

static void put16(struct pcapng *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	put(w, b, 2);
}

static void put32(struct pcapng *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put(w, b, 4);
}

static void put_padded(struct pcapng *w, const void *p, uint32_t n)
{
	static const uint8_t zero[4];

	put(w, p, n);
	put(w, zero, pad4(n) - n);
}

static void put_opt(struct pcapng *w, uint16_t code, const void *p, uint16_t n)
{
	put16(w, code);
	put16(w, n);
	put_padded(w, p, n);
}

struct pcapng *pcapng_open(FILE *f)
{
	static const char app[] = "edgeward";
	struct pcapng *w = calloc(1, sizeof(*w));
	uint32_t len = 28 + 4 + pad4(sizeof(app) - 1) + 4;

	if (!w)
		return NULL;
	w->f = f;
	put32(w, BT_SHB);
	put32(w, len);
	put32(w, BYTE_ORDER_MAGIC);
	put16(w, 1);	       /* major */
	put16(w, 0);	       /* minor */
	put32(w, 0xffffffffu); /* section length: unknown */
	put32(w, 0xffffffffu);
	put_opt(w, OPT_SHB_USERAPPL, app, sizeof(app) - 1);
	put_opt(w, OPT_END, NULL, 0);
	put32(w, len);
	if (w->err) {
		errno = -w->err;
		free(w);
		return NULL;
	}
	return w;
}

int pcapng_add_interface(struct pcapng *w, const char *name, uint32_t snaplen)
{
	static const uint8_t tsresol = 9; /* 10^-9 s */
	uint16_t nlen = (uint16_t)strlen(name);
	uint32_t len;

	if (nlen == 0 || nlen > NAME_MAX_LEN)
		return -EINVAL;
	len = 16 + 4 + pad4(nlen) + 4 + 4 + 4 + 4;
	put32(w, BT_IDB);
	put32(w, len);
	put16(w, LINKTYPE_ETHERNET);
	put16(w, 0);
	put32(w, snaplen);
	put_opt(w, OPT_IF_NAME, name, nlen);
	put_opt(w, OPT_IF_TSRESOL, &tsresol, 1);
	put_opt(w, OPT_END, NULL, 0);
	put32(w, len);
	return w->err ? w->err : (int)w->n_if++;
}

int pcapng_write_packet(struct pcapng *w, uint32_t ifid, uint64_t ts_ns, const void *data,
			uint32_t cap_len, uint32_t orig_len)
{
	uint32_t len = 32 + pad4(cap_len);

	if (ifid >= w->n_if || cap_len > orig_len || cap_len > 0xffff)
		return -EINVAL;
	put32(w, BT_EPB);
	put32(w, len);
	put32(w, ifid);
	put32(w, (uint32_t)(ts_ns >> 32));
	put32(w, (uint32_t)ts_ns);
	put32(w, cap_len);
	put32(w, orig_len);
	put_padded(w, data, cap_len);
	put32(w, len);
	return w->err;
}

int pcapng_close(struct pcapng *w)
{
	int err;

	if (!w)
		return 0;
	err = w->err;
	if (fflush(w->f) && !err)
		err = -errno;
	free(w);
	return err;
}
