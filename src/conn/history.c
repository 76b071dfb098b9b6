/*
 * history.c - the connection history string (Zeek's Session::AddHistory,
 * CheckHistory and ScaledHistoryEntry).
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"

void cl_scaled_init(cl_scaled *s)
{
    s->count = 0;
    s->threshold = 1;
}

void cl_hist_reset(cl_conn *c)
{
    c->hist = c->hist_inline;
    c->hist_cap = CL_HIST_INLINE;
    c->hist_len = 0;
    c->hist_seen = 0;
}

void cl_hist_free(cl_conn *c)
{
    if (c->hist != c->hist_inline)
        free(c->hist);
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
        memcpy(n, c->hist, c->hist_len);
        if (c->hist != c->hist_inline)
            free(c->hist);
        c->hist = n;
        c->hist_cap = cap;
    }
    c->hist[c->hist_len++] = code;
    c->hist[c->hist_len] = '\0';
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
    if (++s->count != s->threshold)
        return false;
    cl_hist_add(c, code);
    uint32_t next = s->threshold * 10u;
    /* On overflow Zeek restarts the count and keeps the threshold. */
    if (next <= s->threshold)
        s->count = 0;
    else
        s->threshold = next;
    return true;
}
