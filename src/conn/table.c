/*
 * table.c - linear probing with backward-shift deletion (no tombstones,
 * so lookups stay short under churn). The table doubles at 50% load.
 */
#include "conn/table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mem/huge.h"
#include "record/uid.h"

int cl_table_init(cl_table *t, size_t initial_capacity, const unsigned char *base)
{
    t->base = base;
    size_t cap = 1024;
    while (cap < initial_capacity)
        cap <<= 1;
    t->slots = cl_huge_alloc(cap * sizeof *t->slots);
    if (!t->slots)
        return -1;
    t->mask = cap - 1;
    t->n = 0;
    cl_random_bytes(t->key, sizeof t->key);
    return 0;
}

void cl_table_free(cl_table *t)
{
    if (t->slots)
        cl_huge_free(t->slots, (t->mask + 1) * sizeof *t->slots);
    t->slots = NULL;
    t->n = 0;
}

/* IPv4 flows are hashed from their stored form up to its IPv6 flag (18
 * bytes, not 44): SipHash's cost grows with its input, and it runs for
 * every packet. The two forms have different lengths, which SipHash tells
 * apart. */
uint32_t cl_table_hash(const cl_table *t, const cl_key *k)
{
    if (cl_key_is_v4(k)) {
        cl_ckey ck;
        cl_ckey_from(&ck, k);
        return (uint32_t)cl_siphash13(t->key, &ck, offsetof(cl_ckey, v6));
    }
    return (uint32_t)cl_siphash13(t->key, k, sizeof *k);
}

cl_conn *cl_table_find(const cl_table *t, const cl_key *k, uint32_t hash)
{
    cl_ckey ck;
    cl_ckey_from(&ck, k);
    size_t i = hash & t->mask;
    for (;;) {
        const cl_table_slot *s = &t->slots[i];
        if (!s->ref)
            return NULL;
        if (s->hash == hash) {
            cl_conn *c = cl_table_conn(t, s);
            if (cl_ckey_equal(&c->key, &ck) &&
                (!ck.v6 || (cl_addr16_equal(cl_conn_v6_addrs(c), k->a1) &&
                            cl_addr16_equal(cl_conn_v6_addrs(c) + 16, k->a2))))
                return c;
        }
        i = (i + 1) & t->mask;
    }
}

static void put(cl_table_slot *slots, size_t mask, cl_table_slot s)
{
    size_t i = s.hash & mask;
    while (slots[i].ref)
        i = (i + 1) & mask;
    slots[i] = s;
}

static int grow(cl_table *t)
{
    size_t cap = (t->mask + 1) * 2;
    cl_table_slot *ns = cl_huge_alloc(cap * sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->slots[i].ref)
            put(ns, cap - 1, t->slots[i]);
    cl_huge_free(t->slots, (t->mask + 1) * sizeof *t->slots);
    t->slots = ns;
    t->mask = cap - 1;
    return 0;
}

int cl_table_insert(cl_table *t, cl_conn *c)
{
    if ((t->n + 1) * 2 > t->mask + 1 && grow(t) != 0)
        return -1;
    put(t->slots, t->mask, (cl_table_slot){c->hash, cl_arena_ref(t->base, c)});
    t->n++;
    return 0;
}

/* c's slot: found from its hash, so that neither lookups nor the shifts
 * below need to touch (or keep up to date) anything in the connections,
 * which are scattered over memory while the slots are not. */
static size_t slot_of(const cl_table *t, const cl_conn *c)
{
    uint32_t ref = cl_arena_ref(t->base, c);
    size_t i = c->hash & t->mask;
    while (t->slots[i].ref != ref)
        i = (i + 1) & t->mask;
    return i;
}

void cl_table_remove(cl_table *t, cl_conn *c)
{
    size_t i = slot_of(t, c);
    t->slots[i].ref = 0;
    t->n--;
    /* Shift back later entries of the probe run that could live at i. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        cl_table_slot *s = &t->slots[j];
        if (!s->ref)
            return;
        size_t home = s->hash & t->mask;
        /* Can s move to i? Only if its home is not in (i, j]. */
        bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            t->slots[i] = *s;
            s->ref = 0;
            i = j;
        }
    }
}

void cl_table_clear(cl_table *t)
{
    memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
    t->n = 0;
}

size_t cl_table_memory(const cl_table *t)
{
    return (t->mask + 1) * sizeof(cl_table_slot);
}
