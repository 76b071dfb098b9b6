/*
 * test_engine_tcp.c - TCP connections through the public engine API:
 * conn_state (spec 3.5), history letters (4.2), byte counts (5.1), gaps
 * (5.5), duration gate (5.6), timers and removal order (2.2, 2.3, 2.7),
 * reuse (1.6) and role flips (1.4, 1.5).
 *
 * Endpoints: A = 10.0.0.1:40000 (client), B = 10.0.0.2:8765 (not a likely
 * server port) unless a test needs otherwise. Client ISN 1000, server 5000.
 */
#include <math.h>

#include "engine_test.h"

#define A "10.0.0.1"
#define B "10.0.0.2"
#define AP 40000
#define BP 8765

#define S PB_SYN
#define F PB_FIN
#define R PB_RST
#define K PB_ACK

/* A -> B and B -> A on the default ports. */
static void a(double t, uint8_t fl, uint32_t seq, uint32_t ack, uint32_t len)
{
    pb_tcp(&C, t, A, AP, B, BP, fl, seq, ack, len);
}

static void b(double t, uint8_t fl, uint32_t seq, uint32_t ack, uint32_t len)
{
    pb_tcp(&C, t, B, BP, A, AP, fl, seq, ack, len);
}

/* SYN at t, SYN-ACK at t+.1, ACK at t+.2. */
static void handshake(double t)
{
    a(t, S, 1000, 0, 0);
    b(t + 0.1, S | K, 5000, 1001, 0);
    a(t + 0.2, K, 1001, 5001, 0);
}

#define GET_AT(r, i)                                                         \
    const cl_conn_record *r = pb_rec_at(&C, i);                              \
    CHECK(r != NULL);                                                        \
    if (!r) {                                                                \
        pb_free(&C);                                                         \
        return;                                                              \
    }

static bool near(double x, double y) { return fabs(x - y) < 1e-6; }

/* ------------------------------------------------------------------ */
/* conn_state worked examples (spec 3.5)                               */
/* ------------------------------------------------------------------ */

static void test_state_sf(void)
{
    start();
    handshake(1);
    a(1.3, K | PB_PSH, 1001, 5001, 100);
    b(1.4, K, 5001, 1101, 0);
    b(1.5, K | PB_PSH, 5001, 1101, 200);
    a(1.6, F | K, 1101, 5201, 0);
    b(1.7, F | K, 5201, 1102, 0);
    a(1.8, K, 1102, 5202, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADadFf");
    CHECK_STR(r->conn_state, "SF");
    CHECK_EQ_INT(r->proto, CL_PROTO_TCP);
    CHECK_EQ_INT(r->ip_proto, 6);
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK(pb_addr_eq(&r->resp_h, B));
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_EQ_INT(r->resp_p, BP);
    CHECK(r->has_duration);
    /* duration stops at the packet completing the close (1.7) */
    CHECK(near(r->duration, 0.7));
    CHECK(near(r->ts, 1.0));
    CHECK_EQ_U64(r->orig_bytes, 100);
    CHECK_EQ_U64(r->resp_bytes, 200);
    CHECK_EQ_U64(r->orig_pkts, 5);
    CHECK_EQ_U64(r->orig_ip_bytes, 4 * 40 + 140);
    CHECK_EQ_U64(r->resp_pkts, 4);
    CHECK_EQ_U64(r->resp_ip_bytes, 3 * 40 + 240);
    CHECK_EQ_U64(r->missed_bytes, 0);
    CHECK(r->service == NULL);
    CHECK(strlen(r->uid) > 1 && r->uid[0] == 'C');
    pb_free(&C);
}

static void test_state_s0(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(2, S, 1000, 0, 0); /* retransmission, same ISN */
    GET_ONLY(r);
    CHECK_STR(r->history, "S");
    CHECK_STR(r->conn_state, "S0");
    CHECK(r->has_duration);
    CHECK(near(r->duration, 1.0));
    CHECK_EQ_U64(r->orig_bytes, 0);
    CHECK_EQ_U64(r->resp_bytes, 0);
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK_EQ_U64(r->orig_ip_bytes, 80);
    CHECK_EQ_U64(r->resp_pkts, 0);
    CHECK_EQ_U64(r->resp_ip_bytes, 0);
    pb_free(&C);
}

static void test_state_rej(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1.1, R | K, 0, 1001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Sr");
    CHECK_STR(r->conn_state, "REJ");
    CHECK_EQ_U64(r->orig_bytes, 0);
    CHECK_EQ_U64(r->resp_bytes, 0);
    pb_free(&C);
}

static void test_state_rsto(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    b(1.4, K, 5001, 1101, 0);
    b(1.5, K, 5001, 1101, 200);
    a(1.6, R, 1101, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADadR");
    CHECK_STR(r->conn_state, "RSTO");
    CHECK_EQ_U64(r->orig_bytes, 100);
    CHECK_EQ_U64(r->resp_bytes, 200);
    pb_free(&C);
}

static void test_state_rstr(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    b(1.4, K, 5001, 1101, 0);
    b(1.5, K, 5001, 1101, 200);
    a(1.6, F | K, 1101, 5201, 0);
    b(1.7, R, 5201, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADadFr");
    CHECK_STR(r->conn_state, "RSTR");
    CHECK_EQ_U64(r->orig_bytes, 100);
    CHECK_EQ_U64(r->resp_bytes, 200);
    pb_free(&C);
}

static void test_state_rstos0(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(1.5, R, 1001, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "SR");
    CHECK_STR(r->conn_state, "RSTOS0");
    pb_free(&C);
}

static void test_state_rstrh(void)
{
    start();
    /* first packet: RST from port 80 -> flipped at creation */
    pb_tcp(&C, 1, B, 80, A, AP, R, 5000, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "^r");
    CHECK_STR(r->conn_state, "RSTRH");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_EQ_INT(r->resp_p, 80);
    CHECK_EQ_U64(r->orig_pkts, 0);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK(!r->has_duration);
    pb_free(&C);
}

static void test_state_sh(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(1.1, K, 1001, 5001, 0);
    a(1.2, K, 1001, 5001, 50);
    a(1.3, F | K, 1051, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "SADF");
    CHECK_STR(r->conn_state, "SH");
    CHECK_EQ_U64(r->orig_bytes, 50); /* SYN and FIN octets removed */
    CHECK_EQ_U64(r->resp_bytes, 0);
    pb_free(&C);
}

static void test_state_shr(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, AP, F | K, 5000, 1000, 0);
    pb_tcp(&C, 1.1, A, AP, B, 80, K, 1000, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "^fA");
    CHECK_STR(r->conn_state, "SHR");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->resp_p, 80);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

static void test_state_s1(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1.1, S | K, 5000, 1001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Sh");
    CHECK_STR(r->conn_state, "S1");
    pb_free(&C);
}

static void test_state_s2(void)
{
    start();
    handshake(1);
    a(1.3, F | K, 1001, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAF");
    CHECK_STR(r->conn_state, "S2");
    pb_free(&C);
}

static void test_state_s3(void)
{
    start();
    handshake(1);
    b(1.3, F | K, 5001, 1001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAf");
    CHECK_STR(r->conn_state, "S3");
    pb_free(&C);
}

static void test_state_oth_synack_only(void)
{
    start();
    a(1, S | K, 5000, 1001, 0); /* ports not likely: no flip */
    GET_ONLY(r);
    CHECK_STR(r->history, "H");
    CHECK_STR(r->conn_state, "OTH");
    CHECK(pb_addr_eq(&r->orig_h, A));
    pb_free(&C);
}

static void test_state_oth_single_rst(void)
{
    start();
    a(1, R, 1000, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "R");
    CHECK_STR(r->conn_state, "OTH");
    pb_free(&C);
}

static void test_state_oth_midstream(void)
{
    start();
    a(1, K, 100000, 2000, 100);
    b(1.1, K, 2000, 100100, 50);
    a(1.2, K, 100100, 2050, 100);
    GET_ONLY(r);
    CHECK_STR(r->history, "Dd");
    CHECK_STR(r->conn_state, "OTH");
    /* partial: start = first seq - 1 */
    CHECK_EQ_U64(r->orig_bytes, 200);
    CHECK_EQ_U64(r->resp_bytes, 50);
    CHECK_EQ_U64(r->missed_bytes, 0);
    pb_free(&C);
}

/* RSTOS0's regex excludes only upper-case HAFGIQ (spec 11.1 #13). */
static void test_state_rstos0_lowercase_a(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1.1, K, 5000, 1001, 0); /* bare ACK back: resp stays INACTIVE */
    a(1.2, R, 1001, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "SaR");
    CHECK_STR(r->conn_state, "RSTOS0");
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* History letters (spec 4.2)                                          */
/* ------------------------------------------------------------------ */

/* S and H share one bit: a SYN-ACK from the originator at the same
 * relative sequence adds nothing. */
static void test_hist_s_h_share_bit(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(1.1, S | K, 1000, 7, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "S");
    pb_free(&C);
}

/* F repeats only when seq+len changes. */
static void test_hist_repeated_fin(void)
{
    start();
    handshake(1);
    a(1.3, F | K, 1001, 5001, 0);
    a(1.4, F | K, 1001, 5001, 0);  /* same: no letter */
    a(1.5, F | K, 1001, 5001, 5);  /* seq+len differs: F again, no D */
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAFF");
    pb_free(&C);
}

static void test_hist_fin_rst_is_I(void)
{
    start();
    handshake(1);
    a(1.3, F | R | K, 1001, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAI");
    pb_free(&C);
}

static void test_hist_syn_fin_is_Q(void)
{
    start();
    a(1, S | F, 1000, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Q");
    CHECK_STR(r->conn_state, "SH");
    pb_free(&C);
}

/* A second SYN-FIN-ACK is no reuse (ACK set, orig not INACTIVE): Q once. */
static void test_hist_q_once_per_direction(void)
{
    start();
    a(1, S | F | K, 1000, 1, 0);
    a(1.1, S | F | K, 1000, 1, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Q");
    CHECK_EQ_U64(r->orig_pkts, 2);
    pb_free(&C);
}

/* A SYN after a SYN-FIN (orig closed) is always a reuse (spec 1.6). */
static void test_reuse_syn_after_syn_fin(void)
{
    start();
    a(1, S | F, 1000, 0, 0);
    a(1.1, S | F, 1000, 0, 0);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK_STR(C.recs[0].r.history, "Q");
        CHECK_STR(C.recs[1].r.history, "Q");
    }
    pb_free(&C);
}

static void test_hist_syn_fin_rst_is_I(void)
{
    start();
    a(1, S | F | R, 1000, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "I");
    pb_free(&C);
}

static void test_hist_no_D_for_flagged_packets(void)
{
    start();
    handshake(1);
    a(1.3, F | K, 1001, 5001, 10); /* FIN with payload: F only */
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAF");
    CHECK_EQ_U64(r->orig_bytes, 10);
    pb_free(&C);
}

/* Spec 13.3: SYN carrying data records S then T, never D. */
static void test_hist_syn_with_data(void)
{
    start();
    a(1, S, 1000, 0, 20);
    GET_ONLY(r);
    CHECK_STR(r->history, "ST");
    pb_free(&C);
}

/* Flagless empty segment with no ACK records nothing. */
static void test_hist_flagless_empty_nothing(void)
{
    start();
    handshake(1);
    a(1.3, 0, 1001, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShA");
    pb_free(&C);
}

static void retrans(int n, const char *want)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    for (int i = 0; i < n; i++)
        a(1.4 + 0.001 * i, K, 1001, 5001, 100);
    GET_ONLY(r);
    CHECK_STR(r->history, want);
    CHECK_EQ_U64(r->orig_bytes, 100); /* not double-counted */
    CHECK_EQ_U64(r->orig_pkts, (uint64_t)(3 + n));
    pb_free(&C);
}

static void test_hist_retrans_log_1(void) { retrans(1, "ShADT"); }
static void test_hist_retrans_log_9(void) { retrans(9, "ShADT"); }
static void test_hist_retrans_log_10(void) { retrans(10, "ShADTT"); }
static void test_hist_retrans_log_99(void) { retrans(99, "ShADTT"); }
static void test_hist_retrans_log_100(void) { retrans(100, "ShADTTT"); }

static void test_hist_retrans_resp_lower(void)
{
    start();
    handshake(1);
    b(1.3, K, 5001, 1001, 100);
    b(1.4, K, 5001, 1001, 100);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAdt");
    pb_free(&C);
}

/* Out-of-order segment filling a hole is a "retransmission". */
static void test_hist_out_of_order_is_T(void)
{
    start();
    handshake(1);
    a(1.3, K, 1101, 5001, 100);
    a(1.4, K, 1001, 5001, 100);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADT");
    CHECK_EQ_U64(r->orig_bytes, 200);
    pb_free(&C);
}

static void test_hist_zero_window(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1.1, S | K, 5000, 1001, 0);
    pb_send(&C, (pb_opts){.t = 1.2, .src = A, .sport = AP, .dst = B, .dport = BP,
                          .flags = K, .seq = 1001, .ack = 5001, .zero_win = true});
    pb_send(&C, (pb_opts){.t = 1.3, .src = B, .sport = BP, .dst = A, .dport = AP,
                          .flags = K, .seq = 5001, .ack = 1001, .zero_win = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAWaw");
    pb_free(&C);
}

static void test_hist_bad_checksum_first_packet(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = AP, .dst = B, .dport = BP,
                          .flags = S, .seq = 1000, .bad_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "C");
    CHECK_STR(r->conn_state, "OTH");
    CHECK_EQ_U64(r->orig_pkts, 0);
    CHECK_EQ_U64(r->orig_ip_bytes, 0);
    CHECK_EQ_U64(r->resp_pkts, 0);
    CHECK(near(r->ts, 1.0));
    pb_free(&C);
}

static void test_hist_bad_checksum_midstream(void)
{
    start();
    handshake(1);
    pb_send(&C, (pb_opts){.t = 1.3, .src = B, .sport = BP, .dst = A, .dport = AP,
                          .flags = K, .seq = 5001, .ack = 1001, .len = 10,
                          .bad_csum = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAc");
    CHECK_EQ_U64(r->resp_pkts, 1);   /* only the SYN-ACK */
    CHECK(near(r->duration, 0.2)); /* bad packet does not move last_time */
    CHECK_EQ_U64(r->resp_bytes, 0);
    pb_free(&C);
}

/* SYN-ACK first, then the client's ACK: history "^hA". */
static void test_flip_synack_then_ack(void)
{
    start();
    b(1, S | K, 5000, 1001, 0);
    a(1.1, K, 1001, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "^hA");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_EQ_INT(r->resp_p, BP);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

/* SYN-ACK first, then the server's data: the letter is recorded
 * post-flip with the sender's new role (server = resp): "^hd". */
static void test_flip_synack_then_data_from_server(void)
{
    start();
    b(1, S | K, 5000, 1001, 0);
    b(1.1, K, 5001, 1001, 30);
    GET_ONLY(r);
    CHECK_STR(r->history, "^hd");
    CHECK(pb_addr_eq(&r->orig_h, A));
    pb_free(&C);
}

/* SYN-ACK from B, then A's SYN with the ISN B acknowledged: "Hs^". */
static void test_flip_syn_synack_reversal(void)
{
    start();
    b(1, S | K, 5000, 1001, 0);
    a(1.1, S, 1000, 0, 0);
    a(1.2, K, 1001, 5001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Hs^A");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_STR(r->conn_state, "S1");
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK_EQ_U64(r->resp_pkts, 1);
    pb_free(&C);
}

/* First packet from port 80 without SYN: flipped at creation. */
static void test_flip_creation_server_port(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, AP, K, 5000, 1000, 10);
    pb_tcp(&C, 1.5, A, AP, B, 80, K, 1000, 5010, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "^dA");
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK(pb_addr_eq(&r->resp_h, B));
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_EQ_INT(r->resp_p, 80);
    CHECK_EQ_U64(r->resp_pkts, 1);
    CHECK_EQ_U64(r->resp_ip_bytes, 50);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK(near(r->ts, 1.0));
    pb_free(&C);
}

/* A plain SYN from a server port is never flipped. */
static void test_flip_not_for_plain_syn(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, AP, S, 5000, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "S");
    CHECK(pb_addr_eq(&r->orig_h, B));
    CHECK_EQ_INT(r->orig_p, 80);
    pb_free(&C);
}

/* Both ports likely: flip iff no SYN and src port < dst port. */
static void test_flip_both_likely_lower_port(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, 443, K, 5000, 1000, 10);
    GET_ONLY(r);
    CHECK_STR(r->history, "^d");
    CHECK_EQ_INT(r->orig_p, 443);
    CHECK_EQ_INT(r->resp_p, 80);
    pb_free(&C);
}

static void test_flip_both_likely_higher_port(void)
{
    start();
    pb_tcp(&C, 1, B, 443, A, 80, K, 5000, 1000, 10);
    GET_ONLY(r);
    CHECK_STR(r->history, "D");
    CHECK_EQ_INT(r->orig_p, 443);
    pb_free(&C);
}

static void test_flip_both_likely_synack_never(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, 443, S | K, 5000, 1000, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "H");
    CHECK_EQ_INT(r->orig_p, 80);
    pb_free(&C);
}

/* SYN-ACK from a likely server port to a client port: flipped ("^h"). */
static void test_flip_synack_from_server_port(void)
{
    start();
    pb_tcp(&C, 1, B, 80, A, AP, S | K, 5000, 1001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "^h");
    CHECK_EQ_INT(r->orig_p, AP);
    CHECK_EQ_INT(r->resp_p, 80);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Bytes (spec 5.1) and the duration gate (5.6)                        */
/* ------------------------------------------------------------------ */

static void test_bytes_rst_payload_not_counted(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    a(1.4, R | K, 1101, 5001, 20);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 100);
    CHECK_STR(r->conn_state, "RSTO");
    pb_free(&C);
}

/* Spec 13.3: a RST carrying payload at the last sequence records T. */
static void test_hist_rst_payload_is_T(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    a(1.4, R | K, 1101, 5001, 20);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADRT");
    pb_free(&C);
}

static void test_bytes_wraparound_isn(void)
{
    start();
    a(1, S, 0xFFFFFF00u, 0, 0);
    b(1.1, S | K, 5000, 0xFFFFFF01u, 0);
    a(1.2, K, 0xFFFFFF01u, 5001, 1000);
    a(1.3, K, 0xFFFFFF01u + 1000u, 5001, 1000);
    b(1.4, K, 5001, 0xFFFFFF01u + 2000u, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShDa");
    CHECK_EQ_U64(r->orig_bytes, 2000);
    CHECK_EQ_U64(r->resp_bytes, 0);
    CHECK_EQ_U64(r->missed_bytes, 0);
    pb_free(&C);
}

/* More than 4 GiB of sequence space in steps < 2^31: wraps are counted. */
static void test_bytes_past_4gib(void)
{
    start();
    handshake(1);
    for (uint32_t k = 0; k < 5; k++)
        a(2 + k, K, 1001u + k * 0x40000000u, 5001, 100);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 4ull * 0x40000000ull + 100);
    pb_free(&C);
}

/* Data acknowledged by the peer but never captured is counted. */
static void test_bytes_acked_data_counted(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    b(1.4, K, 5001, 1301, 0); /* acks 200 bytes never seen */
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 300);
    pb_free(&C);
}

static void test_duration_zero_unset(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1, S | K, 5000, 1001, 0);
    a(1, K, 1001, 5001, 50);
    GET_ONLY(r);
    CHECK(!r->has_duration);
    CHECK_STR(r->conn_state, "S1");
    CHECK_EQ_U64(r->orig_pkts, 2);
    pb_free(&C);
}

static void test_duration_single_syn_unset(void)
{
    start();
    a(7, S, 1000, 0, 0);
    GET_ONLY(r);
    CHECK(!r->has_duration);
    CHECK_EQ_U64(r->orig_pkts, 1);
    CHECK_EQ_U64(r->orig_ip_bytes, 40);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Gaps (spec 5.5)                                                     */
/* ------------------------------------------------------------------ */

static void test_gap_established(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    a(1.4, K, 1201, 5001, 100); /* 1101..1200 never captured */
    b(1.5, K, 5001, 1301, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShADaG");
    CHECK_EQ_U64(r->missed_bytes, 100);
    CHECK_EQ_U64(r->orig_bytes, 300);
    pb_free(&C);
}

static void test_gap_resp_lowercase(void)
{
    start();
    handshake(1);
    b(1.3, K, 5001, 1001, 100);
    b(1.4, K, 5201, 1001, 100);
    a(1.5, K, 1001, 5301, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAdg");
    CHECK_EQ_U64(r->missed_bytes, 100);
    pb_free(&C);
}

static void test_gap_not_when_partial(void)
{
    start();
    a(1, K, 100000, 2000, 100);
    b(1.1, K, 2000, 100100, 0);
    a(1.2, K, 100200, 2000, 100);
    b(1.3, K, 2000, 100300, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Da");
    CHECK_EQ_U64(r->missed_bytes, 0);
    CHECK_EQ_U64(r->orig_bytes, 300);
    pb_free(&C);
}

/* A gap acknowledged by a FIN-ACK is counted; by a RST-ACK it is not. */
static void test_gap_fin_ack_counts(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    a(1.4, K, 1201, 5001, 100);
    b(1.5, F | K, 5001, 1301, 0);
    GET_ONLY(r);
    CHECK_EQ_U64(r->missed_bytes, 100);
    pb_free(&C);
}

static void test_gap_rst_ack_not_counted(void)
{
    start();
    handshake(1);
    a(1.3, K, 1001, 5001, 100);
    a(1.4, K, 1201, 5001, 100);
    b(1.5, R | K, 5001, 1301, 0);
    GET_ONLY(r);
    CHECK_EQ_U64(r->missed_bytes, 0);
    CHECK(strchr(r->history, 'G') == NULL);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* Timers and removal (spec 2.2, 2.3, 2.7, 1.6)                        */
/* ------------------------------------------------------------------ */

/* Another connection's packet, to advance network time. */
static void tick(double t)
{
    pb_udp(&C, t, "192.168.9.9", 5000, "192.168.9.10", 5001, 0);
}

static void test_timeout_established_300(void)
{
    start();
    handshake(10);             /* last_time 10.2 */
    tick(310.1);
    CHECK_EQ_INT(C.n, 0);
    tick(310.2);               /* 10.2 + 300: equality expires */
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1) {
        CHECK_STR(C.recs[0].r.history, "ShA");
        CHECK_STR(C.recs[0].r.conn_state, "S1");
    }
    pb_free(&C);
}

/* Initial TCP inactivity timeout is 60 s (udp_inactivity_timeout); seen
 * with the attempt timer pushed out of the way. */
static void test_timeout_initial_60(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    cfg.tcp_attempt_delay = 1000;
    CHECK(pb_init(&C, &cfg) == 0);
    a(10, S, 1000, 0, 0);
    tick(69.9);
    CHECK_EQ_INT(C.n, 0);
    tick(70);
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1)
        CHECK_STR(C.recs[0].r.conn_state, "S0");
    pb_free(&C);
}

/* Connections with different inactivity timeouts side by side (each keeps
 * an index into the engine's few values): UDP and ICMP 60 s, TCP 300 s
 * once established, TCP to port 22 an hour (Conn::port_inactivity_timeouts). */
static void test_timeouts_side_by_side(void)
{
    start();
    handshake(10);
    pb_tcp(&C, 10, A, 40001, B, 22, S, 1000, 0, 0);
    pb_tcp(&C, 10.1, B, 22, A, 40001, S | K, 5000, 1001, 0);
    pb_tcp(&C, 10.2, A, 40001, B, 22, K, 1001, 5001, 0);
    pb_udp(&C, 10, A, 53000, B, 7000, 10);
    pb_icmp(&C, 10, A, B, 8, 0, 20);
    tick(69);
    CHECK(!pb_find(&C, 53000) && !pb_find(&C, 8));
    tick(71);
    CHECK(pb_find(&C, 53000) && pb_find(&C, 8));
    CHECK(!pb_find(&C, AP) && !pb_find(&C, 40001));
    tick(311);
    CHECK(pb_find(&C, AP) != NULL);
    CHECK(pb_find(&C, 40001) == NULL);
    tick(3611);
    CHECK(pb_find(&C, 40001) != NULL);
    pb_free(&C);
}

/* Once out of the handshake the timeout is 300 s: alive after 60 s. */
static void test_timeout_stays_300_after_leaving_handshake(void)
{
    start();
    handshake(10);
    tick(100); /* past 60 s: still alive */
    CHECK_EQ_INT(C.n, 0);
    pb_free(&C);
}

static void test_attempt_removes_s0_at_5s(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(4, S, 1000, 0, 0);       /* same connection */
    CHECK_EQ_INT(C.n, 0);
    a(6, S, 1000, 0, 0);       /* first SYN + 5 s: timer fires first */
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK_STR(C.recs[0].r.history, "S");
        CHECK_STR(C.recs[0].r.conn_state, "S0");
        CHECK_EQ_U64(C.recs[0].r.orig_pkts, 2);
        CHECK(near(C.recs[0].r.duration, 3.0));
        CHECK_STR(C.recs[1].r.conn_state, "S0");
        CHECK_EQ_U64(C.recs[1].r.orig_pkts, 1);
        CHECK(near(C.recs[1].r.ts, 6.0));
        CHECK(strcmp(C.recs[0].r.uid, C.recs[1].r.uid) != 0);
    }
    pb_free(&C);
}

static void full_close(double t)
{
    handshake(t);
    a(t + 0.3, K, 1001, 5001, 100);
    a(t + 0.4, F | K, 1101, 5001, 0);
    b(t + 0.5, F | K, 5001, 1102, 0);
}

static void test_conndelete_5s_after_close(void)
{
    start();
    full_close(1);              /* close completes at 1.5 */
    a(3, K, 1102, 5002, 0);     /* lingering packet joins, no duration */
    tick(6.4);
    CHECK_EQ_INT(C.n, 0);
    tick(6.5);
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1) {
        const cl_conn_record *r = &C.recs[0].r;
        CHECK_STR(r->conn_state, "SF");
        CHECK_STR(r->history, "ShADFf");
        CHECK(near(r->duration, 0.5));
        CHECK_EQ_U64(r->orig_pkts, 5);
    }
    /* a later ACK on the same key makes a new partial connection */
    a(7, K, 1102, 5002, 0);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 3); /* + the UDP connection of tick() */
    const cl_conn_record *r2 = NULL;
    for (size_t i = 1; i < C.n; i++)
        if (C.recs[i].r.orig_p == AP)
            r2 = &C.recs[i].r;
    CHECK(r2 != NULL);
    if (r2) {
        CHECK_STR(r2->history, "A");
        CHECK_STR(r2->conn_state, "OTH");
        CHECK(near(r2->ts, 7.0));
    }
    pb_free(&C);
}

static void test_reuse_after_close(void)
{
    start();
    full_close(1);
    a(2, S, 90000, 0, 0);       /* new SYN within the linger time */
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK_STR(C.recs[0].r.conn_state, "SF");
        CHECK_STR(C.recs[0].r.history, "ShADFf");
        CHECK_STR(C.recs[1].r.conn_state, "S0");
        CHECK_STR(C.recs[1].r.history, "S");
        CHECK(near(C.recs[1].r.ts, 2.0));
        CHECK(strcmp(C.recs[0].r.uid, C.recs[1].r.uid) != 0);
    }
    pb_free(&C);
}

static void test_reuse_new_isn_while_unanswered(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(2, S, 777777, 0, 0);
    CHECK_EQ_INT(C.n, 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK(near(C.recs[0].r.ts, 1.0));
        CHECK(near(C.recs[1].r.ts, 2.0));
    }
    pb_free(&C);
}

/* End of input: attempt-timer connections first (in attempt order), then
 * the rest by key bytes. */
static void test_flush_order(void)
{
    start();
    /* P: established, larger addresses, created first */
    pb_tcp(&C, 1, "10.0.0.5", 1111, "10.0.0.6", 2222, S, 1, 0, 0);
    pb_tcp(&C, 1.1, "10.0.0.6", 2222, "10.0.0.5", 1111, S | K, 9, 2, 0);
    /* Q: established, smaller addresses, created second */
    pb_tcp(&C, 2, "10.0.0.1", 3333, "10.0.0.2", 4444, S, 1, 0, 0);
    pb_tcp(&C, 2.1, "10.0.0.2", 4444, "10.0.0.1", 3333, S | K, 9, 2, 0);
    /* R2, R1: unanswered SYNs, R1 first in time but larger key */
    pb_tcp(&C, 3, "10.0.0.9", 5555, "10.0.0.10", 6666, S, 1, 0, 0);
    pb_tcp(&C, 3.5, "10.0.0.0", 7777, "10.0.0.3", 8888, S, 1, 0, 0);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 4);
    if (C.n == 4) {
        CHECK_EQ_INT(C.recs[0].r.orig_p, 5555);
        CHECK_EQ_INT(C.recs[1].r.orig_p, 7777);
        CHECK_EQ_INT(C.recs[2].r.orig_p, 3333);
        CHECK_EQ_INT(C.recs[3].r.orig_p, 1111);
    }
    pb_free(&C);
}

/* Simultaneous open (spec 13.4): two records. */
static void test_simultaneous_open_two_records(void)
{
    start();
    a(1, S, 1000, 0, 0);
    b(1.1, S, 5000, 0, 0);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    if (C.n == 2) {
        CHECK_STR(C.recs[0].r.history, "S");
        CHECK_STR(C.recs[0].r.conn_state, "S0");
        CHECK(pb_addr_eq(&C.recs[0].r.orig_h, A));
        CHECK(pb_addr_eq(&C.recs[1].r.orig_h, B));
    }
    pb_free(&C);
}

static void test_ipv6_tcp(void)
{
    start();
    pb_tcp(&C, 1, "2001:db8::1", AP, "2001:db8::2", BP, S, 1000, 0, 0);
    pb_tcp(&C, 1.1, "2001:db8::2", BP, "2001:db8::1", AP, S | K, 5000, 1001, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "Sh");
    CHECK_EQ_U64(r->orig_ip_bytes, 60);
    CHECK_EQ_U64(r->resp_ip_bytes, 60);
    CHECK(pb_addr_eq(&r->orig_h, "2001:db8::1"));
    CHECK_EQ_INT(r->local_orig, 1);
    pb_free(&C);
}

/* ------------------------------------------------------------------ */
/* More edge cases                                                     */
/* ------------------------------------------------------------------ */

/* Spec 3.2 j.2 / 11.1 #28: only SYN and FIN seen, > 2 GB apart. */
static void test_bytes_syn_fin_only_large(void)
{
    start();
    a(1, S, 1000, 0, 0);
    a(2, F, 1001u + 3000000000u, 0, 0);
    GET_ONLY(r);
    CHECK_STR(r->history, "SF");
    CHECK_EQ_U64(r->orig_bytes, 3000000000ull);
    pb_free(&C);
}

/* Spec 13.2: partial connection starting at seq 0, never acked: size 0. */
static void test_bytes_partial_seq0_unacked(void)
{
    start();
    a(1, K, 0, 5000, 0);
    a(2, K, 0, 5000, 0);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 0);
    pb_free(&C);
}

/* Spec 13.2: ... and acknowledged: the size comes out right. */
static void test_bytes_partial_seq0_acked(void)
{
    start();
    a(1, K, 0, 5000, 100);
    b(2, K, 5000, 100, 0);
    GET_ONLY(r);
    CHECK_EQ_U64(r->orig_bytes, 100);
    pb_free(&C);
}

static void test_hist_zero_window_syn(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = AP, .dst = B, .dport = BP, .flags = S,
                          .seq = 1000, .zero_win = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "SW");
    pb_free(&C);
}

static void test_hist_zero_window_logarithmic(void)
{
    start();
    handshake(1);
    for (int i = 0; i < 10; i++)
        pb_send(&C, (pb_opts){.t = 2 + i * 0.01, .src = A, .sport = AP, .dst = B,
                              .dport = BP, .flags = K, .seq = 1001, .ack = 5001,
                              .zero_win = true});
    GET_ONLY(r);
    CHECK_STR(r->history, "ShAWW");
    pb_free(&C);
}

/* Spec 13.6: a flow whose last packet is stamped before its first. */
static void test_duration_backwards_unset(void)
{
    start();
    a(10, S, 1000, 0, 0);
    b(9, S | K, 5000, 1001, 0);
    GET_ONLY(r);
    CHECK(!r->has_duration);
    CHECK(near(r->ts, 10));
    pb_free(&C);
}

/* Spec 3.4 / 11.1 #4: half-closed established: only the 300 s timeout. */
static const cl_conn_record *tcp_rec(void)
{
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.proto == CL_PROTO_TCP)
            return &C.recs[i].r;
    return NULL;
}

static void test_half_closed_300(void)
{
    start();
    handshake(1);
    a(1.3, F | K, 1001, 5001, 0);
    tick(100);
    CHECK(tcp_rec() == NULL);
    tick(301.2);
    CHECK(tcp_rec() == NULL);
    tick(301.3);
    const cl_conn_record *r = tcp_rec();
    CHECK(r != NULL);
    if (r)
        CHECK_STR(r->conn_state, "S2");
    pb_free(&C);
}

/* Spec 11.1 #23: a connection made only of a bad-checksum packet is
 * removed by the expire check (first at +5 s, not strictly idle > 5 s
 * yet; next at +11 s). */
static void test_bad_checksum_only_expire(void)
{
    start();
    pb_send(&C, (pb_opts){.t = 1, .src = A, .sport = AP, .dst = B, .dport = BP,
                          .flags = S, .seq = 1000, .bad_csum = true});
    tick(6);
    CHECK_EQ_INT(C.n, 0);
    tick(11.9);
    CHECK_EQ_INT(C.n, 0);
    tick(12);
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1) {
        CHECK_STR(C.recs[0].r.history, "C");
        CHECK_STR(C.recs[0].r.conn_state, "OTH");
    }
    pb_free(&C);
}

/* A RST closes completely: removed 5 s after the RST. */
static void test_rst_removed_after_5s(void)
{
    start();
    handshake(1);
    a(1.5, R, 1001, 0, 0);
    tick(6.4);
    CHECK_EQ_INT(C.n, 0);
    tick(6.5);
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1)
        CHECK_STR(C.recs[0].r.conn_state, "RSTO");
    pb_free(&C);
}

/* After a RST only the sender has closed: the peer's packets still
 * extend the duration (spec 5.7). */
static void test_rst_peer_extends_duration(void)
{
    start();
    handshake(1);
    a(1.5, R, 1001, 0, 0);
    b(2, K, 5001, 1001, 0);
    GET_ONLY(r);
    CHECK(near(r->duration, 1.0));
    pb_free(&C);
}

/* SYN-ACK-only flow: removed by the attempt timer 5 s later (OTH H). */
static void test_synack_only_attempt_timer(void)
{
    start();
    a(1, S | K, 5000, 1001, 0);
    tick(5.9);
    CHECK_EQ_INT(C.n, 0);
    tick(6);
    CHECK_EQ_INT(C.n, 1);
    if (C.n >= 1) {
        CHECK_STR(C.recs[0].r.history, "H");
        CHECK_STR(C.recs[0].r.conn_state, "OTH");
    }
    pb_free(&C);
}

/* An ICMP error quoting a TCP packet does not touch the TCP connection. */
static void test_icmp_error_separate(void)
{
    start();
    a(1, S, 1000, 0, 0);
    pb_icmp(&C, 1.5, B, A, 3, 3, 28);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 2);
    const cl_conn_record *t = NULL;
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.proto == CL_PROTO_TCP)
            t = &C.recs[i].r;
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(t->history, "S");
        CHECK_EQ_U64(t->orig_pkts, 1);
        CHECK_EQ_U64(t->resp_pkts, 0);
        CHECK(!t->has_duration);
    }
    pb_free(&C);
}

TEST_MAIN(test_state_sf, test_state_s0, test_state_rej, test_state_rsto, test_state_rstr,
          test_state_rstos0, test_state_rstrh, test_state_sh, test_state_shr, test_state_s1,
          test_state_s2, test_state_s3, test_state_oth_synack_only, test_state_oth_single_rst,
          test_state_oth_midstream, test_state_rstos0_lowercase_a, test_hist_s_h_share_bit,
          test_hist_repeated_fin, test_hist_fin_rst_is_I, test_hist_syn_fin_is_Q, test_hist_q_once_per_direction,
          test_reuse_syn_after_syn_fin,
          test_hist_syn_fin_rst_is_I, test_hist_no_D_for_flagged_packets,
          test_hist_syn_with_data, test_hist_flagless_empty_nothing, test_hist_retrans_log_1,
          test_hist_retrans_log_9, test_hist_retrans_log_10, test_hist_retrans_log_99,
          test_hist_retrans_log_100, test_hist_retrans_resp_lower, test_hist_out_of_order_is_T,
          test_hist_zero_window, test_hist_bad_checksum_first_packet,
          test_hist_bad_checksum_midstream, test_flip_synack_then_ack,
          test_flip_synack_then_data_from_server, test_flip_syn_synack_reversal,
          test_flip_creation_server_port, test_flip_not_for_plain_syn,
          test_flip_both_likely_lower_port, test_flip_both_likely_higher_port,
          test_flip_both_likely_synack_never, test_flip_synack_from_server_port,
          test_bytes_rst_payload_not_counted, test_hist_rst_payload_is_T,
          test_bytes_wraparound_isn, test_bytes_past_4gib, test_bytes_acked_data_counted,
          test_duration_zero_unset, test_duration_single_syn_unset, test_gap_established,
          test_gap_resp_lowercase, test_gap_not_when_partial, test_gap_fin_ack_counts,
          test_gap_rst_ack_not_counted, test_timeout_established_300, test_timeout_initial_60,
          test_timeouts_side_by_side,
          test_timeout_stays_300_after_leaving_handshake, test_attempt_removes_s0_at_5s,
          test_conndelete_5s_after_close, test_reuse_after_close,
          test_reuse_new_isn_while_unanswered, test_flush_order,
          test_simultaneous_open_two_records, test_ipv6_tcp,
          test_bytes_syn_fin_only_large, test_bytes_partial_seq0_unacked,
          test_bytes_partial_seq0_acked, test_hist_zero_window_syn,
          test_hist_zero_window_logarithmic, test_duration_backwards_unset, test_half_closed_300,
          test_bad_checksum_only_expire, test_rst_removed_after_5s,
          test_rst_peer_extends_duration, test_synack_only_attempt_timer,
          test_icmp_error_separate)
