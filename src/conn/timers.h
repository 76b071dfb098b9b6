/*
 * timers.h - connection timers.
 *
 * Each connection keeps the deadline of each of its timer slots (conn.h)
 * and has at most one live entry in a global 4-ary min-heap: the earliest
 * of its deadlines. Arming a later deadline or cancelling touches only the
 * connection; an entry that no longer matches its connection (re-armed
 * earlier, cancelled, connection removed) is skipped when it surfaces. So
 * a packet costs no heap work unless it arms an earlier deadline, and a
 * connection costs one heap entry, not one per timer.
 *
 * Timers fire one slot at a time in global deadline order; equal times go
 * in the order they were armed (Zeek's order for ties depends on its heap
 * shape and on unrelated script timers, and is not reproduced).
 *
 * Most deadlines are "now plus one of a few constants", so entries arrive
 * mostly in deadline order per constant. Each entry first tries a handful
 * of FIFO lanes: it joins the lane whose last entry is the latest one not
 * after it (so every lane stays sorted), and only entries that fit no lane
 * go to the heap. The next due entry is the least of the lane heads and
 * the heap top: a push costs O(1) instead of a walk down a heap of a
 * million entries.
 */
#ifndef CL_TIMERS_H
#define CL_TIMERS_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "mem/arena.h"

/* 16 bytes: the connection is named by its arena reference (mem/arena.h)
 * and the arm order by a 32-bit serial number. Serial numbers wrap; they
 * are compared as RFC 1982 does (right while the entries queued at once
 * span fewer than 2^31 arms), and 0 is skipped because it means "none". */
typedef struct cl_timer_entry {
    double t;
    uint32_t seq;        /* arm order; also identifies the entry */
    uint32_t ref;        /* the connection */
} cl_timer_entry;

/* A sorted FIFO of entries: a chain of fixed-size chunks. A lane of half
 * a million entries then carries at most one chunk of slack, and growing
 * never copies it (a doubling ring buffer held up to twice its entries). */
#define CL_TIMER_CHUNK 1024

typedef struct cl_timer_chunk {
    struct cl_timer_chunk *next;
    cl_timer_entry e[CL_TIMER_CHUNK];
} cl_timer_chunk;

typedef struct cl_timer_lane {
    cl_timer_chunk *first, *last;   /* oldest and newest chunk; NULL when empty */
    uint32_t head, tail;            /* next to pop in first; next free in last */
    size_t n;
} cl_timer_lane;

#define CL_TIMER_LANES 8

typedef struct cl_timers {
    cl_timer_lane lanes[CL_TIMER_LANES];
    cl_timer_entry *heap;
    size_t n, cap;
    const unsigned char *base;  /* of the arena the connections live in */
    cl_timer_chunk *spare;      /* emptied chunks kept for reuse */
    size_t n_spare, n_chunks;   /* kept; allocated in all (lanes and spare) */
    uint32_t next_seq;
    size_t live;         /* connections with a live entry */
    /* No entry is due before this (a lower bound, exact after a look):
     * the check made twice per packet then costs one compare. */
    double not_before;
} cl_timers;

/* The connections will come from the arena at `base`. */
int cl_timers_init(cl_timers *q, const unsigned char *base);
void cl_timers_free(cl_timers *q);

/* Arm slot `slot` of c at time t (replacing what the slot held). */
int cl_timers_set(cl_timers *q, cl_conn *c, unsigned slot, double t);
void cl_timers_cancel(cl_timers *q, cl_conn *c, unsigned slot);
/* Forget all of c's timers (its heap entry goes stale). */
void cl_timers_cancel_all(cl_timers *q, cl_conn *c);

/* The next due (slot, connection) at or before `now`: disarms that slot
 * and returns its connection, or NULL when nothing is due. */
cl_conn *cl_timers_next_due(cl_timers *q, double now, unsigned *slot);

/* Put c back in the heap after one of its slots fired (if any is armed). */
int cl_timers_rearm(cl_timers *q, cl_conn *c);

size_t cl_timers_memory(const cl_timers *q);

#endif /* CL_TIMERS_H */
