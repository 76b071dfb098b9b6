/*
 * table.h - the connection table: open addressing with linear probing over
 * a power-of-two array of (hash, pointer) slots, keyed with SipHash-1-3 and
 * a per-engine random key so crafted traffic cannot aim for collisions.
 */
#ifndef CL_TABLE_H
#define CL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"

typedef struct cl_table_slot {
    uint32_t hash;
    cl_conn *conn;      /* NULL = empty */
} cl_table_slot;

typedef struct cl_table {
    cl_table_slot *slots;
    size_t mask;        /* capacity - 1 */
    size_t n;
    uint8_t key[16];
} cl_table;

int cl_table_init(cl_table *t, size_t initial_capacity);
void cl_table_free(cl_table *t);
uint32_t cl_table_hash(const cl_table *t, const cl_key *k);
cl_conn *cl_table_find(const cl_table *t, const cl_key *k, uint32_t hash);
/* c->key and c->hash must be set. Returns 0, or -1 when out of memory. */
int cl_table_insert(cl_table *t, cl_conn *c);
void cl_table_remove(cl_table *t, cl_conn *c);
size_t cl_table_memory(const cl_table *t);

#endif /* CL_TABLE_H */
