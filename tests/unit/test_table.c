/*
 * test_table.c - the flow table (src/conn/table.c) with stored compact
 * keys: connections whose hashes collide are told apart by their keys,
 * IPv6 ones by the addresses behind their blocks; removal keeps the
 * others of a probe run findable.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/table.h"
#include "packet_builder.h"
#include "test.h"

#define BLOCK 512 /* room for a connection, its TCP part and IPv6 addresses */

static unsigned char *mem;

static cl_conn *conn_at(int i)
{
    return (cl_conn *)(mem + 64 + (size_t)i * BLOCK);
}

static cl_key key(const char *a1, const char *a2, uint16_t p1, uint16_t p2)
{
    cl_key k;
    memset(&k, 0, sizeof k);
    cl_addr x, y;
    CHECK(pb_parse_addr(a1, &x) && pb_parse_addr(a2, &y));
    memcpy(k.a1, x.b, 16);
    memcpy(k.a2, y.b, 16);
    k.p1[0] = (uint8_t)(p1 >> 8), k.p1[1] = (uint8_t)p1;
    k.p2[0] = (uint8_t)(p2 >> 8), k.p2[1] = (uint8_t)p2;
    k.proto[0] = 17;
    return k;
}

/* Store key k in connection i as the engine does, with the given hash. */
static cl_conn *add(cl_table *t, int i, const cl_key *k, uint32_t hash)
{
    cl_conn *c = conn_at(i);
    memset(c, 0, BLOCK);
    c->proto = CL_PROTO_UDP;
    cl_conn_store_key(c, k);
    c->hash = hash;
    CHECK(cl_table_insert(t, c) == 0);
    return c;
}

/* Keys that differ only where a hash collision leaves the table to tell
 * them apart: the upper bytes of IPv6 addresses, the IPv4 addresses, a
 * port. All share one hash, so they sit in one probe run. */
static void test_colliding_hashes(void)
{
    cl_table t;
    CHECK(cl_table_init(&t, 16, mem) == 0);
    cl_key k[5] = {
        key("2001:db8::a00:1", "2001:db8::a00:2", 1, 2),
        key("2001:db9::a00:1", "2001:db8::a00:2", 1, 2),
        key("2001:db8::a00:1", "2001:db9::a00:2", 1, 2),
        key("10.0.0.1", "10.0.0.2", 1, 2),
        key("10.0.0.1", "10.0.0.2", 1, 3),
    };
    cl_conn *c[5];
    for (int i = 0; i < 5; i++)
        c[i] = add(&t, i, &k[i], 42);
    for (int i = 0; i < 5; i++)
        CHECK(cl_table_find(&t, &k[i], 42) == c[i]);
    cl_key other = key("10.0.0.9", "10.0.0.2", 1, 2);
    CHECK(cl_table_find(&t, &other, 42) == NULL);
    /* removing one keeps the rest of the run */
    cl_table_remove(&t, c[1]);
    CHECK(cl_table_find(&t, &k[1], 42) == NULL);
    for (int i = 0; i < 5; i++)
        if (i != 1)
            CHECK(cl_table_find(&t, &k[i], 42) == c[i]);
    CHECK_EQ_U64(t.n, 4);
    cl_table_clear(&t);
    CHECK(cl_table_find(&t, &k[0], 42) == NULL);
    CHECK_EQ_U64(t.n, 0);
    cl_table_free(&t);
}

/* Many connections through growth of the table: each found under its own
 * key, IPv4 and IPv6 alike, and gone once removed. */
static void test_growth(void)
{
    cl_table t;
    CHECK(cl_table_init(&t, 16, mem) == 0);
    enum { N = 100 };
    cl_key k[N];
    for (int i = 0; i < N; i++) {
        char a[64];
        if (i % 2)
            snprintf(a, sizeof a, "2001:db8::%x", i);
        else
            snprintf(a, sizeof a, "10.1.%d.%d", i / 256, i % 256);
        k[i] = key(a, i % 2 ? "2001:db8::ffff" : "10.9.9.9", (uint16_t)i, 80);
        add(&t, i, &k[i], cl_table_hash(&t, &k[i]));
    }
    for (int i = 0; i < N; i++)
        CHECK(cl_table_find(&t, &k[i], cl_table_hash(&t, &k[i])) == conn_at(i));
    for (int i = 0; i < N; i += 3)
        cl_table_remove(&t, conn_at(i));
    for (int i = 0; i < N; i++) {
        cl_conn *want = i % 3 == 0 ? NULL : conn_at(i);
        CHECK(cl_table_find(&t, &k[i], cl_table_hash(&t, &k[i])) == want);
    }
    cl_table_free(&t);
}

static void setup(void)
{
    mem = calloc(1, 64 + 128 * BLOCK);
    CHECK(mem != NULL);
}

static void cleanup(void)
{
    free(mem);
}

TEST_MAIN(setup, test_colliding_hashes, test_growth, cleanup)
