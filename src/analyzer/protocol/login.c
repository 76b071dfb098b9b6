/*
 * login.c - Zeek's Telnet and RSH analyzers (src/analyzer/protocol/login),
 * attached only by a port registration (--analyzer-port), as in Zeek's
 * default scripts, which register none. Neither confirms a service here;
 * what matters to conn.log is their line buffer: a line that outgrows it
 * is a limit reached (history X).
 */
#include <stdint.h>

#include "analyzer/analyzer.h"

/* The longest line Zeek's NVT line splitter holds (ContentLine's default
 * maximum, 16 MiB - 100). */
#define NVT_MAX_LINE (16u * 1024 * 1024 - 100)

/* Telnet and RSH: only the length of the line being buffered matters. */
enum { RSH_PROLOG = 0, RSH_CLIENT_USER, RSH_SERVER_USER, RSH_LINES };

typedef struct login_dir {
    uint32_t len;               /* bytes in Zeek's line buffer */
    uint8_t rsh_state;          /* RSH_*: what the originator sends next */
    bool last_cr;
} login_dir;

typedef struct login_state {
    login_dir dir[2];
    bool started;
} login_state;

/* Zeek's Telnet analyzer splits both directions into NVT lines (CR, LF or
 * CRLF end one); a line that outgrows the buffer is a limit reached (X).
 * Neither it nor RSH confirms a service here. */
static void telnet_byte(login_dir *d, uint8_t ch)
{
    if (ch == '\r' || (ch == '\n' && !d->last_cr))
        d->len = 0;
    else if (ch != '\n' && ch != '\0')
        d->len++;
    d->last_cr = ch == '\r';
}

/* RSH (RFC 1282): the client sends an optional stderr port, NUL, its user
 * name, NUL, the server user name, NUL, then command lines; the server
 * sends lines. Zeek buffers each name and line. */
static void rsh_byte(login_dir *d, uint8_t ch)
{
    switch (d->rsh_state) {
    case RSH_PROLOG:
        if (ch == '\0')
            d->rsh_state = RSH_CLIENT_USER;
        else if (ch < '0' || ch > '9')
            d->rsh_state = RSH_LINES; /* a bad prolog */
        return;
    case RSH_CLIENT_USER:
    case RSH_SERVER_USER:
        d->len++;
        if (ch == '\0') {
            if (d->rsh_state == RSH_CLIENT_USER)
                d->rsh_state = RSH_SERVER_USER;
            else if (d->len > 1)
                d->rsh_state = RSH_LINES;
            d->len = 0;
        }
        return;
    default:
        /* CR, LF or NUL end a line; Zeek keeps the LF of a CRLF. */
        if (ch == '\0' || ch == '\r' || (ch == '\n' && !d->last_cr))
            d->len = 0;
        else
            d->len++;
        d->last_cr = ch == '\r';
        return;
    }
}

static void feed(cl_an *a, bool rsh, bool is_orig, const uint8_t *p, uint32_t n)
{
    login_state *s = cl_an_state(a);
    if (!s->started) {
        /* A connection picked up mid-stream has no RSH prolog to wait for. */
        s->started = true;
        if (cl_an_tcp_partial(a))
            s->dir[0].rsh_state = RSH_LINES;
        s->dir[1].rsh_state = RSH_LINES;
    }
    login_dir *d = &s->dir[is_orig ? 0 : 1];
    for (uint32_t i = 0; i < n; i++) {
        if (d->len >= NVT_MAX_LINE) {
            /* X can be marked once: nothing more to learn here. */
            cl_an_limit_reached(a);
            cl_an_stop(a);
            return;
        }
        if (rsh)
            rsh_byte(d, p[i]);
        else
            telnet_byte(d, p[i]);
    }
}

static void telnet_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    (void)off;
    feed(a, false, is_orig, p, n);
}

static void rsh_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    (void)off;
    feed(a, true, is_orig, p, n);
}

const cl_analyzer cl_analyzer_telnet = {
    .name = "telnet",
    .transport = CL_AN_TCP,
    .flags = CL_AN_F_REGISTER_ONLY,
    .state_size = sizeof(login_state),
    .deliver = telnet_deliver,
};

const cl_analyzer cl_analyzer_rsh = {
    .name = "rsh",
    .transport = CL_AN_TCP,
    .flags = CL_AN_F_REGISTER_ONLY,
    .state_size = sizeof(login_state),
    .deliver = rsh_deliver,
};
