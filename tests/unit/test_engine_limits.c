/*
 * test_engine_limits.c - engine limits and robustness through the public
 * API: max_conns eviction, local_orig/local_resp (spec 6.2), garbage and
 * truncated frames (8.1, 8.2) counted as skipped, checksum statistics.
 */
#include <stdlib.h>

#include "engine.h"
#include "packet_builder.h"
#include "test.h"

static pb_ctx C;

static uint64_t skipped_total(const cl_stats *s)
{
    uint64_t n = 0;
    for (int i = 1; i < CL_SKIP_COUNT; i++)
        n += s->skipped[i];
    return n;
}

/* ------------------------------------------------------------------ */
/* max_conns                                                           */
/* ------------------------------------------------------------------ */

static void test_max_conns_evicts_idle_longest(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.max_conns = 3;
    CHECK(pb_init(&C, &cfg) == 0);
    pb_udp(&C, 1, "10.0.0.1", 1, "10.0.0.2", 9, 10);
    pb_udp(&C, 2, "10.0.0.1", 2, "10.0.0.2", 9, 10);
    pb_udp(&C, 3, "10.0.0.1", 3, "10.0.0.2", 9, 10);
    pb_udp(&C, 3.5, "10.0.0.1", 1, "10.0.0.2", 9, 10); /* conn 1 active again */
    CHECK_EQ_INT(C.n, 0);
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_live, 3);
    CHECK_EQ_U64(s.conns_evicted, 0);

    pb_udp(&C, 4, "10.0.0.1", 4, "10.0.0.2", 9, 10);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1) {
        CHECK_EQ_INT(C.recs[0].r.orig_p, 2);
        CHECK_EQ_U64(C.recs[0].r.orig_pkts, 1);
        CHECK_STR(C.recs[0].r.history, "D");
    }
    pb_udp(&C, 5, "10.0.0.1", 5, "10.0.0.2", 9, 10);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2)
        CHECK_EQ_INT(C.recs[1].r.orig_p, 3);
    s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_evicted, 2);
    CHECK_EQ_U64(s.conns_live, 3);
    CHECK_EQ_U64(s.conns_peak, 3);

    pb_flush(&C);
    CHECK_EQ_INT(C.n, 5);
    int seen[6] = {0};
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.orig_p >= 1 && C.recs[i].r.orig_p <= 5)
            seen[C.recs[i].r.orig_p]++;
    for (int p = 1; p <= 5; p++)
        CHECK_EQ_INT(seen[p], 1);
    const cl_conn_record *r1 = pb_find(&C, 1);
    CHECK(r1 != NULL);
    if (r1)
        CHECK_EQ_U64(r1->orig_pkts, 2);
    s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_created, 5);
    CHECK_EQ_U64(s.conns_logged, 5);
    CHECK_EQ_U64(s.conns_live, 0);
    pb_free(&C);
}

/* Many connections through a tiny table: one record each, none lost. */
static void test_max_conns_nothing_lost(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.max_conns = 4;
    CHECK(pb_init(&C, &cfg) == 0);
    for (int i = 0; i < 200; i++) {
        uint16_t port = (uint16_t)(10000 + i);
        double t = 1 + i * 0.01;
        if (i % 3 == 0) {
            pb_tcp(&C, t, "10.1.0.1", port, "10.1.0.2", 8765, PB_SYN, 1000, 0, 0);
            pb_tcp(&C, t, "10.1.0.2", 8765, "10.1.0.1", port, PB_SYN | PB_ACK, 5, 1001, 0);
        } else if (i % 3 == 1) {
            pb_udp(&C, t, "10.1.0.1", port, "10.1.0.2", 7777, 3);
        } else {
            pb_send(&C, (pb_opts){.t = t, .src = "10.1.0.1", .dst = "10.1.0.2",
                                  .proto = 1, .icmp_type = 3, .icmp_code = (uint8_t)(i % 16),
                                  .len = 28});
            pb_tcp(&C, t, "10.1.0.1", port, "10.1.0.2", 8765, PB_SYN, 1000, 0, 0);
        }
        cl_stats s = pb_stats(&C);
        CHECK(s.conns_live <= 4);
    }
    cl_stats before = pb_stats(&C);
    CHECK_EQ_U64(C.n, before.conns_evicted); /* all early records are evictions */
    pb_flush(&C);
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_logged, s.conns_created);
    CHECK_EQ_U64(C.n, s.conns_created);
    CHECK(s.conns_evicted > 0);
    CHECK_EQ_U64(s.conns_peak, 4);
    /* every TCP port appears exactly once among TCP records */
    static int tcp_seen[200];
    memset(tcp_seen, 0, sizeof tcp_seen);
    for (size_t i = 0; i < C.n; i++) {
        const cl_conn_record *r = &C.recs[i].r;
        if (r->proto == CL_PROTO_TCP && r->orig_p >= 10000 && r->orig_p < 10200)
            tcp_seen[r->orig_p - 10000]++;
    }
    for (int i = 0; i < 200; i++)
        if (i % 3 != 1)
            CHECK_EQ_INT(tcp_seen[i], 1);
    pb_free(&C);
}

/* When memory runs out (here: connections limited to 4 KiB of the arena,
 * no max_conns) the connections idle longest are finished early to make
 * room, counted as evictions: every connection is still logged once, and
 * UDP connections move into freed TCP blocks. */
static void test_out_of_memory_evicts(void)
{
    CHECK(pb_init(&C, NULL) == 0);
    cl_engine_limit_memory(C.e, 4096);
    for (int i = 0; i < 300; i++) {
        uint16_t port = (uint16_t)(20000 + i);
        double t = 1 + i * 0.01;
        if (i < 200)
            pb_tcp(&C, t, "10.2.0.1", port, "10.2.0.2", 8765, PB_SYN, 1000, 0, 0);
        else
            pb_udp(&C, t, "10.2.0.1", port, "10.2.0.2", 7777, 3);
        cl_stats s = pb_stats(&C);
        CHECK(s.conns_live <= 4096 / 296);
    }
    cl_stats before = pb_stats(&C);
    CHECK(before.conns_evicted > 250);
    CHECK_EQ_U64(C.n, before.conns_evicted);
    pb_flush(&C);
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_created, 300);
    CHECK_EQ_U64(s.conns_logged, 300);
    CHECK_EQ_U64(C.n, 300);
    static int seen[300];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < C.n; i++) {
        const cl_conn_record *r = &C.recs[i].r;
        if (r->orig_p >= 20000 && r->orig_p < 20300)
            seen[r->orig_p - 20000]++;
    }
    for (int i = 0; i < 300; i++)
        CHECK_EQ_INT(seen[i], 1);
    pb_free(&C);
}

/* Flushing removes every connection at once (the table is cleared, not
 * emptied slot by slot): the same flows afterwards are new connections,
 * and a second flush logs them again. */
static void test_flush_then_same_flows(void)
{
    CHECK(pb_init(&C, NULL) == 0);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 500; i++) {
            uint16_t port = (uint16_t)(30000 + i);
            double t = 1 + round * 1000 + i * 0.001;
            pb_tcp(&C, t, "10.3.0.1", port, "10.3.0.2", 80, PB_SYN, 1000, 0, 0);
            pb_udp(&C, t, "10.3.0.1", port, "10.3.0.2", 5353, 3);
        }
        pb_flush(&C);
        cl_stats s = pb_stats(&C);
        CHECK_EQ_U64(s.conns_live, 0);
        CHECK_EQ_U64(s.conns_created, 1000u * (unsigned)(round + 1));
        CHECK_EQ_U64(C.n, 1000u * (unsigned)(round + 1));
    }
    /* each record has one packet: nothing was found in a stale slot */
    for (size_t i = 0; i < C.n; i++)
        CHECK_EQ_U64(C.recs[i].r.orig_pkts, 1);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* local_orig / local_resp                                             */
/* ------------------------------------------------------------------ */

static const cl_conn_record *one_udp(const cl_config *cfg, const char *src, const char *dst)
{
    pb_free(&C);
    CHECK(pb_init(&C, cfg) == 0);
    pb_udp(&C, 1, src, 40000, dst, 7777, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    return C.n == 1 ? &C.recs[0].r : NULL;
}

static void test_local_default_private(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    const cl_conn_record *r = one_udp(&cfg, "10.0.0.1", "8.8.8.8");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 0);
    }
    r = one_udp(&cfg, "192.168.1.1", "172.16.0.1");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 1);
    }
    r = one_udp(&cfg, "141.142.228.5", "192.150.187.43");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 0);
        CHECK_EQ_INT(r->local_resp, 0);
    }
    r = one_udp(&cfg, "fe80::1", "2a00::1");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 0);
    }
    r = one_udp(&cfg, "127.0.0.1", "100.64.0.1");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 1);
    }
    pb_free(&C);
}

static void test_local_private_off_unset(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.private_address_space_is_local = false;
    const cl_conn_record *r = one_udp(&cfg, "10.0.0.1", "8.8.8.8");
    if (r) {
        CHECK_EQ_INT(r->local_orig, CL_UNSET_INT);
        CHECK_EQ_INT(r->local_resp, CL_UNSET_INT);
    }
    pb_free(&C);
}

static void test_local_private_off_configured(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.private_address_space_is_local = false;
    CHECK(cl_netlist_add(&cfg.local_nets, "8.8.0.0/16") == 0);
    const cl_conn_record *r = one_udp(&cfg, "10.0.0.1", "8.8.8.8");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 0);
        CHECK_EQ_INT(r->local_resp, 1);
    }
    pb_free(&C);
}

static void test_local_private_on_plus_configured(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_netlist_add(&cfg.local_nets, "8.8.0.0/16,2a00::/16") == 0);
    const cl_conn_record *r = one_udp(&cfg, "10.0.0.1", "8.8.8.8");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 1);
    }
    r = one_udp(&cfg, "2a00::1", "2b00::1");
    if (r) {
        CHECK_EQ_INT(r->local_orig, 1);
        CHECK_EQ_INT(r->local_resp, 0);
    }
    pb_free(&C);
}

/* After a creation flip the values follow the new orientation. */
static void test_local_after_flip(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    pb_free(&C);
    CHECK(pb_init(&C, &cfg) == 0);
    pb_udp(&C, 1, "8.8.8.8", 53, "10.0.0.1", 40000, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1) {
        CHECK(pb_addr_eq(&C.recs[0].r.orig_h, "10.0.0.1"));
        CHECK_EQ_INT(C.recs[0].r.local_orig, 1);
        CHECK_EQ_INT(C.recs[0].r.local_resp, 0);
    }
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Garbage and truncated frames                                        */
/* ------------------------------------------------------------------ */

/* Feed and keep our own tally of skip reasons. */
static uint64_t tally[CL_SKIP_COUNT];
static uint64_t fed;

static cl_skip feed(double t, int lt, const uint8_t *d, uint32_t cap, uint32_t wire)
{
    cl_skip s = pb_feed_raw(&C, t, lt, d, cap, wire);
    CHECK(s >= CL_SKIP_NONE && s < CL_SKIP_COUNT);
    if (s < CL_SKIP_COUNT)
        tally[s]++;
    fed++;
    return s;
}

static void check_tally(void)
{
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.packets, fed);
    for (int i = 1; i < CL_SKIP_COUNT; i++)
        CHECK_EQ_U64(s.skipped[i], tally[i]);
}

static void reset_tally(void)
{
    memset(tally, 0, sizeof tally);
    fed = 0;
}

static void test_truncated_prefixes(void)
{
    uint8_t buf[PB_MAX_FRAME];
    CHECK(pb_init(&C, NULL) == 0);
    reset_tally();
    pb_opts kinds[] = {
        {.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 1, .dport = 2, .flags = PB_SYN,
         .len = 10},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 1, .dport = 2, .proto = 17, .len = 10},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .icmp_type = 8, .len = 10},
        {.src = "2001:db8::1", .dst = "2001:db8::2", .sport = 1, .dport = 2, .flags = PB_SYN,
         .len = 10},
        {.src = "2001:db8::1", .dst = "2001:db8::2", .sport = 1, .dport = 2, .proto = 17,
         .len = 10},
        {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = 58, .icmp_type = 128, .len = 10},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        uint32_t n = pb_build(&kinds[k], buf);
        CHECK(n > 0);
        bool v6 = kinds[k].src[0] == '2';
        uint32_t iphl = v6 ? 40 : 20;
        uint8_t proto = kinds[k].proto ? kinds[k].proto : 6;
        uint32_t thl = proto == 6 ? 20 : 8;
        for (uint32_t len = 0; len <= n; len++) {
            /* whole frame cut short (wire length too) */
            uint8_t *copy = malloc(len ? len : 1);
            memcpy(copy, buf, len);
            cl_skip s = feed(1 + len * 1e-3, 1, copy, len, len);
            if (len < n)
                CHECK(s != CL_SKIP_NONE);
            else
                CHECK_EQ_INT(s, CL_SKIP_NONE);
            if (len < 14)
                CHECK_EQ_INT(s, CL_SKIP_LINK_TRUNCATED);
            /* snaplen cut (wire length intact) */
            s = feed(1 + len * 1e-3, 1, copy, len, n);
            if (len < 14)
                CHECK_EQ_INT(s, CL_SKIP_LINK_TRUNCATED);
            else if (len < 14 + iphl)
                CHECK(s != CL_SKIP_NONE);
            else if (len < 14 + iphl + thl)
                CHECK_EQ_INT(s, CL_SKIP_TRANSPORT_TRUNCATED);
            else
                CHECK_EQ_INT(s, CL_SKIP_NONE);
            free(copy);
        }
    }
    check_tally();
    pb_flush(&C);
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_logged, s.conns_created);
    CHECK_EQ_U64(C.n, s.conns_created);
    pb_free(&C);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_garbage_frames(void)
{
    static const int linktypes[] = {0, 1, 9, 10, 12, 14, 101, 105, 108, 113, 127, 239, 276,
                                    50, 147, 9999, -1};
    uint8_t buf[600];
    CHECK(pb_init(&C, NULL) == 0);
    reset_tally();
    double t = 1;
    for (size_t l = 0; l < sizeof linktypes / sizeof linktypes[0]; l++) {
        for (uint32_t len = 0; len <= 300; len++) {
            /* exactly `len` bytes on the heap so ASan sees any overread */
            uint8_t *p = malloc(len ? len : 1);
            for (uint32_t i = 0; i < len; i++)
                p[i] = (uint8_t)rnd();
            /* make some of them look like IP to get deeper */
            if (len > 20 && (len & 1)) {
                if (linktypes[l] == 1 && len > 34) {
                    p[12] = 0x08, p[13] = 0x00, p[14] = 0x45;
                } else if (linktypes[l] == 101 || linktypes[l] == 12 || linktypes[l] == 14) {
                    p[0] = (len & 2) ? 0x45 : 0x60;
                }
            }
            feed(t, linktypes[l], p, len, len + (rnd() % 3 == 0 ? rnd() % 100 : 0));
            t += 0.001;
            free(p);
        }
    }
    /* mutated valid frames */
    pb_opts o = {.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 1, .dport = 2,
                 .flags = PB_SYN | PB_ACK, .len = 40};
    uint32_t n = pb_build(&o, buf);
    for (int i = 0; i < 3000; i++) {
        uint8_t *p = malloc(n);
        memcpy(p, buf, n);
        int flips = 1 + (int)(rnd() % 4);
        for (int j = 0; j < flips; j++)
            p[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
        uint32_t cap = (rnd() % 4 == 0) ? rnd() % (n + 1) : n;
        feed(t, 1, p, cap, n);
        t += 0.001;
        free(p);
    }
    check_tally();
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(skipped_total(&s) + tally[CL_SKIP_NONE], fed);
    CHECK(skipped_total(&s) > 0);
    /* the inputs reached every layer */
    CHECK(tally[CL_SKIP_NONE] > 0);
    CHECK(tally[CL_SKIP_LINK_TRUNCATED] > 0);
    CHECK(tally[CL_SKIP_LINKTYPE] > 0);
    CHECK(tally[CL_SKIP_IP_MALFORMED] > 0);
    CHECK(tally[CL_SKIP_IP_CHECKSUM] > 0);
    pb_flush(&C);
    s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_logged, s.conns_created);
    CHECK_EQ_U64(C.n, s.conns_created);
    CHECK_EQ_U64(s.conns_live, 0);
    pb_free(&C);
}

static void test_unsupported_and_non_ip(void)
{
    CHECK(pb_init(&C, NULL) == 0);
    reset_tally();
    uint8_t arp[42] = {0};
    arp[12] = 0x08, arp[13] = 0x06;
    CHECK_EQ_INT(feed(1, 1, arp, sizeof arp, sizeof arp), CL_SKIP_NOT_IP);
    uint8_t v7[40] = {0};
    v7[0] = 0x70;
    CHECK_EQ_INT(feed(1, 101, v7, sizeof v7, sizeof v7), CL_SKIP_IP_MALFORMED);
    CHECK_EQ_INT(feed(1, 9999, v7, sizeof v7, sizeof v7), CL_SKIP_LINKTYPE);
    /* bad IPv4 header checksum */
    uint8_t buf[PB_MAX_FRAME];
    pb_opts o = {.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 1, .dport = 2,
                 .proto = 17, .len = 4};
    uint32_t n = pb_build(&o, buf);
    buf[14 + 10] ^= 0x11;
    CHECK_EQ_INT(feed(1, 1, buf, n, n), CL_SKIP_IP_CHECKSUM);
    check_tally();
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 0);
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.conns_created, 0);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Checksum statistics                                                 */
/* ------------------------------------------------------------------ */

static void send_mix(void)
{
    for (int i = 0; i < 3; i++)
        pb_tcp(&C, 1 + i, "10.0.0.1", 4000, "10.0.0.2", 5000, PB_ACK, 100 + (uint32_t)i * 10,
               1, 10);
    for (int i = 0; i < 2; i++)
        pb_send(&C, (pb_opts){.t = 5 + i, .src = "10.0.0.2", .sport = 5000, .dst = "10.0.0.1",
                              .dport = 4000, .flags = PB_ACK, .seq = 1, .ack = 130,
                              .bad_csum = true});
    pb_udp(&C, 8, "10.0.0.1", 4000, "10.0.0.2", 5000, 10);
    pb_send(&C, (pb_opts){.t = 9, .src = "10.0.0.1", .sport = 4000, .dst = "10.0.0.2",
                          .dport = 5000, .proto = 17, .len = 10, .bad_csum = true});
    pb_icmp(&C, 10, "10.0.0.1", "10.0.0.2", 8, 0, 10);
}

static void test_checksum_stats(void)
{
    CHECK(pb_init(&C, NULL) == 0);
    send_mix();
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.checksum_checked, 8);
    CHECK_EQ_U64(s.checksum_failures, 3);
    CHECK_EQ_U64(s.packets, 8);
    CHECK_EQ_U64(skipped_total(&s), 0);
    pb_flush(&C);
    const cl_conn_record *tcp = NULL;
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.proto == CL_PROTO_TCP)
            tcp = &C.recs[i].r;
    CHECK(tcp != NULL);
    if (tcp) {
        CHECK_STR(tcp->history, "Dc");
        CHECK_EQ_U64(tcp->orig_pkts, 3);
        CHECK_EQ_U64(tcp->resp_pkts, 0);
    }
    pb_free(&C);
}

static void test_checksum_ignored(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.ignore_checksums = true;
    CHECK(pb_init(&C, &cfg) == 0);
    send_mix();
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.checksum_checked, 0);
    CHECK_EQ_U64(s.checksum_failures, 0);
    pb_flush(&C);
    const cl_conn_record *tcp = NULL;
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.proto == CL_PROTO_TCP)
            tcp = &C.recs[i].r;
    CHECK(tcp != NULL);
    if (tcp) {
        CHECK_STR(tcp->history, "Da");
        CHECK_EQ_U64(tcp->resp_pkts, 2);
    }
    pb_free(&C);
}

static void test_checksum_ignore_nets(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_netlist_add(&cfg.ignore_checksums_nets, "10.0.0.2/32") == 0);
    CHECK(pb_init(&C, &cfg) == 0);
    send_mix();
    cl_stats s = pb_stats(&C);
    CHECK_EQ_U64(s.checksum_failures, 1); /* only the UDP one from 10.0.0.1 */
    CHECK_EQ_U64(s.checksum_checked, 6);
    pb_free(&C);
}

TEST_MAIN(test_max_conns_evicts_idle_longest, test_max_conns_nothing_lost, test_out_of_memory_evicts,
          test_flush_then_same_flows,
          test_local_default_private, test_local_private_off_unset,
          test_local_private_off_configured, test_local_private_on_plus_configured,
          test_local_after_flip, test_truncated_prefixes, test_garbage_frames,
          test_unsupported_and_non_ip, test_checksum_stats, test_checksum_ignored,
          test_checksum_ignore_nets)
