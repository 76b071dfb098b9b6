/*
 * expect.c - expected connections: Zeek's Analyzer::schedule_analyzer, as
 * the FTP, GridFTP and IRC scripts use it for data channels.
 *
 * An expectation names the responder address and port, and the originator
 * address or any; a new TCP connection that matches one before it expires
 * gets the expected service. Zeek keeps an expectation until it times out
 * (one PASV can serve several connections), so do we. The table is small
 * and bounded: when full, the oldest expectation makes room.
 */
#include "analyzer/expect.h"

#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "engine.h"

#define EXPECT_MAX 256

void cl_expect_add(cl_engine *e, const cl_addr *orig, const cl_addr *resp, uint16_t resp_p,
                   double timeout, const char *service)
{
    if (!e->expected) {
        e->expected = calloc(EXPECT_MAX, sizeof *e->expected);
        if (!e->expected)
            return;
    }
    cl_expectation *x = &e->expected[e->expect_next];
    e->expect_next = (e->expect_next + 1) % EXPECT_MAX;
    if (e->n_expected < EXPECT_MAX)
        e->n_expected++;
    memset(x, 0, sizeof *x);
    x->any_orig = orig == NULL;
    if (orig)
        x->orig = *orig;
    x->resp = *resp;
    x->resp_p = resp_p;
    x->expires = e->network_time + timeout;
    strncpy(x->service, service, sizeof x->service - 1);
}

bool cl_expect_apply(cl_engine *e, cl_conn *c)
{
    cl_addr orig = cl_conn_orig_h(c), resp = cl_conn_resp_h(c);
    const cl_addr *oh = &orig, *rh = &resp;
    uint16_t rp = cl_conn_resp_p(c);
    bool live = false, expected = false;
    for (size_t i = 0; i < e->n_expected; i++) {
        const cl_expectation *x = &e->expected[i];
        if (x->expires <= e->network_time)
            continue;
        live = true;
        if (x->resp_p != rp || memcmp(&x->resp, rh, sizeof *rh) != 0)
            continue;
        if (!x->any_orig && memcmp(&x->orig, oh, sizeof *oh) != 0)
            continue;
        cl_conn_add_service(c, x->service);
        expected = true;
    }
    if (!live) /* all expired: new connections need not look any more */
        e->n_expected = e->expect_next = 0;
    return expected;
}

void cl_expect_free(cl_engine *e)
{
    free(e->expected);
    e->expected = NULL;
    e->n_expected = e->expect_next = 0;
}
