/*
 * arena.h - one reserved address range that connection blocks are carved
 * from, so that a connection can be named by a 32-bit reference instead
 * of a 64-bit pointer.
 *
 * The flow table and the timer queue hold one entry per connection (more
 * for the queue): with 4-byte references their entries shrink from 16 and
 * 24 bytes to 8 and 16, and more of them fit in a cache line. A reference
 * is the block's offset from the arena's base in 8-byte units (blocks are
 * 8-byte aligned), so 32 bits reach 32 GiB. Offset 0 is never handed out:
 * reference 0 means "none".
 *
 * The range is reserved without access (it costs address space, not
 * memory) and made usable chunk by chunk as connections need it; nothing
 * is given back before the arena is freed, as with the slabs it replaces.
 */
#ifndef CL_MEM_ARENA_H
#define CL_MEM_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* The most an arena reserves: what 32-bit references in 8-byte units reach. */
#define CL_ARENA_MAX ((size_t)32 << 30)

typedef struct cl_arena {
    unsigned char *base;    /* NULL until cl_arena_init succeeds */
    size_t reserved;        /* bytes of address space */
    size_t committed;       /* bytes made usable, from base */
    size_t used;            /* bytes handed out, from base */
    size_t limit;           /* hand out no more than this (normally = reserved) */
} cl_arena;

/* Reserve up to `want` bytes (at most CL_ARENA_MAX; less if the system
 * refuses that much address space). Returns 0, or -1. */
int cl_arena_init(cl_arena *a, size_t want);
void cl_arena_free(cl_arena *a);

/* `bytes` of zeroed, 8-byte aligned memory from the arena, or NULL when
 * it is exhausted or the system has no memory to back it. */
void *cl_arena_take(cl_arena *a, size_t bytes);

/* Hand out at most `bytes` in all (never more than was reserved): what
 * running out of memory looks like, for tests. */
void cl_arena_set_limit(cl_arena *a, size_t bytes);

/* The reference of a block from this arena, and back. */
static inline uint32_t cl_arena_ref(const unsigned char *base, const void *p)
{
    return (uint32_t)((size_t)((const unsigned char *)p - base) >> 3);
}

static inline void *cl_arena_ptr(const unsigned char *base, uint32_t ref)
{
    return (void *)(uintptr_t)(base + ((size_t)ref << 3));
}

#endif /* CL_MEM_ARENA_H */
