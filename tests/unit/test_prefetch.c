/*
 * test_prefetch.c - cl_engine_prefetch is only a hint: announcing packets
 * ahead (as the CLI does), announcing some twice, some never, or packets
 * that never come must give the very records of a run without it.
 *
 * The trace holds enough connections at once (40 000) for the
 * engine to use its announcements at all.
 */
#include <stdlib.h>

#include "engine.h"
#include "packet_builder.h"
#include "test.h"

#define FLOWS 40000
#define WINDOW 1500             /* flows whose packets interleave */
#define PER_FLOW 6
#define MAX_PKTS (FLOWS * PER_FLOW)

typedef struct frame {
    cl_packet pkt;
    size_t off;                 /* into the arena (pointers are set at the end) */
} frame;

static uint8_t *arena;
static size_t arena_len, arena_cap;
static frame *frames;
static size_t n_frames;

static void add(pb_opts o)
{
    uint8_t buf[PB_MAX_FRAME];
    uint32_t n = pb_build(&o, buf);
    if (n == 0)
        abort();
    if (arena_len + n > arena_cap) {
        arena_cap = arena_cap ? arena_cap * 2 : (1u << 20);
        arena = realloc(arena, arena_cap);
        if (!arena)
            abort();
    }
    memcpy(arena + arena_len, buf, n);
    int64_t us = llround(o.t * 1e6);
    frame *f = &frames[n_frames++];
    f->off = arena_len;
    f->pkt = (cl_packet){.ts_sec = us / 1000000, .ts_usec = (uint32_t)(us % 1000000),
                         .linktype = 1, .caplen = o.snap && o.snap < n ? o.snap : n,
                         .wirelen = n};
    arena_len += n;
}

/* Packet k (0..PER_FLOW-1) of flow j: TCP over IPv4 and IPv6, UDP, and
 * a few bad checksums and truncated captures along the way. */
static void add_packet(unsigned j, unsigned k, double t)
{
    char a[48], b[48];
    bool v6 = j % 5 == 2;
    snprintf(a, sizeof a, v6 ? "2001:db8::%x:%x" : "10.%u.%u.1", (j >> 8) & 0xff, j & 0xff);
    snprintf(b, sizeof b, v6 ? "2001:db8:1::%x" : "192.0.2.%u", j % 7 + 1);
    uint16_t sp = (uint16_t)(20000 + j % 40000), dp = j % 3 ? 443 : 80;
    pb_opts o = {.t = t, .src = a, .dst = b, .sport = sp, .dport = dp};
    bool back = k % 2 == 1;
    if (back) {
        o.src = b;
        o.dst = a;
        o.sport = dp;
        o.dport = sp;
    }
    if (j % 4 == 3) { /* UDP request/response pairs */
        o.proto = 17;
        o.dport = back ? sp : 53;
        o.sport = back ? 53 : sp;
        o.len = 20 + k;
        add(o);
        return;
    }
    static const uint8_t flags[PER_FLOW] = {PB_SYN, PB_SYN | PB_ACK, PB_ACK | PB_PSH,
                                            PB_ACK | PB_PSH, PB_FIN | PB_ACK, PB_FIN | PB_ACK};
    static const uint32_t lens[PER_FLOW] = {0, 0, 100, 200, 0, 0};
    o.flags = flags[k];
    o.len = lens[k];
    /* Sequence numbers as the lengths above advance them. */
    static const uint32_t oseq[PER_FLOW] = {0, 0, 1, 0, 101, 0};
    static const uint32_t oack[PER_FLOW] = {0, 0, 1, 0, 201, 0};
    static const uint32_t rseq[PER_FLOW] = {0, 0, 0, 1, 0, 201};
    static const uint32_t rack[PER_FLOW] = {0, 1, 0, 101, 0, 102};
    uint32_t iss = 1000 + j, irs = 5000 + j;
    o.seq = back ? irs + rseq[k] : iss + oseq[k];
    o.ack = back ? iss + rack[k] : (k ? irs + oack[k] : 0);
    o.bad_csum = j % 97 == 5 && k == 2;
    o.snap = j % 89 == 7 && k == 3 ? 40 : 0;
    add(o);
}

static void build_trace(void)
{
    frames = calloc(MAX_PKTS, sizeof *frames);
    if (!frames)
        abort();
    double t = 1000.0;
    for (unsigned base = 0; base < FLOWS; base += WINDOW)
        for (unsigned k = 0; k < PER_FLOW; k++)
            for (unsigned j = base; j < base + WINDOW && j < FLOWS; j++, t += 1e-5)
                add_packet(j, k, t);
    for (size_t i = 0; i < n_frames; i++)
        frames[i].pkt.data = arena + frames[i].off;
}

typedef enum { PLAIN, AHEAD, ERRATIC } mode;

/* Feed the trace; returns the engine's stats. With from_first, the
 * engine uses announcements from its first connection on. */
static cl_stats run_opts(pb_ctx *c, mode m, bool from_first)
{
    CHECK(pb_init(c, NULL) == 0);
    if (from_first)
        cl_engine_set_prefetch_min(c->e, 0);
    for (size_t i = 0; i < n_frames; i++) {
        if (m == AHEAD && i + 16 < n_frames)
            cl_engine_prefetch(c->e, &frames[i + 16].pkt);
        if (m == ERRATIC) {
            if (i % 3 == 0 && i + 5 < n_frames)
                cl_engine_prefetch(c->e, &frames[i + 5].pkt);
            if (i % 7 == 0 && i + 5 < n_frames)
                cl_engine_prefetch(c->e, &frames[i + 5].pkt); /* twice */
            if (i % 11 == 0 && i + 3 < n_frames) {
                /* Announced but never fed: a packet's bytes cut short. */
                cl_packet stray = frames[i + 3].pkt;
                stray.caplen = stray.wirelen = 30;
                cl_engine_prefetch(c->e, &stray);
            }
            if (i % 13 == 0 && i + 40 < n_frames)
                cl_engine_prefetch(c->e, &frames[i + 40].pkt); /* far ahead */
        }
        cl_engine_packet(c->e, &frames[i].pkt);
    }
    cl_stats s = pb_stats(c);
    pb_flush(c);
    return s;
}

static cl_stats run(pb_ctx *c, mode m)
{
    return run_opts(c, m, false);
}

static bool same_record(const pb_rec *a, const pb_rec *b)
{
    const cl_conn_record *x = &a->r, *y = &b->r;
    return strcmp(a->uid, b->uid) == 0 && x->ts == y->ts && x->duration == y->duration &&
           memcmp(&x->orig_h, &y->orig_h, sizeof x->orig_h) == 0 &&
           memcmp(&x->resp_h, &y->resp_h, sizeof x->resp_h) == 0 && x->orig_p == y->orig_p &&
           x->resp_p == y->resp_p && x->proto == y->proto &&
           strcmp(a->history, b->history) == 0 && strcmp(a->conn_state, b->conn_state) == 0 &&
           strcmp(a->service, b->service) == 0 && x->orig_bytes == y->orig_bytes &&
           x->resp_bytes == y->resp_bytes && x->orig_pkts == y->orig_pkts &&
           x->resp_pkts == y->resp_pkts && x->orig_ip_bytes == y->orig_ip_bytes &&
           x->resp_ip_bytes == y->resp_ip_bytes && x->missed_bytes == y->missed_bytes;
}

static void compare(const pb_ctx *want, const pb_ctx *got)
{
    CHECK_EQ_U64(got->n, want->n);
    size_t differ = 0;
    for (size_t i = 0; i < want->n && i < got->n; i++)
        if (!same_record(&want->recs[i], &got->recs[i]))
            differ++;
    CHECK_EQ_U64(differ, 0);
}

static pb_ctx plain;

static void test_trace_is_big_enough(void)
{
    build_trace();
    CHECK_EQ_U64(n_frames, MAX_PKTS);
    cl_stats s = run(&plain, PLAIN);
    CHECK(s.conns_peak > 20000);
    CHECK_EQ_U64(s.prefetched, 0);
    CHECK_EQ_U64(plain.n, FLOWS);
    CHECK(s.skipped[CL_SKIP_TRANSPORT_TRUNCATED] > 0);
    CHECK(s.checksum_failures > 0);
}

static void test_ahead_gives_the_same_records(void)
{
    pb_ctx c;
    cl_stats s = run(&c, AHEAD);
    /* Used once enough connections are live (from about the 16 000th):
     * more than half of the packets. */
    CHECK(s.prefetched > n_frames / 2);
    compare(&plain, &c);
    pb_free(&c);
}

static void test_erratic_hints_give_the_same_records(void)
{
    pb_ctx c;
    cl_stats s = run(&c, ERRATIC);
    CHECK(s.prefetched > 0);
    CHECK(s.prefetched < n_frames / 3);
    compare(&plain, &c);
    pb_free(&c);
}

/* Announcements used from the very first packet: every packet of the
 * AHEAD run but the first 16 comes with one. */
static void test_from_the_first_connection(void)
{
    pb_ctx c;
    cl_stats s = run_opts(&c, AHEAD, true);
    CHECK_EQ_U64(s.prefetched, n_frames - 16);
    compare(&plain, &c);
    pb_free(&c);
    s = run_opts(&c, ERRATIC, true);
    CHECK(s.prefetched > n_frames / 3);
    compare(&plain, &c);
    pb_free(&c);
    pb_free(&plain);
    free(frames);
    free(arena);
}

TEST_MAIN(test_trace_is_big_enough, test_ahead_gives_the_same_records,
          test_erratic_hints_give_the_same_records, test_from_the_first_connection)
