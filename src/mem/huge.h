/*
 * huge.h - large zeroed arrays backed by 2 MiB pages where the kernel
 * offers them.
 *
 * The flow table and the timer heap are touched at random across many
 * megabytes: with 4 KiB pages nearly every packet also misses the TLB,
 * and a page walk costs as much as the cache miss itself. Transparent huge pages cut the walks by a factor of 512,
 * but many systems only grant them to mappings that ask (madvise mode).
 */
#ifndef CL_MEM_HUGE_H
#define CL_MEM_HUGE_H

#include <stddef.h>

/* Arrays at least this big get their own 2 MiB-aligned mapping. */
#define CL_HUGE_PAGE ((size_t)2 << 20)

/* A zeroed block of at least `bytes`, or NULL. Free with cl_huge_free
 * and the same size. */
void *cl_huge_alloc(size_t bytes);
void cl_huge_free(void *p, size_t bytes);

#endif /* CL_MEM_HUGE_H */
