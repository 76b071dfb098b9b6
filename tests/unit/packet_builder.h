/*
 * packet_builder.h - build Ethernet + IPv4/IPv6 + TCP/UDP/ICMP frames with
 * correct checksums and feed them to a cl_engine, collecting the records.
 *
 *     pb_ctx c;
 *     pb_init(&c, NULL);                      // default config, seeded uids
 *     pb_send(&c, (pb_opts){.t = 1, .src = "10.0.0.1", .sport = 40000,
 *                          .dst = "10.0.0.2", .dport = 80,
 *                          .flags = PB_SYN, .seq = 1000});
 *     pb_flush(&c);
 *     c.recs[0].history ...                   // copies, valid until pb_free
 *     pb_free(&c);
 *
 * Everything goes through the public API (include/connlog.h) only.
 */
#ifndef CL_PACKET_BUILDER_H
#define CL_PACKET_BUILDER_H

#include <arpa/inet.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connlog.h"

#define PB_FIN 0x01
#define PB_SYN 0x02
#define PB_RST 0x04
#define PB_PSH 0x08
#define PB_ACK 0x10

#define PB_MAX_FRAME 16384

/* One packet. Zero-initialised fields take sensible defaults. */
typedef struct pb_opts {
    double t;                   /* packet time, seconds (microsecond precision) */
    const char *src, *dst;      /* "10.0.0.1" or "2001:db8::1" (IPv6 if ':') */
    uint16_t sport, dport;      /* TCP/UDP ports */
    uint8_t proto;              /* 0 = TCP(6); 17 UDP; 1 ICMP; 58 ICMPv6; other = raw */
    /* TCP */
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win;               /* 0 = 65535 unless zero_win */
    bool zero_win;
    const uint8_t *tcp_opts;    /* raw option bytes, padded to 4 by the builder */
    uint8_t tcp_optlen;
    /* ICMP */
    uint8_t icmp_type, icmp_code;
    /* all transports: payload length (bytes 0xAB.. unless payload is set) */
    uint32_t len;
    const uint8_t *payload;     /* len bytes to carry instead of the pattern */
    bool bad_csum;              /* transport checksum wrong */
    bool zero_csum;             /* UDP checksum field 0 */
    int32_t udp_len;            /* 0 = correct; else the UDP length field */
    uint32_t snap;              /* 0 = full capture; else caplen = min(snap, frame) */
} pb_opts;

/* A copied record. */
typedef struct pb_rec {
    cl_conn_record r;           /* strings point into the fields below */
    char uid[32];
    char history[256];
    char conn_state[16];
    char service[64];
    bool has_history;
    bool has_service;
    char failed[4][16];         /* failed_service, copied */
    size_t n_failed;
} pb_rec;

typedef struct pb_ctx {
    cl_config cfg;
    cl_engine *e;
    pb_rec *recs;
    size_t n, cap;
    cl_skip last_skip;
} pb_ctx;

static inline void pb_on_record(const cl_conn_record *rec, void *user)
{
    pb_ctx *c = (pb_ctx *)user;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->recs = (pb_rec *)realloc(c->recs, c->cap * sizeof *c->recs);
        if (!c->recs)
            abort();
        /* The copies point into themselves: point them at their new place. */
        for (size_t i = 0; i < c->n; i++) {
            pb_rec *q = &c->recs[i];
            q->r.uid = q->uid;
            q->r.conn_state = q->conn_state;
            q->r.history = q->has_history ? q->history : NULL;
            q->r.service = q->has_service ? q->service : NULL;
        }
    }
    pb_rec *p = &c->recs[c->n++];
    memset(p, 0, sizeof *p);
    p->r = *rec;
    snprintf(p->uid, sizeof p->uid, "%s", rec->uid ? rec->uid : "");
    snprintf(p->conn_state, sizeof p->conn_state, "%s", rec->conn_state ? rec->conn_state : "");
    p->has_history = rec->history != NULL;
    if (rec->history)
        snprintf(p->history, sizeof p->history, "%s", rec->history);
    p->has_service = rec->service != NULL;
    if (rec->service)
        snprintf(p->service, sizeof p->service, "%s", rec->service);
    p->r.uid = p->uid;
    p->r.conn_state = p->conn_state;
    p->r.history = p->has_history ? p->history : NULL;
    p->r.service = p->has_service ? p->service : NULL;
    p->r.n_tunnel_parents = 0;
    p->r.tunnel_parents = NULL;
    for (size_t i = 0; i < rec->n_failed_service && i < 4; i++)
        snprintf(p->failed[p->n_failed++], sizeof p->failed[0], "%s", rec->failed_service[i]);
    p->r.n_failed_service = 0;
    p->r.failed_service = NULL;
    p->r.speculative_service = NULL;
    p->r.community_id = NULL;
}

/* Start an engine; cfg NULL = defaults with a fixed uid seed. Returns 0. */
static inline int pb_init(pb_ctx *c, const cl_config *cfg)
{
    char err[256];
    memset(c, 0, sizeof *c);
    if (cfg) {
        c->cfg = *cfg;
    } else {
        cl_config_init(&c->cfg);
        c->cfg.has_seed = true;
        c->cfg.seed = 42;
    }
    c->e = cl_engine_new(&c->cfg, pb_on_record, c, err, sizeof err);
    if (!c->e) {
        fprintf(stderr, "cl_engine_new: %s\n", err);
        return -1;
    }
    return 0;
}

static inline void pb_flush(pb_ctx *c) { cl_engine_flush(c->e); }

static inline void pb_free(pb_ctx *c)
{
    if (c->e)
        cl_engine_free(c->e);
    free(c->recs);
    memset(c, 0, sizeof *c);
}

static inline cl_stats pb_stats(const pb_ctx *c)
{
    cl_stats s;
    cl_engine_stats(c->e, &s);
    return s;
}

/* ---- addresses ---- */

static inline bool pb_parse_addr(const char *s, cl_addr *a)
{
    memset(a, 0, sizeof *a);
    if (strchr(s, ':'))
        return inet_pton(AF_INET6, s, a->b) == 1;
    a->b[10] = a->b[11] = 0xff;
    return inet_pton(AF_INET, s, a->b + 12) == 1;
}

static inline bool pb_addr_eq(const cl_addr *a, const char *s)
{
    cl_addr b;
    return pb_parse_addr(s, &b) && memcmp(a->b, b.b, 16) == 0;
}

/* ---- checksums ---- */

static inline uint32_t pb_sum(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (uint32_t)(p[n - 1] << 8);
    return acc;
}

static inline uint16_t pb_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static inline void pb_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void pb_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Build the frame into buf; returns its length (0 on a bad address). */
static inline uint32_t pb_build(const pb_opts *o, uint8_t *buf)
{
    cl_addr s, d;
    if (!pb_parse_addr(o->src, &s) || !pb_parse_addr(o->dst, &d))
        return 0;
    bool v6 = strchr(o->src, ':') != NULL;
    uint8_t proto = o->proto ? o->proto : 6;
    uint32_t iphl = v6 ? 40 : 20;

    /* transport header length */
    uint32_t thl;
    uint32_t optpad = ((uint32_t)o->tcp_optlen + 3u) & ~3u;
    if (proto == 6)
        thl = 20 + optpad;
    else if (proto == 17 || proto == 1 || proto == 58)
        thl = 8;
    else
        thl = 0;
    uint32_t tlen = thl + o->len;
    if (14 + iphl + tlen > PB_MAX_FRAME)
        return 0;

    /* Ethernet */
    uint8_t *eth = buf;
    memset(eth, 0, 14);
    eth[0] = 0x02, eth[5] = 0x02;   /* dst MAC */
    eth[6] = 0x02, eth[11] = 0x01;  /* src MAC */
    pb_put16(eth + 12, v6 ? 0x86dd : 0x0800);

    uint8_t *ip = buf + 14;
    memset(ip, 0, iphl);
    if (v6) {
        ip[0] = 0x60;
        pb_put16(ip + 4, tlen);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, s.b, 16);
        memcpy(ip + 24, d.b, 16);
    } else {
        ip[0] = 0x45;
        pb_put16(ip + 2, iphl + tlen);
        pb_put16(ip + 4, 1);
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, s.b + 12, 4);
        memcpy(ip + 16, d.b + 12, 4);
        pb_put16(ip + 10, pb_fold(pb_sum(0, ip, 20)));
    }

    uint8_t *tp = ip + iphl;
    memset(tp, 0, thl);
    for (uint32_t i = 0; i < o->len; i++)
        tp[thl + i] = o->payload ? o->payload[i] : (uint8_t)(0xAB + i);

    /* pseudo-header sum */
    uint32_t ph = 0;
    if (v6) {
        ph = pb_sum(ph, ip + 8, 32);
        ph += tlen >> 16;
        ph += tlen & 0xffff;
        ph += proto;
    } else {
        ph = pb_sum(ph, ip + 12, 8);
        ph += proto;
        ph += tlen;
    }

    int csum_off = -1;
    uint32_t acc = 0;
    if (proto == 6) {
        pb_put16(tp, o->sport);
        pb_put16(tp + 2, o->dport);
        pb_put32(tp + 4, o->seq);
        pb_put32(tp + 8, o->ack);
        tp[12] = (uint8_t)((thl / 4) << 4);
        tp[13] = o->flags;
        pb_put16(tp + 14, o->zero_win ? 0 : (o->win ? o->win : 65535));
        if (o->tcp_optlen) {
            memset(tp + 20, 1, optpad); /* NOP padding */
            memcpy(tp + 20, o->tcp_opts, o->tcp_optlen);
        }
        csum_off = 16;
        acc = ph;
    } else if (proto == 17) {
        pb_put16(tp, o->sport);
        pb_put16(tp + 2, o->dport);
        pb_put16(tp + 4, o->udp_len ? (uint32_t)o->udp_len : tlen);
        csum_off = 6;
        acc = ph;
    } else if (proto == 1 || proto == 58) {
        tp[0] = o->icmp_type;
        tp[1] = o->icmp_code;
        pb_put16(tp + 4, 0x1234); /* identifier */
        pb_put16(tp + 6, 1);      /* sequence */
        csum_off = 2;
        acc = proto == 58 ? ph : 0;
    }
    if (csum_off >= 0) {
        uint16_t ck = pb_fold(pb_sum(acc, tp, tlen));
        if (proto == 17 && ck == 0)
            ck = 0xffff;
        if (o->bad_csum)
            ck = (uint16_t)(ck ^ 0x5a5a);
        if (o->zero_csum)
            ck = 0;
        pb_put16(tp + csum_off, ck);
    }
    return 14 + iphl + tlen;
}

/* Feed raw bytes at time t. */
static inline cl_skip pb_feed_raw(pb_ctx *c, double t, int linktype, const uint8_t *data,
                                  uint32_t caplen, uint32_t wirelen)
{
    cl_packet p;
    int64_t us = llround(t * 1e6);
    p.ts_sec = us / 1000000;
    p.ts_usec = (uint32_t)(us % 1000000);
    p.linktype = linktype;
    p.data = data;
    p.caplen = caplen;
    p.wirelen = wirelen;
    c->last_skip = cl_engine_packet(c->e, &p);
    return c->last_skip;
}

/* Build and feed one packet. */
static inline cl_skip pb_send(pb_ctx *c, pb_opts o)
{
    uint8_t buf[PB_MAX_FRAME];
    uint32_t n = pb_build(&o, buf);
    if (n == 0) {
        fprintf(stderr, "pb_send: cannot build packet\n");
        abort();
    }
    uint32_t cap = (o.snap && o.snap < n) ? o.snap : n;
    return pb_feed_raw(c, o.t, 1 /* DLT_EN10MB */, buf, cap, n);
}

/* TCP shorthand. */
static inline cl_skip pb_tcp(pb_ctx *c, double t, const char *src, uint16_t sport,
                             const char *dst, uint16_t dport, uint8_t flags, uint32_t seq,
                             uint32_t ack, uint32_t len)
{
    return pb_send(c, (pb_opts){.t = t, .src = src, .dst = dst, .sport = sport, .dport = dport,
                                .flags = flags, .seq = seq, .ack = ack, .len = len});
}

/* UDP shorthand. */
static inline cl_skip pb_udp(pb_ctx *c, double t, const char *src, uint16_t sport,
                             const char *dst, uint16_t dport, uint32_t len)
{
    return pb_send(c, (pb_opts){.t = t, .src = src, .dst = dst, .sport = sport, .dport = dport,
                                .proto = 17, .len = len});
}

/* ICMP (v4 or v6 by address) shorthand. */
static inline cl_skip pb_icmp(pb_ctx *c, double t, const char *src, const char *dst,
                              uint8_t type, uint8_t code, uint32_t len)
{
    return pb_send(c, (pb_opts){.t = t, .src = src, .dst = dst,
                                .proto = (uint8_t)(strchr(src, ':') ? 58 : 1),
                                .icmp_type = type, .icmp_code = code, .len = len});
}

/* The record whose originator port is `orig_p` (first match), or NULL. */
static inline const cl_conn_record *pb_find(const pb_ctx *c, uint16_t orig_p)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->recs[i].r.orig_p == orig_p)
            return &c->recs[i].r;
    return NULL;
}

static inline const cl_conn_record *pb_rec_at(const pb_ctx *c, size_t i)
{
    return i < c->n ? &c->recs[i].r : NULL;
}

#endif /* CL_PACKET_BUILDER_H */
