/*
 * session_test.h - what the analyzer tests share: a TCP session between a
 * client A and a server B (handshake, data each way, gaps, close) or UDP
 * datagrams, fed to one engine, and the service column of the record that
 * comes out.
 *
 *     st_start(NULL);               // defaults; or a cl_config of the test's
 *     st_handshake(445);
 *     st_send(ST_CLIENT, p, n);     // in-order data from the client
 *     st_send(ST_SERVER, q, m);
 *     CHECK_STR(st_service(445), "smb");
 *     st_end();
 */
#ifndef CL_SESSION_TEST_H
#define CL_SESSION_TEST_H

#include "packet_builder.h"
#include "test.h"

#define ST_A "10.0.0.1"
#define ST_B "10.0.0.2"
#define ST_CLIENT true
#define ST_SERVER false
#define ST_CLIENT_PORT 40000

static pb_ctx ST;
static uint32_t st_seq_a, st_seq_b;
static uint16_t st_port;
static double st_now;

static inline void st_start(const cl_config *cfg)
{
    CHECK(pb_init(&ST, cfg) == 0);
    st_seq_a = 1000;
    st_seq_b = 5000;
    st_now = 1;
    st_port = 0;
}

static inline void st_end(void) { pb_free(&ST); }

/* The TCP three-way handshake from A:40000 to B:port. */
static inline void st_handshake(uint16_t port)
{
    st_port = port;
    pb_tcp(&ST, st_now, ST_A, ST_CLIENT_PORT, ST_B, port, PB_SYN, st_seq_a++, 0, 0);
    pb_tcp(&ST, st_now += 0.01, ST_B, port, ST_A, ST_CLIENT_PORT, PB_SYN | PB_ACK, st_seq_b++,
           st_seq_a, 0);
    pb_tcp(&ST, st_now += 0.01, ST_A, ST_CLIENT_PORT, ST_B, port, PB_ACK, st_seq_a, st_seq_b, 0);
}

/* One segment of in-order data (at most PB_MAX_FRAME minus headers). */
static inline void st_send(bool from_client, const void *p, uint32_t len)
{
    pb_opts o = {.t = st_now += 0.01, .flags = PB_ACK | PB_PSH, .len = len, .payload = p};
    if (from_client) {
        o.src = ST_A, o.dst = ST_B, o.sport = ST_CLIENT_PORT, o.dport = st_port;
        o.seq = st_seq_a, o.ack = st_seq_b;
        st_seq_a += len;
    } else {
        o.src = ST_B, o.dst = ST_A, o.sport = st_port, o.dport = ST_CLIENT_PORT;
        o.seq = st_seq_b, o.ack = st_seq_a;
        st_seq_b += len;
    }
    pb_send(&ST, o);
}

/* Data in segments of at most `mss` bytes. */
static inline void st_send_split(bool from_client, const void *p, uint32_t len, uint32_t mss)
{
    const uint8_t *b = (const uint8_t *)p;
    while (len) {
        uint32_t k = len < mss ? len : mss;
        st_send(from_client, b, k);
        b += k;
        len -= k;
    }
}

/* `len` bytes the sender sent but the capture missed: the next segment
 * starts above them, and the peer's ACK covers them (a content gap). */
static inline void st_skip(bool from_client, uint32_t len)
{
    if (from_client)
        st_seq_a += len;
    else
        st_seq_b += len;
}

/* An ACK with no data from one side (acknowledging all the peer sent). */
static inline void st_ack(bool from_client)
{
    if (from_client)
        pb_tcp(&ST, st_now += 0.01, ST_A, ST_CLIENT_PORT, ST_B, st_port, PB_ACK, st_seq_a,
               st_seq_b, 0);
    else
        pb_tcp(&ST, st_now += 0.01, ST_B, st_port, ST_A, ST_CLIENT_PORT, PB_ACK, st_seq_b,
               st_seq_a, 0);
}

/* FIN from both sides, each acknowledged. */
static inline void st_close(void)
{
    pb_tcp(&ST, st_now += 0.01, ST_A, ST_CLIENT_PORT, ST_B, st_port, PB_FIN | PB_ACK, st_seq_a++,
           st_seq_b, 0);
    pb_tcp(&ST, st_now += 0.01, ST_B, st_port, ST_A, ST_CLIENT_PORT, PB_FIN | PB_ACK, st_seq_b++,
           st_seq_a, 0);
    pb_tcp(&ST, st_now += 0.01, ST_A, ST_CLIENT_PORT, ST_B, st_port, PB_ACK, st_seq_a, st_seq_b,
           0);
}

/* One UDP datagram between A:40000 and B:port. */
static inline void st_udp(bool from_client, uint16_t port, const void *p, uint32_t len)
{
    pb_opts o = {.t = st_now += 0.01, .proto = 17, .len = len, .payload = p};
    if (from_client)
        o.src = ST_A, o.dst = ST_B, o.sport = ST_CLIENT_PORT, o.dport = port;
    else
        o.src = ST_B, o.dst = ST_A, o.sport = port, o.dport = ST_CLIENT_PORT;
    pb_send(&ST, o);
}

/* Flush, then the service column of the record with this responder (or,
 * after a flip, originator) port: "-" when unset, "(no record)" when
 * there is none. */
static inline const char *st_service(uint16_t port)
{
    pb_flush(&ST);
    for (size_t i = 0; i < ST.n; i++)
        if (ST.recs[i].r.resp_p == port || ST.recs[i].r.orig_p == port)
            return ST.recs[i].r.service ? ST.recs[i].r.service : "-";
    return "(no record)";
}

/* The history column of that record, likewise (after st_service). */
static inline const char *st_history(uint16_t port)
{
    for (size_t i = 0; i < ST.n; i++)
        if (ST.recs[i].r.resp_p == port || ST.recs[i].r.orig_p == port)
            return ST.recs[i].r.history ? ST.recs[i].r.history : "-";
    return "(no record)";
}

#endif /* CL_SESSION_TEST_H */
