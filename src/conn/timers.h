/*
 * timers.h - connection timers in one priority queue, ordered exactly like
 * Zeek's PriorityQueue (src/PriorityQueue.cc), so that connections whose
 * timers expire at the same instant are removed in Zeek's order.
 *
 * A connection has a fixed set of timer slots (conn.h); each armed slot
 * remembers its position in the heap so it can be cancelled in O(log n).
 */
#ifndef CL_TIMERS_H
#define CL_TIMERS_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"

typedef struct cl_timer {
    double t;
    cl_conn *conn;
    uint32_t slot;
} cl_timer;

typedef struct cl_timers {
    cl_timer *heap;
    size_t n, cap;
} cl_timers;

int cl_timers_init(cl_timers *q);
void cl_timers_free(cl_timers *q);

/* Arm slot `slot` of c at time t (cancelling what the slot held). */
int cl_timers_set(cl_timers *q, cl_conn *c, unsigned slot, double t);
void cl_timers_cancel(cl_timers *q, cl_conn *c, unsigned slot);
void cl_timers_cancel_all(cl_timers *q, cl_conn *c);

/* The earliest timer, or NULL. */
static inline const cl_timer *cl_timers_top(const cl_timers *q)
{
    return q->n ? &q->heap[0] : NULL;
}

/* Remove the earliest timer, returning it in *out. */
int cl_timers_pop(cl_timers *q, cl_timer *out);

#endif /* CL_TIMERS_H */
