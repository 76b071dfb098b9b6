/*
 * huge.c - see huge.h. Small blocks come from calloc; big ones from an
 * anonymous mapping trimmed to a 2 MiB boundary (a huge page can only
 * back an aligned 2 MiB range) and marked MADV_HUGEPAGE.
 */
#define _DEFAULT_SOURCE
#include "mem/huge.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) & ~(to - 1);
}

void *cl_huge_alloc(size_t bytes)
{
    if (bytes < CL_HUGE_PAGE)
        return calloc(1, bytes ? bytes : 1);
    size_t len = round_up(bytes, CL_HUGE_PAGE);
    if (len < bytes || len + CL_HUGE_PAGE < len)
        return NULL;
    uint8_t *raw = mmap(NULL, len + CL_HUGE_PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = round_up((uintptr_t)raw, CL_HUGE_PAGE);
    size_t head = start - (uintptr_t)raw;
    if (head)
        munmap(raw, head);
    if (CL_HUGE_PAGE - head)
        munmap((uint8_t *)start + len, CL_HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
    madvise((void *)start, len, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
    return (void *)start;
}

void cl_huge_free(void *p, size_t bytes)
{
    if (!p)
        return;
    if (bytes < CL_HUGE_PAGE)
        free(p);
    else
        munmap(p, round_up(bytes, CL_HUGE_PAGE));
}
