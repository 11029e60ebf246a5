/* SPDX-License-Identifier: GPL-2.0 */
/* dnsmsg: the question of a DNS message (RFC 1035 4.1): its name as
 * text, its type, and the header's id and rcode; for the block log of the
 * answers the TC program sends for blocked names, and for anything else
 * that must say what a query asked.
 *
 *   header: id | flags (QR opcode AA TC RD RA Z rcode) | qd an ns ar counts
 *   question: labels (len, bytes) ... 0 | qtype | qclass
 *
 * The question of a query or an answer is never compressed (it comes
 * first); a pointer there is malformed. Never prints, never allocates. */
#ifndef EW_DNSMSG_H
#define EW_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A name as text: at most 253 bytes of labels and dots, each byte that
 * is not a letter, digit, '-' or '_' written as \DDD (RFC 4343 style),
 * so at most 4 x 253 bytes and the NUL. */
#define DNSMSG_NAME (4 * 253 + 1)

struct dnsmsg_question {
	uint16_t id;
	bool response;		/* QR */
	uint8_t rcode;		/* 0 NOERROR, 3 NXDOMAIN ... */
	uint16_t qtype, qclass;
	char name[DNSMSG_NAME]; /* "." for the root; case as sent */
};

/* Reads the header and first question of msg (len bytes). Returns 0, or
 * -EINVAL when it is not a message with a whole, well-formed question
 * (qdcount 0, a label pointer, a name past 255 bytes, bytes missing). */
int dnsmsg_question(const uint8_t *msg, size_t len, struct dnsmsg_question *q);

/* "A", "AAAA", "MX" ... for the common types; NULL for others. */
const char *dnsmsg_type_name(uint16_t type);

#endif
