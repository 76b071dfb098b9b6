/*
 * test_engine_datagram.c - UDP, ICMP/ICMPv6 and unknown-transport
 * connections through the public engine API (spec 1.3, 1.4, 2.2, 3.5,
 * 4.3, 4.4, 5.2, 5.3, 5.4, 8.2, 13.7, 13.8, 13.10).
 */
#include <math.h>

#include "engine_test.h"

#define A "10.0.0.1"
#define B "10.0.0.2"
#define A6 "2001:db8::1"
#define B6 "2001:db8::2"

static bool near(double x, double y) { return fabs(x - y) < 1e-6; }

/* ------------------------------------------------------------------ */
/* UDP                                                                 */
/* ------------------------------------------------------------------ */

static void test_udp_empty_datagrams_D_d(void)
{
    start();
    pb_udp(&C, 1, A, 40000, B, 7777, 0);
    pb_udp(&C, 1.5, B, 7777, A, 40000, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Dd");
    CHECK_STR(r->conn_state, "SF");
    CHECK_EQ_INT(r->proto, CL_PROTO_UDP);
    CHECK_EQ_INT(r->ip_proto, 17);
    CHECK(r->has_duration);
    CHECK(near(r->duration, 0.5));
    CHECK_EQ_U64(r->orig_bytes, 0);
    CHECK_EQ_U64(r->resp_bytes, 0);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->orig_ip_bytes, 28);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_ip_bytes, 28);
    pb_free(&C);
}

static void test_udp_sizes_sum(void)
{
    start();
    pb_udp(&C, 1, A, 40000, B, 7777, 100);
    pb_udp(&C, 2, A, 40000, B, 7777, 30);
    pb_udp(&C, 3, B, 7777, A, 40000, 7);
    GET_ONLY(r);
    CHECK_STR(r->history, "Dd");
    CHECK_EQ_U64(r->orig_bytes, 130);
    CHECK_EQ_U64(r->resp_bytes, 7);
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK_EQ_U64(r->orig_ip_bytes, 28 * 2 + 130);
    CHECK(near(r->duration, 2.0));
    pb_free(&C);
}

/* Sizes come from the UDP length field, not the captured payload. */
static void test_udp_size_from_length_field(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 100, .udp_len = 58, .zero_csum = true});
    pb_send(&C, (pb_opts){.t = 2, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 10, .udp_len = 108, .zero_csum = true});
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 50 + 100);
    CHECK_EQ_U64(r->orig_ip_bytes, 128 + 38);
    pb_free(&C);
}

static void test_udp_s0(void)
{
    start();
    pb_udp(&C, 1, A, 40000, B, 7777, 10);
    pb_udp(&C, 2, A, 40000, B, 7777, 10);
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_STR(r->conn_state, "S0");
    CHECK_EQ_U64(r->orig_bytes, 20);
    CHECK_EQ_U64(r->resp_bytes, 0);
    pb_free(&C);
}

/* Only bad-checksum packets: C, OTH, no packets counted, ts still set. */
static void test_udp_bad_checksum(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 10, .bad_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "C");
    CHECK_STR(r->conn_state, "OTH");
    CHECK_EQ_U64(r->orig_pkts, 0);
    CHECK_EQ_U64(r->orig_ip_bytes, 0);
    CHECK_EQ_U64(r->resp_pkts, 0);
    CHECK(near(r->ts, 1.0));
    pb_free(&C);
}

/* Orig sends only bad packets, resp answers: SHR "Cd". */
static void test_udp_shr(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 10, .bad_csum = true});
    pb_udp(&C, 2, B, 7777, A, 40000, 5);
    GET_ONLY(r);
    CHECK_STR(r->history, "Cd");
    CHECK_STR(r->conn_state, "SHR");
    CHECK_EQ_U64(r->orig_pkts, 0);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_bytes, 5);
    CHECK(near(r->duration, 1.0));
    pb_free(&C);
}

/* C is logarithmic: 1st and 10th bad packet. */
static void test_udp_bad_checksum_logarithmic(void)
{
    start();
    for (int i = 0; i < 10; i++)
        pb_send(&C, (pb_opts){.t = 1 + i * 0.01, .src = A, .sport = 40000, .dst = B,
                              .dport = 7777, .proto = 17, .len = 3, .bad_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "CC");
    pb_free(&C);
}

static void test_udp_ipv4_zero_checksum_ok(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 10, .zero_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_STR(r->conn_state, "S0");
    CHECK_EQ_U64(r->orig_pkts, 1);
    pb_free(&C);
}

static void test_udp_ipv6_zero_checksum_bad(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A6, .sport = 40000, .dst = B6, .dport = 7777,
                          .proto = 17, .len = 10, .zero_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "C");
    CHECK_STR(r->conn_state, "OTH");
    CHECK_EQ_U64(r->orig_pkts, 0);
    pb_free(&C);
}

static void test_udp_ipv6_good(void)
{
    start();
    pb_udp(&C, 1, A6, 40000, B6, 7777, 10);
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_EQ_U64(r->orig_ip_bytes, 58);
    CHECK(pb_addr_eq(&r->orig_h, A6));
    pb_free(&C);
}

/* First packet from a likely server port (161, SNMP: no analyzer of ours
 * attaches there, so nothing but the flip acts) is flipped at creation. */
static void test_udp_flip_towards_server_port(void)
{
    start();
    pb_udp(&C, 1, B, 161, A, 40000, 20);
    GET_ONLY(r);
    CHECK_STR(r->history, "^d");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->orig_p, 40000);
    CHECK_EQ_INT(r->resp_p, 161);
    CHECK_STR(r->conn_state, "SHR");
    CHECK_EQ_U64(r->orig_pkts, 0);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_ip_bytes, 48);
    pb_free(&C);
}

/* The link-layer context is kept only when asked for (cl_config.l2_context):
 * without it the MAC, VLAN and PPPoE fields are unset. */
static void test_l2_context_off_by_default(void)
{
    start();
    pb_udp(&C, 1, A, 40000, B, 161, 20);
    GET_ONLY(r);
    CHECK(!r->has_orig_l2);
    CHECK(!r->has_resp_l2);
    CHECK_EQ_INT(r->vlan, CL_UNSET_INT);
    CHECK_EQ_INT(r->inner_vlan, CL_UNSET_INT);
    CHECK_EQ_INT(r->pppoe_session_id, CL_UNSET_INT);
    pb_free(&C);
}

/* With it, the first packet's MACs are the originator's and responder's,
 * swapped when the connection flips (the builder's frames go from
 * 02:00:00:00:00:01 to 02:00:00:00:00:02). */
static void test_l2_context_kept_and_flipped(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.has_seed = true;
    cfg.seed = 42;
    cfg.l2_context = true;
    static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 1}, mac2[6] = {2, 0, 0, 0, 0, 2};
    for (int flip = 0; flip < 2; flip++) {
        CHECK(pb_init(&C, &cfg) == 0);
        if (flip)
            pb_udp(&C, 1, B, 161, A, 40000, 20); /* from the server: flips */
        else
            pb_udp(&C, 1, A, 40000, B, 161, 20);
        GET_ONLY(r);
        CHECK(pb_addr_eq(&r->orig_h, A));
        CHECK(r->has_orig_l2 && r->has_resp_l2);
        CHECK(memcmp(r->orig_l2, flip ? mac2 : mac1, 6) == 0);
        CHECK(memcmp(r->resp_l2, flip ? mac1 : mac2, 6) == 0);
        CHECK_EQ_INT(r->vlan, CL_UNSET_INT);
        pb_free(&C);
    }
}

/* A connection stores an IPv4 key in 20 bytes and an IPv6 one with its
 * addresses behind the block: flows whose addresses share their last 4
 * bytes, or differ only in their first ones, stay apart, replies find
 * their connections, and the end-of-input order is the full keys' order
 * (::1 < ::ffff:10.0.0.1 < 2001:db8:: < 2001:db9::). */
static void test_compact_keys_v4_and_v6(void)
{
    static const char *const flows[4][2] = {
        {"10.0.0.1", "10.0.0.2"},
        {"2001:db8::a00:1", "2001:db8::a00:2"},
        {"2001:db9::a00:1", "2001:db9::a00:2"},
        {"::1", "::2"},
    };
    static const int order[4] = {3, 0, 1, 2};
    start();
    for (int i = 0; i < 4; i++)
        pb_udp(&C, 1 + i, flows[i][0], 40000, flows[i][1], 40001, 10);
    for (int i = 0; i < 4; i++)
        pb_udp(&C, 10 + i, flows[i][1], 40001, flows[i][0], 40000, 10);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 4);
    for (size_t j = 0; j < C.n && j < 4; j++) {
        const cl_conn_record *r = &C.recs[j].r;
        CHECK(pb_addr_eq(&r->orig_h, flows[order[j]][0]));
        CHECK(pb_addr_eq(&r->resp_h, flows[order[j]][1]));
        CHECK_EQ_U64(r->orig_pkts, 1);
        CHECK_EQ_U64(r->resp_pkts, 1);
    }
    pb_free(&C);
}

/* Both ports likely: UDP does not flip. */
static void test_udp_no_flip_both_likely(void)
{
    start();
    pb_udp(&C, 1, B, 53, A, 123, 20);
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_EQ_INT(r->orig_p, 53);
    pb_free(&C);
}

/* No flip towards 255.255.255.255 ... */
static void test_udp_no_flip_to_broadcast(void)
{
    start();
    pb_udp(&C, 1, "10.0.0.1", 67, "255.255.255.255", 68, 300);
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_EQ_INT(r->orig_p, 67);
    CHECK(pb_addr_eq(&r->orig_h, "10.0.0.1"));
    CHECK(pb_addr_eq(&r->resp_h, "255.255.255.255"));
    pb_free(&C);
}

/* ... but a subnet broadcast is flipped (spec 13.10). */
static void test_udp_flip_to_subnet_broadcast(void)
{
    start();
    pb_udp(&C, 1, "10.0.0.1", 67, "10.0.0.255", 68, 300);
    GET_ONLY(r);
    CHECK_STR(r->history, "^d");
    CHECK_EQ_INT(r->orig_p, 68);
    CHECK(pb_addr_eq(&r->orig_h, "10.0.0.255"));
    pb_free(&C);
}

/* 60 s inactivity; equality expires. */
static void test_udp_timeout_equality(void)
{
    start();
    pb_udp(&C, 10, A, 40000, B, 7777, 1);
    pb_udp(&C, 70, A, 40000, B, 7777, 1);
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK(!C.recs[0].r.has_duration);
        CHECK(near(C.recs[0].r.ts, 10));
        CHECK(near(C.recs[1].r.ts, 70));
        CHECK(strcmp(C.recs[0].r.uid, C.recs[1].r.uid) != 0);
    }
    pb_free(&C);
}

static void test_udp_timeout_just_below(void)
{
    start();
    pb_udp(&C, 10, A, 40000, B, 7777, 1);
    pb_udp(&C, 69.999999, A, 40000, B, 7777, 1);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK(near(r->duration, 59.999999));
    pb_free(&C);
}

/* Another connection's packet triggers the timeout. */
static void test_udp_timeout_by_other_traffic(void)
{
    start();
    pb_udp(&C, 10, A, 40000, B, 7777, 1);
    pb_udp(&C, 69, "10.9.9.9", 1, "10.9.9.8", 2, 1);
    CHECK_EQ_INT(C.n, 0);
    pb_udp(&C, 70, "10.9.9.9", 1, "10.9.9.8", 2, 1);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1)
        CHECK_EQ_INT(C.recs[0].r.orig_p, 40000);
    pb_free(&C);
}

/* Spec 5.2: a bogus UDP length < 8 as the first packet leaves the
 * direction inactive; a later good packet adds its size. */
static void test_udp_bogus_length_first(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = 40000, .dst = B, .dport = 7777,
                          .proto = 17, .len = 10, .udp_len = 4, .zero_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_STR(r->conn_state, "OTH");
    CHECK_EQ_U64(r->orig_pkts, 1);
    pb_free(&C);
}

/* Spec 1.5: UDP byte counters are slot based and not swapped by a flip;
 * ConnSize counters are. A creation flip happens before any counting, so
 * the server's bytes land in resp. */
static void test_udp_flip_then_client(void)
{
    start();
    pb_udp(&C, 1, B, 161, A, 40000, 20);
    pb_udp(&C, 2, A, 40000, B, 161, 30);
    GET_ONLY(r);
    CHECK_STR(r->history, "^dD");
    CHECK_STR(r->conn_state, "SF");
    CHECK_EQ_U64(r->orig_bytes, 30);
    CHECK_EQ_U64(r->resp_bytes, 20);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

/* UDP never reuses: many packets within the timeout are one record. */
static void test_udp_one_record_within_timeout(void)
{
    start();
    for (int i = 0; i < 20; i++)
        pb_udp(&C, 1 + i * 50, A, 40000, B, 7777, 1);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_pkts, 20);
    CHECK(near(r->duration, 950));
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* ICMP                                                                */
/* ------------------------------------------------------------------ */

static void test_icmp_echo_pair(void)
{
    start();
    pb_icmp(&C, 1, A, B, 8, 0, 56);
    pb_icmp(&C, 1.25, B, A, 0, 0, 56);
    GET_ONLY(r);
    CHECK_EQ_INT(r->proto, CL_PROTO_ICMP);
    CHECK_EQ_INT(r->ip_proto, 1);
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->orig_p, 8);
    CHECK_EQ_INT(r->resp_p, 0);
    CHECK_STR(r->conn_state, "OTH");
    CHECK(r->history == NULL);
    CHECK(r->has_duration);
    CHECK(near(r->duration, 0.25));
    CHECK_EQ_U64(r->orig_bytes, 56);
    CHECK_EQ_U64(r->resp_bytes, 56);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->orig_ip_bytes, 84);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_ip_bytes, 84);
    pb_free(&C);
}

static void test_icmp_reply_first(void)
{
    start();
    pb_icmp(&C, 1, B, A, 0, 0, 56);
    GET_ONLY(r);
    CHECK(pb_addr_eq(&r->orig_h, B));
    CHECK_EQ_INT(r->orig_p, 0);
    CHECK_EQ_INT(r->resp_p, 8);
    pb_free(&C);
}

/* One-way types: keyed by (type, code), not canonicalised. */
static void test_icmp_one_way(void)
{
    start();
    pb_icmp(&C, 1, B, A, 3, 1, 28);
    pb_icmp(&C, 2, A, B, 3, 1, 28);
    pb_icmp(&C, 3, B, A, 3, 3, 28);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 3);
    int from_b_1 = 0, from_a_1 = 0, from_b_3 = 0;
    for (size_t i = 0; i < C.n; i++) {
        const cl_conn_record *r = &C.recs[i].r;
        CHECK_EQ_INT(r->orig_p, 3);
        CHECK_STR(r->conn_state, "OTH");
        CHECK(r->history == NULL);
        CHECK_EQ_U64(r->orig_pkts, 1);
        CHECK_EQ_U64(r->resp_pkts, 0);
        if (pb_addr_eq(&r->orig_h, B) && r->resp_p == 1)
            from_b_1++;
        if (pb_addr_eq(&r->orig_h, A) && r->resp_p == 1)
            from_a_1++;
        if (pb_addr_eq(&r->orig_h, B) && r->resp_p == 3)
            from_b_3++;
    }
    CHECK_EQ_INT(from_b_1, 1);
    CHECK_EQ_INT(from_a_1, 1);
    CHECK_EQ_INT(from_b_3, 1);
    pb_free(&C);
}

/* A snaplen-truncated ICMP packet: not in pkts/ip_bytes, but in bytes and
 * duration (spec 5.4, 13.8). */
static void test_icmp_truncated(void)
{
    start();
    pb_icmp(&C, 1, A, B, 8, 0, 56);
    pb_send(&C, (pb_opts){.t = 3, .src = A, .dst = B, .proto = 1, .icmp_type = 8,
                          .len = 56, .snap = 14 + 20 + 8 + 10});
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->orig_ip_bytes, 84);
    CHECK_EQ_U64(r->orig_bytes, 112);
    CHECK(near(r->duration, 2.0));
    pb_free(&C);
}

/* A bad ICMP checksum is silently skipped: no size, no last_time. */
static void test_icmp_bad_checksum(void)
{
    start();
    pb_icmp(&C, 1, A, B, 8, 0, 56);
    pb_send(&C, (pb_opts){.t = 3, .src = A, .dst = B, .proto = 1, .icmp_type = 8,
                          .len = 56, .bad_csum = true});
    GET_ONLY(r);
    CHECK(r->history == NULL);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK(!r->has_duration);
    pb_free(&C);
}

static void test_icmp6_echo(void)
{
    start();
    pb_icmp(&C, 1, A6, B6, 128, 0, 16);
    pb_icmp(&C, 2, B6, A6, 129, 0, 16);
    GET_ONLY(r);
    CHECK_EQ_INT(r->proto, CL_PROTO_ICMP);
    CHECK_EQ_INT(r->ip_proto, 58);
    CHECK_EQ_INT(r->orig_p, 128);
    CHECK_EQ_INT(r->resp_p, 129);
    CHECK(pb_addr_eq(&r->orig_h, A6));
    CHECK_EQ_U64(r->orig_bytes, 16);
    CHECK_EQ_U64(r->resp_bytes, 16);
    CHECK_EQ_U64(r->orig_ip_bytes, 64);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

/* ICMPv6 neighbor solicitation/advertisement pair up (135 <-> 136). */
static void test_icmp_neighbor_pairing(void)
{
    start();
    pb_icmp(&C, 1, A6, B6, 135, 0, 24);
    pb_icmp(&C, 1.5, B6, A6, 136, 0, 24);
    GET_ONLY(r);
    CHECK_EQ_INT(r->orig_p, 135);
    CHECK_EQ_INT(r->resp_p, 136);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

static void test_icmp_timeout_60(void)
{
    start();
    pb_icmp(&C, 1, A, B, 8, 0, 8);
    pb_icmp(&C, 61, A, B, 8, 0, 8);
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Unknown transport                                                   */
/* ------------------------------------------------------------------ */

static void test_unknown_transport_sctp(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .dst = B, .proto = 132, .len = 32});
    pb_send(&C, (pb_opts){.t = 1.5, .src = B, .dst = A, .proto = 132, .len = 12});
    GET_ONLY(r);
    CHECK_EQ_INT(r->proto, CL_PROTO_UNKNOWN);
    CHECK_STR(cl_proto_name(r->proto), "unknown_transport");
    CHECK_EQ_INT(r->ip_proto, 132);
    CHECK_EQ_INT(r->orig_p, 0);
    CHECK_EQ_INT(r->resp_p, 0);
    CHECK_STR(r->conn_state, "OTH");
    CHECK(r->history == NULL);
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK(r->has_duration);
    CHECK_EQ_U64(r->orig_bytes, 0);
    CHECK_EQ_U64(r->resp_bytes, 0);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->orig_ip_bytes, 52);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_ip_bytes, 32);
    pb_free(&C);
}

static void test_unknown_transport_timeout(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .dst = B, .proto = 132, .len = 4});
    pb_send(&C, (pb_opts){.t = 61, .src = A, .dst = B, .proto = 132, .len = 4});
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    pb_free(&C);
}

TEST_MAIN(test_udp_empty_datagrams_D_d, test_udp_sizes_sum, test_udp_size_from_length_field,
          test_udp_s0, test_udp_bad_checksum, test_udp_shr, test_udp_bad_checksum_logarithmic,
          test_udp_ipv4_zero_checksum_ok, test_udp_ipv6_zero_checksum_bad, test_udp_ipv6_good,
          test_udp_flip_towards_server_port, test_l2_context_off_by_default,
          test_l2_context_kept_and_flipped, test_compact_keys_v4_and_v6,
          test_udp_no_flip_both_likely,
          test_udp_no_flip_to_broadcast, test_udp_flip_to_subnet_broadcast,
          test_udp_timeout_equality, test_udp_timeout_just_below,
          test_udp_timeout_by_other_traffic, test_udp_bogus_length_first,
          test_udp_flip_then_client, test_udp_one_record_within_timeout, test_icmp_echo_pair, test_icmp_reply_first,
          test_icmp_one_way, test_icmp_truncated, test_icmp_bad_checksum, test_icmp6_echo,
          test_icmp_neighbor_pairing, test_icmp_timeout_60, test_unknown_transport_sctp,
          test_unknown_transport_timeout)
