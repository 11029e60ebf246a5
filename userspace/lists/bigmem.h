/* SPDX-License-Identifier: GPL-2.0 */
/* Large, randomly accessed arrays (hash list tables, the PDQ index) on
 * transparent huge pages where the kernel allows them: a 400 MB table in
 * 4 KiB pages costs a TLB miss on nearly every lookup. */
#ifndef EW_BIGMEM_H
#define EW_BIGMEM_H

#include <stddef.h>

/* Returns size zeroed bytes (at least 1), 2 MiB-aligned and advised
 * MADV_HUGEPAGE when size is large, or NULL with errno ENOMEM. Free with
 * bigmem_free and the same size. */
void *bigmem_alloc(size_t size);
void bigmem_free(void *p, size_t size);

#endif
