/*
 * timers.c - sorted FIFO lanes and a 4-ary min-heap of (deadline, arm
 * order) with lazy invalidation: an entry is live only while its
 * connection's timer_seq still names it.
 */
#include "conn/timers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem/huge.h"

int cl_timers_init(cl_timers *q, const unsigned char *base)
{
    q->base = base;
    q->spare = NULL;
    q->n_spare = q->n_chunks = 0;
    q->not_before = INFINITY;
    for (int i = 0; i < CL_TIMER_LANES; i++)
        q->lanes[i] = (cl_timer_lane){0};
    q->cap = 1024;
    q->n = 0;
    q->next_seq = 1;
    q->live = 0;
    q->heap = cl_huge_alloc(q->cap * sizeof *q->heap);
    return q->heap ? 0 : -1;
}

void cl_timers_free(cl_timers *q)
{
    for (int i = 0; i < CL_TIMER_LANES; i++) {
        for (cl_timer_chunk *c = q->lanes[i].first, *next; c; c = next) {
            next = c->next;
            free(c);
        }
        q->lanes[i] = (cl_timer_lane){0};
    }
    for (cl_timer_chunk *c = q->spare, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    q->spare = NULL;
    q->n_spare = q->n_chunks = 0;
    cl_huge_free(q->heap, q->cap * sizeof *q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

size_t cl_timers_memory(const cl_timers *q)
{
    return q->cap * sizeof *q->heap + q->n_chunks * sizeof(cl_timer_chunk);
}

static bool before(const cl_timer_entry *a, const cl_timer_entry *b)
{
    return a->t < b->t || (a->t == b->t && (int32_t)(a->seq - b->seq) < 0);
}

static void sift_up(cl_timer_entry *h, size_t i)
{
    cl_timer_entry e = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!before(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void sift_down(cl_timer_entry *h, size_t n, size_t i)
{
    cl_timer_entry e = h[i];
    for (;;) {
        size_t c = 4 * i + 1, best = i;
        const cl_timer_entry *bv = &e;
        for (size_t k = c; k < c + 4 && k < n; k++)
            if (before(&h[k], bv)) {
                best = k;
                bv = &h[k];
            }
        if (best == i)
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static cl_conn *entry_conn(const cl_timers *q, const cl_timer_entry *e)
{
    return (cl_conn *)cl_arena_ptr(q->base, e->ref);
}

static bool is_live(const cl_timers *q, const cl_timer_entry *e)
{
    return entry_conn(q, e)->timer_seq == e->seq;
}

/* The next arm order (0 means "no entry"). */
static uint32_t take_seq(cl_timers *q)
{
    uint32_t seq = q->next_seq++;
    if (q->next_seq == 0)
        q->next_seq = 1;
    return seq;
}

/* Do n entries (of the heap or of a lane) outnumber the live connections
 * enough that dropping the stale ones beats growing? So memory stays
 * proportional to the live connections. */
static bool mostly_stale(const cl_timers *q, size_t n)
{
    return n > 2 * q->live + 1024;
}

/* Drop the heap's stale entries. */
static void compact(cl_timers *q)
{
    size_t w = 0;
    for (size_t r = 0; r < q->n; r++)
        if (is_live(q, &q->heap[r]))
            q->heap[w++] = q->heap[r];
    q->n = w;
    for (size_t i = q->n / 4 + 1; i-- > 0;)
        if (i < q->n)
            sift_down(q->heap, q->n, i);
}

/* ---------------------------------------------------------------- */
/* Lanes                                                             */
/* ---------------------------------------------------------------- */

/* Emptied chunks kept for the lanes to reuse (beyond this they are freed,
 * so that memory follows the number of entries down again). */
#define SPARE_CHUNKS 16

static cl_timer_chunk *chunk_get(cl_timers *q)
{
    cl_timer_chunk *c = q->spare;
    if (c) {
        q->spare = c->next;
        q->n_spare--;
    } else {
        if (!(c = malloc(sizeof *c)))
            return NULL;
        q->n_chunks++;
    }
    c->next = NULL;
    return c;
}

static void chunk_put(cl_timers *q, cl_timer_chunk *c)
{
    if (q->n_spare >= SPARE_CHUNKS) {
        free(c);
        q->n_chunks--;
        return;
    }
    c->next = q->spare;
    q->spare = c;
    q->n_spare++;
}

/* A lane's oldest and newest entries (n > 0). */
static cl_timer_entry *lane_first(const cl_timer_lane *l)
{
    return &l->first->e[l->head];
}

static const cl_timer_entry *lane_last(const cl_timer_lane *l)
{
    return &l->last->e[l->tail - 1];
}

static void lane_pop(cl_timers *q, cl_timer_lane *l)
{
    l->head++;
    l->n--;
    if (l->n == 0) { /* then first == last */
        chunk_put(q, l->first);
        *l = (cl_timer_lane){0};
    } else if (l->head == CL_TIMER_CHUNK) {
        cl_timer_chunk *next = l->first->next;
        chunk_put(q, l->first);
        l->first = next;
        l->head = 0;
    }
}

/* Keep the live entries only, in order, and give back the chunks that
 * empties. */
static void lane_compact(cl_timers *q, cl_timer_lane *l)
{
    if (l->n == 0)
        return;
    cl_timer_chunk *rc = l->first, *wc = l->first;
    uint32_t ri = l->head, wi = l->head;
    size_t kept = 0;
    for (size_t k = 0; k < l->n; k++) {
        if (ri == CL_TIMER_CHUNK) {
            rc = rc->next;
            ri = 0;
        }
        cl_timer_entry e = rc->e[ri++];
        if (!is_live(q, &e))
            continue;
        if (wi == CL_TIMER_CHUNK) {
            wc = wc->next;
            wi = 0;
        }
        wc->e[wi++] = e;
        kept++;
    }
    for (cl_timer_chunk *c = wc->next, *next; c; c = next) {
        next = c->next;
        chunk_put(q, c);
    }
    wc->next = NULL;
    if (kept == 0) { /* wc is still the first chunk */
        chunk_put(q, wc);
        *l = (cl_timer_lane){0};
        return;
    }
    l->n = kept;
    l->last = wc;
    l->tail = wi;
}

static int lane_append(cl_timers *q, cl_timer_lane *l, const cl_timer_entry *e)
{
    bool full = !l->last || l->tail == CL_TIMER_CHUNK;
    if (full && mostly_stale(q, l->n)) {
        lane_compact(q, l);
        full = !l->last || l->tail == CL_TIMER_CHUNK;
    }
    if (full) {
        cl_timer_chunk *c = chunk_get(q);
        if (!c)
            return -1;
        if (l->last) {
            l->last->next = c;
        } else {
            l->first = c;
            l->head = 0;
        }
        l->last = c;
        l->tail = 0;
    }
    l->last->e[l->tail++] = *e;
    l->n++;
    return 0;
}

/* The lane an entry of time t can join: the one whose last entry is the
 * latest not after t (ties in time are fine: arm order grows), else an
 * empty lane; NULL when none fits. */
static cl_timer_lane *lane_for(cl_timers *q, double t)
{
    cl_timer_lane *best = NULL, *empty = NULL;
    double best_t = 0;
    for (int i = 0; i < CL_TIMER_LANES; i++) {
        cl_timer_lane *l = &q->lanes[i];
        if (l->n == 0) {
            if (!empty)
                empty = l;
            continue;
        }
        double last = lane_last(l)->t;
        if (last <= t && (!best || last > best_t)) {
            best = l;
            best_t = last;
        }
    }
    return best ? best : empty;
}

/* The earliest entry of all (lane heads and heap top): where it lives.
 * Returns NULL when there are no entries; *lane is NULL for the heap. */
static cl_timer_entry *earliest_entry(cl_timers *q, cl_timer_lane **lane)
{
    cl_timer_entry *best = q->n ? &q->heap[0] : NULL;
    *lane = NULL;
    for (int i = 0; i < CL_TIMER_LANES; i++) {
        cl_timer_lane *l = &q->lanes[i];
        if (l->n == 0)
            continue;
        cl_timer_entry *h = lane_first(l);
        if (!best || before(h, best)) {
            best = h;
            *lane = l;
        }
    }
    return best;
}

/* Put e in the heap. 0, or -1 when out of memory. */
static int heap_push(cl_timers *q, const cl_timer_entry *e)
{
    if (q->n == q->cap) {
        if (mostly_stale(q, q->n)) {
            compact(q);
        } else {
            size_t cap = q->cap * 2;
            cl_timer_entry *h = cl_huge_alloc(cap * sizeof *h);
            if (!h)
                return -1;
            memcpy(h, q->heap, q->n * sizeof *h);
            cl_huge_free(q->heap, q->cap * sizeof *q->heap);
            q->heap = h;
            q->cap = cap;
        }
    }
    q->heap[q->n] = *e;
    sift_up(q->heap, q->n++);
    return 0;
}

/* Queue c's entry at time t: in the lane it fits, else in the heap. */
static int add(cl_timers *q, cl_conn *c, double t)
{
    cl_timer_entry e = {t, q->next_seq, cl_arena_ref(q->base, c)};
    cl_timer_lane *l = lane_for(q, t);
    if (!(l && lane_append(q, l, &e) == 0) && heap_push(q, &e) != 0)
        return -1;
    take_seq(q);
    if (c->timer_seq == 0)
        q->live++;
    c->timer_seq = e.seq;
    c->timer_next = t;
    if (t < q->not_before)
        q->not_before = t;
    return 0;
}

static unsigned earliest_slot(const cl_conn *c);

/* Invariant: while a connection has a live entry, its time is at or
 * before every armed deadline of the connection. */
int cl_timers_set(cl_timers *q, cl_conn *c, unsigned slot, double t)
{
    c->timer_due[slot] = t;
    if (c->timer_seq != 0) {
        if (!(t < c->timer_next))
            return 0; /* the live entry comes first anyway */
        return add(q, c, t);
    }
    return add(q, c, c->timer_due[earliest_slot(c)]);
}

void cl_timers_cancel(cl_timers *q, cl_conn *c, unsigned slot)
{
    (void)q;
    c->timer_due[slot] = INFINITY;
}

void cl_timers_cancel_all(cl_timers *q, cl_conn *c)
{
    for (unsigned s = 0; s < CL_TIMER_SLOTS; s++)
        c->timer_due[s] = INFINITY;
    if (c->timer_seq != 0)
        q->live--;
    c->timer_seq = 0;
}

static void pop_top(cl_timers *q)
{
    q->heap[0] = q->heap[--q->n];
    if (q->n)
        sift_down(q->heap, q->n, 0);
}

static unsigned earliest_slot(const cl_conn *c)
{
    unsigned best = 0;
    for (unsigned s = 1; s < CL_TIMER_SLOTS; s++)
        if (c->timer_due[s] < c->timer_due[best])
            best = s;
    return best;
}

cl_conn *cl_timers_next_due(cl_timers *q, double now, unsigned *slot)
{
    if (!(q->not_before <= now))
        return NULL;
    cl_timer_lane *lane;
    cl_timer_entry *top;
    for (;;) {
        if (!(top = earliest_entry(q, &lane))) {
            q->not_before = INFINITY;
            return NULL;
        }
        /* Time first: the usual answer (nothing due) then costs no look
         * at the connection's memory. */
        if (!(top->t <= now)) {
            q->not_before = top->t;
            return NULL;
        }
        cl_timer_entry e = *top;
        if (lane) {
            lane_pop(q, lane);
        } else {
            pop_top(q);
        }
        if (!is_live(q, &e))
            continue;
        cl_conn *c = entry_conn(q, &e);
        c->timer_seq = 0;
        q->live--;
        unsigned s = earliest_slot(c);
        if (!(c->timer_due[s] <= e.t)) {
            /* The slot behind this entry was cancelled or moved later:
             * queue the connection again at its earliest deadline, which
             * may still be due now but must wait for those before it. */
            cl_timers_rearm(q, c);
            continue;
        }
        c->timer_due[s] = INFINITY;
        *slot = s;
        return c;
    }
}

int cl_timers_rearm(cl_timers *q, cl_conn *c)
{
    if (c->timer_seq != 0)
        return 0;
    double t = c->timer_due[earliest_slot(c)];
    if (isinf(t))
        return 0;
    return add(q, c, t);
}
