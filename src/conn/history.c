/*
 * history.c - the connection history string (Zeek's Session::AddHistory,
 * CheckHistory and ScaledHistoryEntry).
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"

void cl_scaled_init(cl_scaled *s)
{
    *s = 0;
}

/* The counter in the low 31 bits (it never passes the last threshold,
 * below 2^31); the top bit: the threshold has stopped growing. */
#define SCALED_STUCK 0x80000000u
/* The threshold after 10^9: 10^10 modulo 2^32, as Zeek's uint32 holds it. */
#define SCALED_LAST 1410065408u

static bool scaled_hits_threshold(uint32_t n, bool stuck)
{
    if (stuck)
        return n == SCALED_LAST;
    if (n == SCALED_LAST)
        return true;
    for (uint32_t p = 1; p <= 1000000000u && p <= n; p *= 10)
        if (p == n)
            return true;
    return false;
}

void cl_hist_reset(cl_conn *c)
{
    c->hist_buf.inl[0] = '\0';
    c->hist_cap = CL_HIST_INLINE;
    c->hist_len = 0;
    c->hist_seen = 0;
}

void cl_hist_free(cl_conn *c)
{
    if (c->hist_cap > CL_HIST_INLINE)
        free(c->hist_buf.heap);
    cl_hist_reset(c);
}

void cl_hist_add(cl_conn *c, char code)
{
    if (c->hist_len + 1u >= c->hist_cap) {
        /* Zeek's logs truncate strings at 4096 bytes; keep no more. */
        if (c->hist_cap >= CL_HIST_MAX)
            return;
        uint16_t cap = (uint16_t)(c->hist_cap * 4 > CL_HIST_MAX ? CL_HIST_MAX : c->hist_cap * 4);
        char *n = malloc(cap);
        if (!n)
            return;
        memcpy(n, cl_hist(c), c->hist_len);
        if (c->hist_cap > CL_HIST_INLINE)
            free(c->hist_buf.heap);
        c->hist_buf.heap = n;
        c->hist_cap = cap;
    }
    char *h = cl_hist(c);
    h[c->hist_len++] = code;
    h[c->hist_len] = '\0';
}

bool cl_hist_check(cl_conn *c, uint32_t mask, char code)
{
    if ((c->hist_seen & mask) == 0) {
        c->hist_seen |= mask;
        cl_hist_add(c, code);
        return false;
    }
    return true;
}

bool cl_hist_scaled(cl_conn *c, char code, cl_scaled *s)
{
    bool stuck = *s & SCALED_STUCK;
    uint32_t n = (*s & ~SCALED_STUCK) + 1;
    if (!scaled_hits_threshold(n, stuck)) {
        *s = n | (*s & SCALED_STUCK);
        return false;
    }
    cl_hist_add(c, code);
    /* Past SCALED_LAST the threshold's multiplication overflows: Zeek
     * restarts the count and keeps the threshold. */
    *s = n == SCALED_LAST ? SCALED_STUCK : n;
    return true;
}
