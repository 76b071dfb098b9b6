/*
 * table.h - the connection table: open addressing with linear probing over
 * a power-of-two array of (hash, reference) slots, keyed with SipHash-1-3
 * and a per-engine random key so crafted traffic cannot aim for collisions.
 * A slot names its connection by its 32-bit arena reference (mem/arena.h):
 * 8 bytes a slot, so a cache line holds 8 of a probe run.
 */
#ifndef CL_TABLE_H
#define CL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "mem/arena.h"

typedef struct cl_table_slot {
    uint32_t hash;
    uint32_t ref;       /* the connection's arena reference; 0 = empty */
} cl_table_slot;

typedef struct cl_table {
    cl_table_slot *slots;
    const unsigned char *base;  /* of the arena the connections live in */
    size_t mask;        /* capacity - 1 */
    size_t n;
    uint8_t key[16];
} cl_table;

/* The connections will come from the arena at `base`. */
int cl_table_init(cl_table *t, size_t initial_capacity, const unsigned char *base);
void cl_table_free(cl_table *t);
uint32_t cl_table_hash(const cl_table *t, const cl_key *k);
cl_conn *cl_table_find(const cl_table *t, const cl_key *k, uint32_t hash);
/* c->key and c->hash must be set. Returns 0, or -1 when out of memory. */
int cl_table_insert(cl_table *t, cl_conn *c);
void cl_table_remove(cl_table *t, cl_conn *c);
/* Forget every connection at once. */
void cl_table_clear(cl_table *t);
size_t cl_table_memory(const cl_table *t);

/* The connection in a slot that is not empty. */
static inline cl_conn *cl_table_conn(const cl_table *t, const cl_table_slot *s)
{
    return (cl_conn *)cl_arena_ptr(t->base, s->ref);
}

#endif /* CL_TABLE_H */
