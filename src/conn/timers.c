/*
 * timers.c - Zeek's binary heap, quirks included.
 *
 * Zeek indexes a 0-based array with 1-based formulas (parent = i/2,
 * children = 2i and 2i+1), so the root's only real child is index 1. The
 * shape matters only for the order of equal times; we keep it so that
 * records of simultaneously expiring connections come out as Zeek's do.
 */
#include "conn/timers.h"

#include <math.h>
#include <stdlib.h>

int cl_timers_init(cl_timers *q)
{
    q->cap = 1024;
    q->n = 0;
    q->heap = malloc(q->cap * sizeof *q->heap);
    return q->heap ? 0 : -1;
}

void cl_timers_free(cl_timers *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

static void place(cl_timers *q, size_t i, cl_timer e)
{
    q->heap[i] = e;
    e.conn->timer_pos[e.slot] = (int32_t)i;
}

static void swap(cl_timers *q, size_t a, size_t b)
{
    cl_timer ea = q->heap[a], eb = q->heap[b];
    place(q, a, eb);
    place(q, b, ea);
}

static void bubble_up(cl_timers *q, size_t i)
{
    while (i != 0) {
        size_t p = i >> 1;
        if (!(q->heap[p].t > q->heap[i].t))
            return;
        swap(q, p, i);
        i = p;
    }
}

static void bubble_down(cl_timers *q, size_t i)
{
    for (;;) {
        double v = q->heap[i].t;
        size_t l = i << 1, r = (i << 1) + 1;
        if (l >= q->n)
            return;
        if (r >= q->n) {
            if (q->heap[l].t < v)
                swap(q, l, i);
            return;
        }
        double lv = q->heap[l].t, rv = q->heap[r].t;
        if (lv < rv) {
            if (!(lv < v))
                return;
            swap(q, l, i);
            i = l;
        } else {
            if (!(rv < v))
                return;
            swap(q, r, i);
            i = r;
        }
    }
}

int cl_timers_pop(cl_timers *q, cl_timer *out)
{
    if (q->n == 0)
        return -1;
    *out = q->heap[0];
    out->conn->timer_pos[out->slot] = -1;
    q->n--;
    if (q->n) {
        place(q, 0, q->heap[q->n]);
        bubble_down(q, 0);
    }
    return 0;
}

void cl_timers_cancel(cl_timers *q, cl_conn *c, unsigned slot)
{
    int32_t pos = c->timer_pos[slot];
    if (pos < 0)
        return;
    /* Zeek's Remove(e): make it the minimum, bubble it up, pop it. */
    q->heap[pos].t = -INFINITY;
    bubble_up(q, (size_t)pos);
    cl_timer dummy;
    cl_timers_pop(q, &dummy);
}

void cl_timers_cancel_all(cl_timers *q, cl_conn *c)
{
    for (unsigned s = 0; s < CL_TIMER_SLOTS; s++)
        cl_timers_cancel(q, c, s);
}

int cl_timers_set(cl_timers *q, cl_conn *c, unsigned slot, double t)
{
    cl_timers_cancel(q, c, slot);
    if (q->n == q->cap) {
        size_t cap = q->cap * 2;
        cl_timer *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    cl_timer e = {t, c, slot};
    place(q, q->n, e);
    q->n++;
    bubble_up(q, q->n - 1);
    return 0;
}
