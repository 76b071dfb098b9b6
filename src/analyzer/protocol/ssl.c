/*
 * ssl.c - the SSL/TLS analyzer's verdict (Zeek's src/analyzer/protocol/ssl):
 * the client hello confirms "ssl" when its versions are ones Zeek accepts,
 * and anything else where the client hello belongs is a violation, as is
 * a server whose first bytes are no SSL/TLS record.
 *
 * Attached by port, by either DPD signature (dpd_tls_client,
 * dpd_tls_server), or as the child that STARTTLS-like hand-offs feed
 * (SMTP, FTP, PostgreSQL, MySQL, ...), whose stream then starts at 0.
 */
#include <string.h>

#include "analyzer/analyzer.h"

#define SSL_HEAD 16             /* enough of the client's first bytes */

typedef struct ssl_state {
    uint8_t head[SSL_HEAD];
    uint8_t head_len;
    uint8_t server[2];          /* the server's first bytes */
    uint8_t server_len;
    bool client_done, server_done;
} ssl_state;

enum { NEED_MORE, CONFIRM, VIOLATION };

/* The client's first record: a TLS handshake record (3.0 - 3.3) holding
 * a ClientHello with a 3.0 - 3.3 version, or an SSLv2-framed client hello
 * (version 2 or 3.x). */
static int client_hello(const uint8_t *p, uint32_t n)
{
    static const uint8_t want[] = {0x16, 0x03};
    if (n >= 1 && (p[0] & 0x80)) {
        if (n < 5)
            return NEED_MORE;
        bool ok = p[2] == 1 && ((p[3] == 0 && p[4] == 2) || (p[3] == 3 && p[4] <= 3));
        return ok ? CONFIRM : VIOLATION;
    }
    uint32_t k = n < 2 ? n : 2;
    if (memcmp(p, want, k) != 0)
        return VIOLATION;
    if (n < 11)
        return NEED_MORE;
    if (p[2] > 3 || p[5] != 1 || p[9] != 3 || p[10] > 3)
        return VIOLATION;
    return CONFIRM;
}

/* The server's first record: a TLS record type (change cipher spec,
 * alert, handshake, application data, heartbeat) of version 3.x, or an
 * SSLv2 record. Anything else is no SSL server. */
static int server_record(const uint8_t *p, uint32_t n)
{
    if (n >= 1 && (p[0] & 0x80))
        return CONFIRM;
    if (n >= 1 && (p[0] < 0x14 || p[0] > 0x18))
        return VIOLATION;
    if (n < 2)
        return NEED_MORE;
    return p[1] == 3 ? CONFIRM : VIOLATION;
}

static void verdict(cl_an *a, ssl_state *s, bool is_orig, bool full)
{
    if (is_orig && !s->client_done) {
        int v = client_hello(s->head, s->head_len);
        if (v == NEED_MORE && !full)
            return;
        s->client_done = true;
        if (v == CONFIRM) {
            cl_an_confirm(a);
        } else {
            cl_an_violation(a);
            cl_an_stop(a);
        }
    } else if (!is_orig && !s->server_done) {
        int v = server_record(s->server, s->server_len);
        if (v == NEED_MORE && !full)
            return;
        s->server_done = true;
        if (v != CONFIRM)
            cl_an_violation(a);
    }
    if (s->client_done && s->server_done)
        cl_an_stop(a);
}

static void keep(uint8_t *buf, uint8_t *have, uint8_t max, uint64_t off, const uint8_t *p,
                 uint32_t len)
{
    if (off != *have || *have == max)
        return;
    uint32_t k = max - *have;
    if (k > len)
        k = len;
    memcpy(buf + *have, p, k);
    *have = (uint8_t)(*have + k);
}

static void ssl_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    ssl_state *s = cl_an_state(a);
    if (is_orig) {
        keep(s->head, &s->head_len, SSL_HEAD, off, p, len);
        verdict(a, s, true, s->head_len == SSL_HEAD);
    } else {
        keep(s->server, &s->server_len, sizeof s->server, off, p, len);
        verdict(a, s, false, s->server_len == sizeof s->server);
    }
}

/* Nothing more will fill the head: decide with what is there. */
static void ssl_gap(cl_an *a, bool is_orig, uint64_t len)
{
    (void)len;
    ssl_state *s = cl_an_state(a);
    if (is_orig || s->server_len)
        verdict(a, s, is_orig, true);
    else
        s->server_done = true;
}

static const cl_an_port ssl_ports[] = {
    {443, CL_AN_TCP, false}, {465, CL_AN_TCP, false}, {563, CL_AN_TCP, false},
    {585, CL_AN_TCP, false}, {614, CL_AN_TCP, false}, {636, CL_AN_TCP, false},
    {989, CL_AN_TCP, false}, {990, CL_AN_TCP, false}, {992, CL_AN_TCP, false},
    {993, CL_AN_TCP, false}, {995, CL_AN_TCP, false}, {5223, CL_AN_TCP, false},
    {0, 0, false},
};

static const cl_an_sig ssl_sigs[] = {
    {.name = "dpd_tls_server", .transport = CL_AN_TCP, .side = CL_SIG_RESP,
     .payload = "^(\\x15\\x03[\\x00\\x01\\x02\\x03]....)?\\x16\\x03[\\x00\\x01\\x02\\x03]..\\x02..."
                "((\\x03[\\x00\\x01\\x02\\x03\\x04])|(\\x7F[\\x00-\\x50])).*",
     .enable = true},
    {.name = "dpd_tls_client", .transport = CL_AN_TCP, .side = CL_SIG_ORIG,
     .payload = "^\\x16\\x03[\\x00\\x01\\x02\\x03]..\\x01...\\x03[\\x00\\x01\\x02\\x03].*",
     .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_ssl = {
    .name = "ssl",
    .transport = CL_AN_TCP,
    .ports = ssl_ports,
    .sigs = ssl_sigs,
    .state_size = sizeof(ssl_state),
    .deliver = ssl_deliver,
    .gap = ssl_gap,
};
