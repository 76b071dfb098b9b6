/*
 * postgresql.c - the PostgreSQL analyzer's verdict (Zeek's Spicy analyzer
 * in src/analyzer/protocol/postgresql, attached on 5432/tcp or by its DPD
 * signatures in scripts/base/protocols/postgresql/dpd.sig).
 *
 * Zeek confirms on a complete client StartupMessage (protocol 3, name and
 * value parameters) or on the server's 'S'/'N' answer to an SSLRequest;
 * after 'S' both streams are TLS. A message that breaks the grammar's
 * requirements is a violation: a length below its minimum, another major
 * version, a malformed parameter, an authentication request above 12, a
 * bad ReadyForQuery status. Everything else is skipped by its length.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "decode/decode.h"

/* What the parser raised so far. */
enum { PG_CONFIRM = 1, PG_VIOLATION = 2, PG_TLS = 4 };

#define PG_SSL_MAGIC 80877103u
#define PG_STARTUP_MAX 4096     /* startup messages checked up to this size */

enum {
    F_HEADER,                   /* the first 8 bytes: length, version or magic */
    F_WAIT_SSL,                 /* SSLRequest sent, the server's byte decides */
    F_STARTUP,                  /* the rest of the StartupMessage */
    F_MSG_HEADER,               /* type and length of a message */
    F_MSG_BODY,
    P_OFF
};

typedef struct cl_pgsql {
    uint8_t phase[2];
    uint8_t hdr[2][8];
    uint8_t nhdr[2];
    bool ssl_requested;         /* the client's first message was SSLRequest */
    bool ssl_answered;
    uint8_t type[2];            /* the current message's type */
    uint32_t need[2];           /* bytes left in the current body */
    uint8_t body[2][4];         /* the body's first bytes, for the checks */
    uint8_t nbody[2];
    uint32_t body_len[2];
    uint8_t *startup;           /* the StartupMessage after its header */
    uint32_t startup_len, startup_have;
    int verdict;                /* PG_* flags raised so far */
    uint64_t tls_at[2];         /* where TLS starts in each stream */
    bool confirmed;             /* the analyzer confirmed */
    bool started;               /* the client's stream was seen from its start */
    cl_an *tls;                 /* after 'S': the SSL child */
} cl_pgsql;

static void violation(cl_pgsql *p)
{
    p->verdict |= PG_VIOLATION;
    p->phase[0] = p->phase[1] = P_OFF;
}

/* name: /[-_\/A-Za-z0-9]+/ \0 value: /[\x20-\x7e]+/ \0, filling `n` bytes. */
static bool startup_parameters_ok(const uint8_t *b, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint32_t s = i;
        while (i < n && (b[i] == '-' || b[i] == '_' || b[i] == '/' || (b[i] >= '0' && b[i] <= '9') ||
                         ((b[i] | 0x20) >= 'a' && (b[i] | 0x20) <= 'z')))
            i++;
        if (i == s || i >= n || b[i++] != 0)
            return false;
        s = i;
        while (i < n && b[i] >= 0x20 && b[i] <= 0x7e)
            i++;
        if (i == s || i >= n || b[i++] != 0)
            return false;
    }
    return true;
}

/* The 8-byte header of the client's first message (or, after 'N', of its
 * StartupMessage). */
static void frontend_header(cl_pgsql *p, uint64_t end_off, bool ssl_allowed)
{
    uint32_t len = cl_rd32(p->hdr[0]), vm = cl_rd32(p->hdr[0] + 4);
    if (len < 8) {
        violation(p);
        return;
    }
    if (ssl_allowed && len == 8 && vm == PG_SSL_MAGIC) {
        p->ssl_requested = true;
        p->tls_at[0] = end_off;
        p->phase[0] = F_WAIT_SSL;
        return;
    }
    if (vm >> 16 != 3 || len < 9) {
        violation(p);
        return;
    }
    p->startup_len = len - 8;
    p->startup_have = 0;
    if (p->startup_len <= PG_STARTUP_MAX && !p->startup)
        p->startup = malloc(PG_STARTUP_MAX);
    p->phase[0] = F_STARTUP;
}

static void startup_done(cl_pgsql *p)
{
    if (p->startup && p->startup_len <= PG_STARTUP_MAX) {
        uint32_t params = p->startup_len - 1;
        if (!startup_parameters_ok(p->startup, params) || p->startup[params] != 0) {
            violation(p);
            return;
        }
    }
    p->verdict |= PG_CONFIRM;
    p->phase[0] = F_MSG_HEADER;
}

/* A backend message's checks, once its first body bytes are in. */
static bool backend_ok(const cl_pgsql *p)
{
    const uint8_t *b = p->body[1];
    uint32_t n = p->body_len[1];
    switch (p->type[1]) {
    case 'Z':
        return n >= 1 && (b[0] == 'I' || b[0] == 'T' || b[0] == 'E');
    case 'R':
        if (n < 4 || cl_rd32(b) > 12)
            return false;
        return cl_rd32(b) != 0 || n == 4;
    default:
        return true;
    }
}

static void message_header(cl_pgsql *p, int dir)
{
    uint32_t len = cl_rd32(p->hdr[dir] + 1);
    if (len < 4) {
        violation(p);
        return;
    }
    p->type[dir] = p->hdr[dir][0];
    p->need[dir] = len - 4;
    p->body_len[dir] = len - 4;
    p->nbody[dir] = 0;
    p->phase[dir] = F_MSG_BODY;
}

static void message_end(cl_pgsql *p, int dir)
{
    if (dir == 1 && !backend_ok(p)) {
        violation(p);
        return;
    }
    p->phase[dir] = F_MSG_HEADER;
}

static void pg_feed(cl_pgsql *p, bool is_orig, uint64_t off, const uint8_t *d, uint32_t n)
{
    int dir = is_orig ? 0 : 1;
    uint32_t i = 0;
    while (i < n && p->phase[dir] != P_OFF) {
        switch (p->phase[dir]) {
        case F_HEADER:
            if (dir == 1) {
                /* The server's first byte answers an SSLRequest. */
                if (!p->ssl_requested) {
                    p->phase[1] = F_MSG_HEADER;
                    continue;
                }
                if (d[i] != 'S' && d[i] != 'N') {
                    violation(p);
                    return;
                }
                p->verdict |= PG_CONFIRM;
                p->ssl_answered = true;
                if (d[i] == 'S') {
                    p->verdict |= PG_TLS;
                    p->tls_at[1] = off + i + 1;
                    p->phase[0] = p->phase[1] = P_OFF;
                    return;
                }
                i++;
                p->phase[1] = F_MSG_HEADER;
                if (p->phase[0] == F_WAIT_SSL) {
                    p->phase[0] = F_HEADER;
                    p->nhdr[0] = 0;
                }
                continue;
            }
            p->hdr[0][p->nhdr[0]++] = d[i++];
            if (p->nhdr[0] == 8) {
                p->nhdr[0] = 0;
                frontend_header(p, off + i, !p->ssl_answered);
            }
            break;
        case F_WAIT_SSL:
            return; /* nothing to read until the server answers */
        case F_STARTUP: {
            uint32_t k = n - i, left = p->startup_len - p->startup_have;
            if (k > left)
                k = left;
            if (p->startup && p->startup_len <= PG_STARTUP_MAX)
                memcpy(p->startup + p->startup_have, d + i, k);
            p->startup_have += k;
            i += k;
            if (p->startup_have == p->startup_len)
                startup_done(p);
            break;
        }
        case F_MSG_HEADER:
            p->hdr[dir][p->nhdr[dir]++] = d[i++];
            if (p->nhdr[dir] == 5) {
                p->nhdr[dir] = 0;
                message_header(p, dir);
                if (p->phase[dir] == F_MSG_BODY && p->need[dir] == 0)
                    message_end(p, dir);
            }
            break;
        case F_MSG_BODY: {
            uint32_t k = n - i;
            if (k > p->need[dir])
                k = p->need[dir];
            for (uint32_t j = 0; j < k && p->nbody[dir] < sizeof p->body[dir]; j++)
                p->body[dir][p->nbody[dir]++] = d[i + j];
            p->need[dir] -= k;
            i += k;
            if (p->need[dir] == 0)
                message_end(p, dir);
            break;
        }
        default:
            return;
        }
    }
}

static void pg_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *d, uint32_t n)
{
    cl_pgsql *p = cl_an_state(a);
    if (p->tls) {
        cl_an_forward_from(p->tls, is_orig, p->tls_at[is_orig ? 0 : 1], off, d, n);
        return;
    }
    /* The grammar starts with the client's first byte. */
    if (is_orig && !p->started && off != 0) {
        cl_an_stop(a);
        return;
    }
    if (is_orig)
        p->started = true;
    pg_feed(p, is_orig, off, d, n);
    if ((p->verdict & PG_CONFIRM) && !p->confirmed) {
        p->confirmed = true;
        cl_an_confirm(a);
    }
    if (p->verdict & PG_VIOLATION) {
        cl_an_violation(a);
        cl_an_stop(a);
    } else if (p->verdict & PG_TLS) {
        /* After 'S' both streams are TLS: an SSL child takes them. */
        p->tls = cl_an_add_child(a, cl_analyzer_find("ssl"));
        if (!p->tls)
            cl_an_stop(a);
        else
            cl_an_forward_from(p->tls, is_orig, p->tls_at[is_orig ? 0 : 1], off, d, n);
    }
}

static void pg_done(cl_an *a)
{
    cl_pgsql *p = cl_an_state(a);
    free(p->startup);
    p->startup = NULL;
}

static const cl_an_port pg_ports[] = {{5432, CL_AN_TCP, false}, {0, 0, false}};

static const cl_an_sig pg_sigs[] = {
    {.name = "dpd_postgresql_client_sslrequest", .transport = CL_AN_TCP,
     .payload = "^\\x00\\x00\\x00\\x08\\x04\\xd2\\x16\\x2f"},
    {.name = "dpd_postgresql_server_ssl_confirm", .payload = "^[SN]",
     .requires_reverse = "dpd_postgresql_client_sslrequest", .enable = true},
    {.name = "dpd_postgresql_client_startup_3_x", .transport = CL_AN_TCP,
     .payload = "^....\\x00\\x03\\x00.{0,256}user\\x00"},
    {.name = "dpd_postgresql_server_any_response", .payload = "^[a-zA-Z0-9]\\x00\\x00..",
     .requires_reverse = "dpd_postgresql_client_startup_3_x", .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_postgresql = {
    .name = "postgresql",
    .transport = CL_AN_TCP,
    .ports = pg_ports,
    .sigs = pg_sigs,
    .state_size = sizeof(cl_pgsql),
    .deliver = pg_deliver,
    .done = pg_done,
};
