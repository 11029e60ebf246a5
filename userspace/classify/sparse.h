/* SPDX-License-Identifier: GPL-2.0 */
/* sparse: a block of memory that is mostly zeros, kept as its non-zero
 * 8-byte words. dpi_ndpi.c keeps nDPI's state of a flow so between two of
 * its packets (a few dozen non-zero words of 86).
 *
 *   struct sparse:  len | map: 1 bit per word of the block | the words
 *                   whose bit is set, in order                one allocation
 */
#ifndef EW_SPARSE_H
#define EW_SPARSE_H

#include <stddef.h>

/* The largest block it takes, in bytes. */
#define SPARSE_LEN_MAX 4096

struct sparse;

/* A copy of the len bytes at p (a multiple of 8, at most SPARSE_LEN_MAX,
 * p 8-byte aligned). Returns NULL with errno EINVAL or ENOMEM. The caller
 * frees it with sparse_free. */
struct sparse *sparse_pack(const void *p, size_t len);

/* Writes the block s was made from to p (len bytes, as packed; 8-byte
 * aligned). Returns 0, or -EINVAL if len is not the block's. */
int sparse_unpack(const struct sparse *s, void *p, size_t len);

void sparse_free(struct sparse *s);

#endif
