/*
 * test_detect_udp.c - the UDP application analyzers (src/detect/): DNS
 * NTP and DHCP confirm their service, flip a connection whose first message
 * came from the server (spec 1.5 #4), and DNS marks X past
 * dns_max_queries.
 */
#include "engine_test.h"

#define A "10.0.0.1"
#define B "10.0.0.2"

static void udp_payload(double t, const char *src, uint16_t sport, const char *dst,
                        uint16_t dport, const uint8_t *p, uint32_t len)
{
    pb_send(&C, (pb_opts){.t = t, .src = src, .dst = dst, .sport = sport, .dport = dport,
                          .proto = 17, .len = len, .payload = p});
}

/* A query for example.com A, and its answer (one A record). */
static const uint8_t dns_query[] = {
    0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
static const uint8_t dns_answer[] = {
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
    0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34};

static void test_dns_confirms(void)
{
    start();
    udp_payload(1, A, 40000, B, 53, dns_query, sizeof dns_query);
    udp_payload(1.01, B, 53, A, 40000, dns_answer, sizeof dns_answer);
    GET_ONLY(r);
    CHECK_STR(r->service, "dns");
    CHECK_STR(r->history, "Dd");
    CHECK(pb_addr_eq(&r->orig_h, A));
    pb_free(&C);
}

/* Both ports 53 (no creation flip): the answer seen first flips. */
static void test_dns_response_first_flips(void)
{
    start();
    udp_payload(1, A, 53, B, 53, dns_answer, sizeof dns_answer);
    udp_payload(1.5, B, 53, A, 53, dns_query, sizeof dns_query);
    GET_ONLY(r);
    CHECK(pb_addr_eq(&r->orig_h, B));
    CHECK_STR(r->history, "D^");
    CHECK_STR(r->service, "dns");
    /* The flipping packet is counted after the flip with its old
     * direction, so both packets land in orig (spec 1.5). */
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK_EQ_U64(r->resp_pkts, 0);
    pb_free(&C);
}

/* No flip when the responder is multicast (mDNS announcements). */
static void test_dns_multicast_no_flip(void)
{
    start();
    udp_payload(1, A, 5353, "224.0.0.251", 5353, dns_answer, sizeof dns_answer);
    GET_ONLY(r);
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_STR(r->history, "D");
    pb_free(&C);
}

/* More questions than dns_max_queries: violation and X, no service. */
static void test_dns_too_many_questions(void)
{
    uint8_t q[sizeof dns_query];
    memcpy(q, dns_query, sizeof q);
    q[5] = 30; /* qdcount 30 > 25 */
    start();
    udp_payload(1, A, 40000, B, 53, q, sizeof q);
    udp_payload(1.1, A, 40000, B, 53, dns_query, sizeof dns_query); /* analyzer is gone */
    GET_ONLY(r);
    CHECK_STR(r->history, "DX");
    CHECK_STR(r->service, NULL);
    pb_free(&C);
}

static void test_dns_garbage_no_service(void)
{
    static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
    start();
    udp_payload(1, A, 40000, B, 53, junk, sizeof junk - 1);
    GET_ONLY(r);
    CHECK_STR(r->service, NULL);
    pb_free(&C);
}

/* NTP server message first (the misordered-ntp baseline): one flip. */
static void test_ntp_server_first_flips(void)
{
    uint8_t server[48] = {0x24}, client[48] = {0x23}; /* v4, modes 4 and 3 */
    start();
    udp_payload(1, A, 123, B, 123, server, sizeof server);
    udp_payload(1.959285, B, 123, A, 123, client, sizeof client);
    GET_ONLY(r);
    CHECK(pb_addr_eq(&r->orig_h, B));
    CHECK_STR(r->service, "ntp");
    CHECK_STR(r->history, "D^");
    CHECK_STR(r->conn_state, "S0");
    CHECK_EQ_U64(r->orig_bytes, 96);
    CHECK_EQ_U64(r->resp_bytes, 0);
    CHECK_EQ_U64(r->orig_pkts, 2);
    CHECK_EQ_U64(r->resp_pkts, 0);
    pb_free(&C);
}

static void test_ntp_short_is_violation(void)
{
    uint8_t shortmsg[20] = {0x23};
    start();
    udp_payload(1, A, 40000, B, 123, shortmsg, sizeof shortmsg);
    GET_ONLY(r);
    CHECK_STR(r->service, NULL);
    CHECK_STR(r->history, "D");
    pb_free(&C);
}

/* Bare mode without the analyzers: nothing confirmed, nothing flipped. */
static void test_not_loaded(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_set_analyzers(&cfg, "http") == 0);
    cl_config_add_port(&cfg, 17, 53);
    CHECK(pb_init(&C, &cfg) == 0);
    udp_payload(1, A, 53, B, 53, dns_answer, sizeof dns_answer);
    GET_ONLY(r);
    CHECK(pb_addr_eq(&r->orig_h, A));
    CHECK_STR(r->service, NULL);
    pb_free(&C);
}

/* DHCP (67, 68, 4011/udp): a BOOTP message with the magic cookie and
 * well-formed options up to the end option confirms; otherwise nothing. */
static uint32_t dhcp_msg(uint8_t *m, uint32_t cookie, bool end_option)
{
    memset(m, 0, 300);
    m[0] = 1; /* BOOTREQUEST */
    m[1] = 1;
    m[2] = 6;
    m[236] = (uint8_t)(cookie >> 24);
    m[237] = (uint8_t)(cookie >> 16);
    m[238] = (uint8_t)(cookie >> 8);
    m[239] = (uint8_t)cookie;
    uint32_t n = 240;
    m[n++] = 53; /* message type: DISCOVER */
    m[n++] = 1;
    m[n++] = 1;
    m[n++] = 0; /* a pad */
    if (end_option)
        m[n++] = 255;
    else {
        m[n++] = 12; /* a host name that runs past the message */
        m[n++] = 40;
        m[n++] = 'x';
    }
    return n;
}

/* The service of a one-datagram DHCP "connection" (NULL when unset). */
static const char *dhcp_service(const uint8_t *m, uint32_t n)
{
    static char svc[16];
    start();
    udp_payload(1, A, 68, B, 67, m, n);
    const cl_conn_record *r = only();
    snprintf(svc, sizeof svc, "%s", !r ? "(no record)" : r->service ? r->service : "(unset)");
    pb_free(&C);
    return svc;
}

static void test_dhcp(void)
{
    uint8_t m[300];
    uint32_t n = dhcp_msg(m, 0x63825363u, true);
    start();
    udp_payload(1, "0.0.0.0", 68, "255.255.255.255", 67, m, n);
    GET_ONLY(r);
    CHECK_STR(r->service, "dhcp");
    pb_free(&C);

    n = dhcp_msg(m, 0x63825364u, true);
    CHECK_STR(dhcp_service(m, n), "(unset)"); /* another cookie */
    n = dhcp_msg(m, 0x63825363u, false);
    CHECK_STR(dhcp_service(m, n), "(unset)"); /* an option runs past the end */
    CHECK_STR(dhcp_service(m, 200), "(unset)"); /* shorter than the BOOTP header */
}

TEST_MAIN(test_dns_confirms, test_dns_response_first_flips, test_dns_multicast_no_flip,
          test_dns_too_many_questions, test_dns_garbage_no_service, test_ntp_server_first_flips,
          test_ntp_short_is_violation, test_not_loaded, test_dhcp)
