// SPDX-License-Identifier: GPL-2.0
/* Huge-page-friendly allocations for the hash list stage (see bigmem.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bigmem.h"

#define HUGE_SZ		(2u << 20)
#define BIG_MIN		HUGE_SZ		/* below this, plain calloc */

void *bigmem_alloc(size_t size)
{
	size_t len, head;
	uint8_t *p, *a;

	if (size < BIG_MIN)
		return calloc(1, size ? size : 1);
	len = (size + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1);
	p = mmap(NULL, len + HUGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	/* trim to a 2 MiB boundary so every page of the array can be huge */
	a = (uint8_t *)(((uintptr_t)p + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1));
	head = (size_t)(a - p);
	if (head)
		munmap(p, head);
	if (HUGE_SZ - head)
		munmap(a + len, HUGE_SZ - head);
	madvise(a, len, MADV_HUGEPAGE);	/* advice only: failure is harmless */
	return a;
}

void bigmem_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size < BIG_MIN) {
		free(p);
		return;
	}
	munmap(p, (size + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1));
}
