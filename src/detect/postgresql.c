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
#include "detect/postgresql.h"

#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

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

struct cl_pgsql {
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
};

cl_pgsql *cl_pgsql_new(void)
{
    return calloc(1, sizeof(cl_pgsql));
}

void cl_pgsql_free(cl_pgsql *p)
{
    if (p)
        free(p->startup);
    free(p);
}

int cl_pgsql_verdict(const cl_pgsql *p)
{
    return p->verdict;
}

void cl_pgsql_tls_offsets(const cl_pgsql *p, uint64_t *orig, uint64_t *resp)
{
    *orig = p->tls_at[0];
    *resp = p->tls_at[1];
}

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

void cl_pgsql_feed(cl_pgsql *p, bool is_orig, uint64_t off, const uint8_t *d, uint32_t n)
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

/* dpd_postgresql_client_sslrequest and dpd_postgresql_client_startup_3_x:
 * the client's first bytes. "user\0" is looked for within the bytes kept
 * (the signature allows it up to 256 bytes further). */
int cl_pgsql_client_signature(const uint8_t *h, uint32_t n)
{
    static const uint8_t ssl[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    if (n >= 8 && memcmp(h, ssl, 8) == 0)
        return PG_SIG_SSL;
    if (n < 7 || h[4] != 0 || h[5] != 3 || h[6] != 0)
        return PG_SIG_NONE;
    for (uint32_t i = 7; i + 5 <= n; i++)
        if (memcmp(h + i, "user", 5) == 0)
            return PG_SIG_STARTUP;
    return PG_SIG_NONE;
}

/* dpd_postgresql_server_ssl_confirm / _any_response: the server's first
 * bytes, given which client signature matched. */
bool cl_pgsql_server_signature(int client_sig, const uint8_t *h, uint32_t n)
{
    if (client_sig == PG_SIG_SSL)
        return n >= 1 && (h[0] == 'S' || h[0] == 'N');
    if (client_sig != PG_SIG_STARTUP || n < 5)
        return false;
    bool alnum = (h[0] >= '0' && h[0] <= '9') || ((h[0] | 0x20) >= 'a' && (h[0] | 0x20) <= 'z');
    return alnum && h[1] == 0 && h[2] == 0;
}
