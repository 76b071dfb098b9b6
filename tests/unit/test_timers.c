/*
 * test_timers.c - the timer queue (src/conn/timers.c): whatever mix of
 * lanes and heap the entries take, slots fire in deadline order (equal
 * deadlines of different connections in arm order), each armed slot
 * once, cancelled and replaced ones never.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conn/timers.h"
#include "test.h"

#define N 20000

static cl_conn *block; /* block[0] stands for the arena's unused start */
static cl_conn *conns;

/* What the test expects of each (connection, slot): its deadline and the
 * arm order of its last arming; INFINITY = not armed. */
static double want_t[N][CL_TIMER_SLOTS];
static uint64_t want_seq[N][CL_TIMER_SLOTS];
static uint64_t arm_counter;

static uint32_t rng = 7;
static uint32_t rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static void setup(cl_timers *q)
{
    block = calloc(N + 1, sizeof *block);
    CHECK(block != NULL);
    conns = block + 1;
    CHECK(cl_timers_init(q, (const unsigned char *)block) == 0);
    for (int i = 0; i < N; i++)
        for (int s = 0; s < CL_TIMER_SLOTS; s++) {
            conns[i].timer_due[s] = INFINITY;
            want_t[i][s] = INFINITY;
        }
}

static void arm(cl_timers *q, int i, unsigned slot, double t)
{
    CHECK(cl_timers_set(q, &conns[i], slot, t) == 0);
    want_t[i][slot] = t;
    want_seq[i][slot] = ++arm_counter;
}

/* Fire everything due at `now`, checking the order; returns how many. */
static unsigned drain(cl_timers *q, double now, double *last_t, uint64_t *last_seq)
{
    unsigned n = 0, slot;
    cl_conn *c;
    while ((c = cl_timers_next_due(q, now, &slot))) {
        int i = (int)(c - conns);
        CHECK(i >= 0 && i < N);
        double t = want_t[i][slot];
        CHECK(t <= now);
        /* Deadlines never go back (equal ones: see test_ties_in_arm_order). */
        CHECK(t >= *last_t);
        *last_t = t;
        *last_seq = want_seq[i][slot];
        want_t[i][slot] = INFINITY;
        cl_timers_rearm(q, c);
        n++;
    }
    return n;
}

/* Deadlines of a few constant delays from a moving clock (what the lanes
 * are for), mixed with arbitrary ones, ties, re-arming earlier and later,
 * and cancellations, drained as the clock moves. */
static void test_order_under_mixed_load(void)
{
    cl_timers q;
    setup(&q);
    static const double delays[] = {5.0, 6.0, 60.0, 300.0, 0.5};
    double now = 1000.0, last_t = -INFINITY;
    uint64_t last_seq = 0;
    unsigned fired = 0, armed_total = 0;
    for (int step = 0; step < 200000; step++) {
        int i = (int)(rnd() % N);
        unsigned slot = rnd() % CL_TIMER_SLOTS;
        unsigned kind = rnd() % 10;
        if (kind < 6) {
            arm(&q, i, slot, now + delays[rnd() % 5]);
        } else if (kind < 8) {
            /* arbitrary, often earlier than what the connection has */
            arm(&q, i, slot, now + (double)(rnd() % 4000) / 100.0);
        } else if (kind < 9) {
            arm(&q, i, slot, floor(now) + 7.0); /* many equal deadlines */
        } else {
            cl_timers_cancel(&q, &conns[i], slot);
            want_t[i][slot] = INFINITY;
            continue;
        }
        armed_total++;
        if (step % 50 == 0) {
            now += 0.01 * (rnd() % 20);
            fired += drain(&q, now, &last_t, &last_seq);
        }
    }
    fired += drain(&q, INFINITY, &last_t, &last_seq);
    /* Everything armed and not replaced or cancelled has fired. */
    unsigned left = 0;
    for (int i = 0; i < N; i++)
        for (int s = 0; s < CL_TIMER_SLOTS; s++)
            if (!isinf(want_t[i][s]))
                left++;
    CHECK_EQ_U64(left, 0);
    CHECK(fired > 0 && fired < armed_total);
    CHECK_EQ_U64(q.live, 0);
    cl_timers_free(&q);
    free(block);
}

/* Nothing fires early, and a connection's slots fire earliest first. */
static void test_one_connection_slots(void)
{
    cl_timers q;
    setup(&q);
    double last_t = -INFINITY;
    uint64_t last_seq = 0;
    arm(&q, 0, CL_TIMER_INACTIVITY, 300);
    arm(&q, 0, CL_TIMER_TCP_ATTEMPT, 5);
    arm(&q, 0, CL_TIMER_CONN_DELETE, 10);
    CHECK_EQ_U64(drain(&q, 4.999, &last_t, &last_seq), 0);
    CHECK_EQ_U64(drain(&q, 5, &last_t, &last_seq), 1);
    arm(&q, 0, CL_TIMER_CONN_DELETE, 20); /* moved later: not at 10 */
    CHECK_EQ_U64(drain(&q, 19, &last_t, &last_seq), 0);
    CHECK_EQ_U64(drain(&q, 20, &last_t, &last_seq), 1);
    cl_timers_cancel_all(&q, &conns[0]);
    want_t[0][CL_TIMER_INACTIVITY] = INFINITY;
    CHECK_EQ_U64(drain(&q, 1000, &last_t, &last_seq), 0);
    cl_timers_free(&q);
    free(block);
}

/* Equal deadlines of different connections fire in arm order, also when
 * they are spread over lanes and the heap: groups of ever earlier
 * deadlines, more groups than lanes, each group armed in shuffled order.
 * The queue's arm order starts at first_seq. */
static void ties_in_arm_order(uint32_t first_seq)
{
    cl_timers q;
    setup(&q);
    q.next_seq = first_seq;
    enum { GROUPS = 3 * CL_TIMER_LANES, PER = 200 };
    int n = 0;
    for (int g = 0; g < GROUPS; g++) {
        double t = 1000.0 - 10.0 * g;
        for (int k = 0; k < PER; k++) {
            int i = (int)((g * PER + (k * 37) % PER) % N);
            arm(&q, i, CL_TIMER_INACTIVITY, t);
            /* and a second entry at every other deadline, interleaved */
            if (k % 2 == 0)
                arm(&q, (i + N / 2) % N, CL_TIMER_TCP_EXPIRE, 1000.0 - 10.0 * ((g + 5) % GROUPS));
            n++;
        }
    }
    double last_t = -INFINITY;
    uint64_t last_seq = 0, fired = 0;
    unsigned slot;
    cl_conn *c;
    while ((c = cl_timers_next_due(&q, INFINITY, &slot))) {
        int i = (int)(c - conns);
        double t = want_t[i][slot];
        uint64_t seq = want_seq[i][slot];
        CHECK(t > last_t || (t == last_t && seq > last_seq));
        last_t = t;
        last_seq = seq;
        want_t[i][slot] = INFINITY;
        cl_timers_rearm(&q, c);
        fired++;
    }
    CHECK_EQ_U64(fired, GROUPS * PER + GROUPS * PER / 2);
    CHECK_EQ_U64(n, GROUPS * PER);
    cl_timers_free(&q);
    free(block);
}

/* Entries that go stale (cancelled) are dropped when they outnumber the
 * live ones, so memory follows the live connections: 200 000 arms and
 * cancellations keep the queue within a few chunks. The live entries in
 * front of them (same lane) and those armed after still fire, in order. */
static void test_stale_entries_compacted(void)
{
    cl_timers q;
    setup(&q);
    for (int i = 0; i < 5; i++)
        arm(&q, 200 + i, CL_TIMER_INACTIVITY, 999.0 + i * 0.001);
    for (int k = 0; k < 200000; k++) {
        int i = k % 10;
        CHECK(cl_timers_set(&q, &conns[i], CL_TIMER_INACTIVITY, 1000.0 + k * 0.001) == 0);
        cl_timers_cancel_all(&q, &conns[i]);
        conns[i].timer_due[CL_TIMER_INACTIVITY] = INFINITY;
    }
    CHECK(cl_timers_memory(&q) < 64 * sizeof(cl_timer_chunk));
    double last_t = -INFINITY;
    uint64_t last_seq = 0;
    for (int i = 0; i < 5; i++)
        arm(&q, 100 + i, CL_TIMER_INACTIVITY, 2000.0 - i);
    CHECK_EQ_U64(drain(&q, 1999.5, &last_t, &last_seq), 5 + 4); /* 999.00x, 1996 .. 1999 */
    CHECK_EQ_U64(drain(&q, INFINITY, &last_t, &last_seq), 1);
    CHECK_EQ_U64(q.live, 0);
    cl_timers_free(&q);
    free(block);
}

static void test_ties_in_arm_order(void)
{
    ties_in_arm_order(1);
}

/* The 32-bit arm order wraps (skipping 0, which means "no entry") in the
 * middle of the groups: ties still go in arm order. */
static void test_ties_across_the_arm_order_wrap(void)
{
    ties_in_arm_order(UINT32_MAX - 2500);
}

TEST_MAIN(test_order_under_mixed_load, test_one_connection_slots, test_stale_entries_compacted,
          test_ties_in_arm_order,
          test_ties_across_the_arm_order_wrap)
