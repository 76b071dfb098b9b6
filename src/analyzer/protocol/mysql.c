/*
 * mysql.c - the MySQL analyzer's verdict (Zeek's binpac analyzer in
 * src/analyzer/protocol/mysql), as far as conn.log sees it.
 *
 * Packets are a 3-byte little-endian length, a sequence number and the
 * payload. The server greets first (protocol version 9 or 10); Zeek
 * confirms on the client's handshake response to it, and when that
 * response carries CLIENT_SSL it starts TLS on both streams right after.
 * Only those first two packets are looked at.
 */
#include "analyzer/analyzer.h"

enum { MYSQL_MORE = 0, MYSQL_CONFIRM, MYSQL_TLS, MYSQL_DONE };

#define MYSQL_CLIENT_SSL 0x00000800u

typedef struct mysql_dir {
    uint8_t hdr[4];
    uint8_t nhdr;
    uint8_t body[4];            /* the payload's first bytes */
    uint8_t nbody;
    uint32_t need;              /* payload bytes still to come */
    bool have_packet;           /* the first packet is complete */
} mysql_dir;

typedef struct cl_mysql {
    mysql_dir d[2];
    uint8_t version;            /* the server greeting's protocol version */
    uint64_t seen[2];           /* stream bytes seen in each direction */
    uint64_t tls_at[2];
    cl_an *tls;                 /* after CLIENT_SSL: the SSL child */
} cl_mysql;

/* Collect a direction's first packet; returns the bytes used from p. */
static uint32_t first_packet(mysql_dir *d, const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && d->nhdr < 4) {
        d->hdr[d->nhdr++] = p[i++];
        if (d->nhdr == 4)
            d->need = (uint32_t)d->hdr[0] | (uint32_t)d->hdr[1] << 8 | (uint32_t)d->hdr[2] << 16;
    }
    while (i < n && d->nhdr == 4 && d->need) {
        if (d->nbody < sizeof d->body)
            d->body[d->nbody++] = p[i];
        i++;
        d->need--;
    }
    if (d->nhdr == 4 && d->need == 0)
        d->have_packet = true;
    return i;
}

static int mysql_feed(cl_mysql *m, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    int dir = is_orig ? 0 : 1;
    mysql_dir *d = &m->d[dir];
    m->seen[dir] = off + n;
    if (d->have_packet)
        return MYSQL_MORE;
    uint32_t used = first_packet(d, p, n);
    if (!d->have_packet)
        return MYSQL_MORE;
    if (dir == 1) {
        /* The greeting: sequence 0, protocol version 9 or 10. */
        if (d->hdr[3] != 0 || d->nbody < 1 || (d->body[0] != 9 && d->body[0] != 10))
            return MYSQL_DONE;
        m->version = d->body[0];
        return MYSQL_MORE;
    }
    /* The client's answer to a greeting: sequence 1. */
    if (!m->version || d->hdr[3] != 1)
        return MYSQL_DONE;
    if (m->version == 10 && d->nbody == 4) {
        uint32_t caps = (uint32_t)d->body[0] | (uint32_t)d->body[1] << 8 |
                        (uint32_t)d->body[2] << 16 | (uint32_t)d->body[3] << 24;
        if (caps & MYSQL_CLIENT_SSL) {
            m->tls_at[0] = off + used;
            m->tls_at[1] = m->seen[1];
            return MYSQL_TLS;
        }
    }
    return MYSQL_CONFIRM;
}

static void mysql_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    cl_mysql *m = cl_an_state(a);
    if (m->tls) {
        cl_an_forward_from(m->tls, is_orig, m->tls_at[is_orig ? 0 : 1], off, p, n);
        return;
    }
    int v = mysql_feed(m, is_orig, off, p, n);
    if (v == MYSQL_CONFIRM || v == MYSQL_TLS)
        cl_an_confirm(a);
    if (v == MYSQL_TLS && (m->tls = cl_an_add_child(a, cl_analyzer_find("ssl"))) != NULL) {
        cl_an_forward_from(m->tls, is_orig, m->tls_at[is_orig ? 0 : 1], off, p, n);
        return;
    }
    if (v != MYSQL_MORE)
        cl_an_stop(a);
}

static const cl_an_port mysql_ports[] = {{1434, CL_AN_TCP, false}, {3306, CL_AN_TCP, false}, {0, 0, false}};

const cl_analyzer cl_analyzer_mysql = {
    .name = "mysql",
    .transport = CL_AN_TCP,
    .ports = mysql_ports,
    .state_size = sizeof(cl_mysql),
    .deliver = mysql_deliver,
};
