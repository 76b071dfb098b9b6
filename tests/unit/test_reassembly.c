/*
 * test_reassembly.c - the sequence-range bookkeeping (src/conn/reassembly.c):
 * delivery over contiguous data, holes reported as gaps when the
 * acknowledgements pass them, merging, the move from the one inline range
 * to a heap array and back, and giving up past the range limit.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/reassembly.h"
#include "test.h"

/* Gaps reported by cl_reasm_trim, in order. */
typedef struct gaps {
    unsigned n;
    uint64_t seq[64], len[64];
} gaps;

static void on_gap(void *ctx, uint64_t seq, uint64_t len)
{
    gaps *g = ctx;
    if (g->n < 64) {
        g->seq[g->n] = seq;
        g->len[g->n] = len;
    }
    g->n++;
}

/* In-order data is delivered at once and never held. */
static void test_in_order_is_delivered(void)
{
    cl_reasm ra;
    cl_reasm_init(&ra);
    cl_reasm_insert(&ra, 1, 100);
    cl_reasm_insert(&ra, 101, 50);
    CHECK_EQ_U64(ra.last_reassem, 151);
    CHECK_EQ_U64(cl_reasm_undelivered(&ra), 0);
    gaps g = {0};
    cl_reasm_trim(&ra, 151, false, on_gap, &g);
    CHECK_EQ_U64(g.n, 0);
    CHECK(!cl_reasm_has_blocks(&ra));
    cl_reasm_free(&ra);
}

/* Data above a hole waits; when it is acknowledged the hole is a gap of
 * exactly its size, and the held data is delivered behind it. */
static void test_hole_becomes_gap_when_acked(void)
{
    cl_reasm ra;
    cl_reasm_init(&ra);
    cl_reasm_insert(&ra, 1, 100);
    cl_reasm_insert(&ra, 201, 100); /* 101..200 missing */
    CHECK_EQ_U64(ra.last_reassem, 101);
    CHECK_EQ_U64(cl_reasm_size(&ra), 200);
    CHECK_EQ_U64(cl_reasm_undelivered(&ra), 200);
    gaps g = {0};
    cl_reasm_trim(&ra, 301, false, on_gap, &g);
    CHECK_EQ_U64(g.n, 1);
    CHECK_EQ_U64(g.seq[0], 101);
    CHECK_EQ_U64(g.len[0], 100);
    CHECK_EQ_U64(ra.last_reassem, 301);
    CHECK(!cl_reasm_has_blocks(&ra));
    cl_reasm_free(&ra);
}

/* Many holes need more than the inline range: the ranges move to the heap
 * and stay sorted; filling the holes merges them back into one delivered
 * run, and a later hole fits inline again after cl_reasm_free. */
static void test_many_holes_then_filled(void)
{
    cl_reasm ra;
    cl_reasm_init(&ra);
    enum { HOLES = 40 };
    /* data at 1+20k .. 1+20k+10 for k = 1..HOLES; the first 20 bytes missing */
    for (unsigned k = HOLES; k >= 1; k--)
        cl_reasm_insert(&ra, 1 + 20u * k, 10);
    CHECK_EQ_U64(ra.n, HOLES);
    CHECK(ra.cap >= HOLES);
    CHECK_EQ_U64(cl_reasm_size(&ra), 10u * HOLES);
    CHECK_EQ_U64(ra.last_reassem, 1);
    /* fill every hole (including the first) */
    cl_reasm_insert(&ra, 1, 20);
    for (unsigned k = 1; k < HOLES; k++)
        cl_reasm_insert(&ra, 1 + 20u * k + 10, 10);
    CHECK_EQ_U64(ra.last_reassem, 1 + 20u * HOLES + 10);
    CHECK_EQ_U64(ra.n, 1);
    gaps g = {0};
    cl_reasm_trim(&ra, 1 + 20u * HOLES + 10, false, on_gap, &g);
    CHECK_EQ_U64(g.n, 0);
    CHECK_EQ_U64(ra.n, 0);
    cl_reasm_free(&ra);
    CHECK_EQ_U64(ra.cap, CL_REASM_INLINE);
    cl_reasm_insert(&ra, ra.trim_seq + 100, 5); /* above a new hole */
    CHECK_EQ_U64(ra.n, 1);
    CHECK_EQ_U64(cl_reasm_size(&ra), 5);
    cl_reasm_free(&ra);
}

/* Acknowledging part way through the held ranges reports each hole below
 * the acknowledgement once, in order, and keeps the ranges above it. */
static void test_partial_ack_over_holes(void)
{
    cl_reasm ra;
    cl_reasm_init(&ra);
    cl_reasm_insert(&ra, 11, 10);   /* hole 1..10 */
    cl_reasm_insert(&ra, 31, 10);   /* hole 21..30 */
    cl_reasm_insert(&ra, 51, 10);   /* hole 41..50 */
    gaps g = {0};
    cl_reasm_trim(&ra, 45, false, on_gap, &g);
    CHECK_EQ_U64(g.n, 3);
    CHECK_EQ_U64(g.seq[0], 1);
    CHECK_EQ_U64(g.len[0], 10);
    CHECK_EQ_U64(g.seq[1], 21);
    CHECK_EQ_U64(g.len[1], 10);
    CHECK_EQ_U64(g.seq[2], 41);
    CHECK_EQ_U64(g.len[2], 4);
    CHECK_EQ_U64(ra.n, 1);          /* 51..60 still held */
    CHECK_EQ_U64(cl_reasm_size(&ra), 10);
    cl_reasm_free(&ra);
}

/* Past the range limit the direction gives up: nothing is held and new
 * data is ignored (no unbounded growth). */
static void test_gives_up_past_the_limit(void)
{
    cl_reasm ra;
    cl_reasm_init(&ra);
    for (unsigned k = 1; k <= 5000 && !ra.skip; k++)
        cl_reasm_insert(&ra, 1 + 4u * k, 2);
    CHECK(ra.skip);
    CHECK_EQ_U64(ra.n, 0);
    cl_reasm_insert(&ra, 100000, 10);
    CHECK_EQ_U64(ra.n, 0);
    cl_reasm_free(&ra);
}

TEST_MAIN(test_in_order_is_delivered, test_hole_becomes_gap_when_acked, test_many_holes_then_filled,
          test_partial_ack_over_holes, test_gives_up_past_the_limit)
