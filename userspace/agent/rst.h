/* SPDX-License-Identifier: GPL-2.0 */
/* rst: TCP resets to both ends of a flow the agent did not terminate (tap
 * mode), through raw IP sockets: the receiver accepts a reset whose
 * sequence number is the next one it expects, which the reassembler
 * tracked. */
#ifndef EW_AGENT_RST_H
#define EW_AGENT_RST_H

#include <stdint.h>

struct rst;

/* Opens the raw sockets (needs CAP_NET_RAW; done before privileges are
 * dropped). Returns NULL with errno set (printed). */
struct rst *rst_new(void);

/* Sends a reset to the client (from the server, seq s2c_seq) and one to
 * the server (from the client, seq c2s_seq). Addresses are 16-byte,
 * IPv4-mapped for IPv4; ports host order. Returns the resets sent (0..2)
 * or -errno when none could be. Thread-safe. */
int rst_send_pair(struct rst *r, const uint8_t *client, uint16_t cport, const uint8_t *server,
		  uint16_t sport, uint32_t c2s_seq, uint32_t s2c_seq);

void rst_free(struct rst *r);

#endif
