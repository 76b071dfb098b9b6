/* test_config.c - cl_config defaults, port presets, settings, analyzers. */
#include "connlog.h"
#include "test.h"

static bool has(const cl_config *c, int proto, unsigned port)
{
    const uint8_t *set = proto == 6 ? c->likely_server_tcp : c->likely_server_udp;
    return (set[port >> 3] >> (port & 7)) & 1;
}

static size_t count(const cl_config *c, int proto)
{
    size_t n = 0;
    for (unsigned p = 0; p < 65536; p++)
        n += has(c, proto, p);
    return n;
}

/* Spec 1.4: the likely_server_ports of Zeek's default scripts. */
static const unsigned default_tcp[] = {
    21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502,
    514, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434,
    1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666,
    6667, 6668, 6669, 8000, 8080, 8888, 20000};
static const unsigned default_udp[] = {
    53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 1812, 2123, 2152, 3389,
    3544, 4011, 4754, 4789, 5060, 5072, 5353, 5355, 6081, 20000};
static const unsigned tunnel_udp[] = {2123, 2152, 3544, 4754, 4789, 5072, 6081};

static void test_defaults(void)
{
    cl_config c;
    cl_config_init(&c);
    CHECK(c.tcp_SYN_timeout == 5);
    CHECK(c.tcp_session_timer == 6);
    CHECK(c.tcp_connection_linger == 5);
    CHECK(c.tcp_attempt_delay == 5);
    CHECK(c.tcp_close_delay == 5);
    CHECK(c.tcp_inactivity_timeout == 300);
    CHECK(c.udp_inactivity_timeout == 60);
    CHECK(c.icmp_inactivity_timeout == 60);
    CHECK(c.unknown_ip_inactivity_timeout == 60);
    CHECK(c.frag_timeout == 300);
    CHECK_EQ_U64(c.max_timer_expires, 300);
    CHECK_EQ_U64(c.tcp_max_above_hole_without_any_acks, 16384);
    CHECK_EQ_U64(c.tcp_excessive_data_without_further_acks, 10485760);
    CHECK(!c.report_gaps_for_partial);
    CHECK(!c.ignore_checksums);
    CHECK(c.private_address_space_is_local);
    CHECK(!c.conn_key_vlan);
    CHECK_EQ_U64(c.tunnel_max_depth, 4);
    CHECK_EQ_U64(c.tunnel_max_changes, 5);
    CHECK(!c.has_seed);
    CHECK_EQ_U64(c.local_nets.n, 0);
    CHECK_STR(c.analyzers, "all");
}

static void test_default_ports(void)
{
    cl_config c;
    cl_config_init(&c);
    for (size_t i = 0; i < sizeof default_tcp / sizeof default_tcp[0]; i++)
        CHECK(has(&c, 6, default_tcp[i]));
    for (size_t i = 0; i < sizeof default_udp / sizeof default_udp[0]; i++)
        CHECK(has(&c, 17, default_udp[i]));
    CHECK_EQ_U64(count(&c, 6), sizeof default_tcp / sizeof default_tcp[0]);
    CHECK_EQ_U64(count(&c, 17), sizeof default_udp / sizeof default_udp[0]);
    CHECK(!has(&c, 17, 68));
    CHECK(!has(&c, 17, 853));
    CHECK(!has(&c, 17, 784));
}

static void test_presets(void)
{
    cl_config c;
    cl_config_init(&c);
    cl_config_set_ports(&c, CL_PORTS_TUNNELS);
    CHECK_EQ_U64(count(&c, 6), 0);
    CHECK_EQ_U64(count(&c, 17), 7);
    for (size_t i = 0; i < 7; i++)
        CHECK(has(&c, 17, tunnel_udp[i]));
    cl_config_set_ports(&c, CL_PORTS_NONE);
    CHECK_EQ_U64(count(&c, 6) + count(&c, 17), 0);
    cl_config_add_port(&c, 6, 524);
    cl_config_add_port(&c, 17, 65535);
    cl_config_add_port(&c, 1, 7); /* ignored */
    CHECK(has(&c, 6, 524));
    CHECK(has(&c, 17, 65535));
    CHECK_EQ_U64(count(&c, 6) + count(&c, 17), 2);
}

static void test_analyzers(void)
{
    cl_config c;
    cl_config_init(&c);
    CHECK_EQ_INT(cl_config_set_analyzers(&c, "HTTP, dns"), 0);
    CHECK_STR(c.analyzers, "http,dns");
    CHECK(has(&c, 6, 80));
    CHECK(has(&c, 6, 8080));
    CHECK(has(&c, 6, 53));
    CHECK(has(&c, 17, 5353));
    CHECK(has(&c, 17, 4789));
    CHECK(!has(&c, 6, 443));
    CHECK(!has(&c, 6, 22));
    CHECK_EQ_U64(count(&c, 6), 9);
    CHECK_EQ_U64(count(&c, 17), 7 + 4);

    CHECK_EQ_INT(cl_config_set_analyzers(&c, "dhcp,quic,nosuch"), 0);
    CHECK(has(&c, 17, 67));
    CHECK(!has(&c, 17, 68));
    CHECK(!has(&c, 17, 853));
    CHECK(has(&c, 17, 443));
    CHECK_STR(c.analyzers, "dhcp,quic,nosuch");

    CHECK_EQ_INT(cl_config_set_analyzers(&c, ""), -1);
    CHECK_STR(c.analyzers, "dhcp,quic,nosuch");
    CHECK_EQ_INT(cl_config_set_analyzers(&c, " , "), -1);

    CHECK_EQ_INT(cl_config_set_analyzers(&c, "none"), 0);
    CHECK_STR(c.analyzers, "");
    CHECK_EQ_U64(count(&c, 6), 0);
    CHECK_EQ_U64(count(&c, 17), 7);

    CHECK_EQ_INT(cl_config_set_analyzers(&c, "all"), 0);
    CHECK_STR(c.analyzers, "all");
    CHECK_EQ_U64(count(&c, 6), sizeof default_tcp / sizeof default_tcp[0]);

    CHECK_EQ_INT(cl_config_set_analyzers(&c, "ssl,dce-rpc"), 0);
    CHECK_STR(c.analyzers, "ssl,dce_rpc");
    CHECK(has(&c, 17, 443));
    CHECK(has(&c, 6, 993));
    CHECK(has(&c, 6, 135));
}

static void test_set(void)
{
    cl_config c;
    cl_config_init(&c);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_inactivity_timeout", "30"), 0);
    CHECK(c.tcp_inactivity_timeout == 30);
    CHECK_EQ_INT(cl_config_set(&c, "udp_inactivity_timeout", "30 secs"), 0);
    CHECK(c.udp_inactivity_timeout == 30);
    CHECK_EQ_INT(cl_config_set(&c, "icmp_inactivity_timeout", "5min"), 0);
    CHECK(c.icmp_inactivity_timeout == 300);
    CHECK_EQ_INT(cl_config_set(&c, "frag_timeout", "1.5 hrs"), 0);
    CHECK(c.frag_timeout == 5400);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_close_delay", "100msec"), 0);
    CHECK(c.tcp_close_delay > 0.0999 && c.tcp_close_delay < 0.1001);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_attempt_delay", "2 days"), 0);
    CHECK(c.tcp_attempt_delay == 172800);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_SYN_timeout", "1sec"), 0);
    CHECK(c.tcp_SYN_timeout == 1);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_session_timer", "7 fortnights"), -1);
    CHECK(c.tcp_session_timer == 6);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_session_timer", ""), -1);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_session_timer", "-3"), -1);

    CHECK_EQ_INT(cl_config_set(&c, "report_gaps_for_partial", "T"), 0);
    CHECK(c.report_gaps_for_partial);
    CHECK_EQ_INT(cl_config_set(&c, "report_gaps_for_partial", "F"), 0);
    CHECK(!c.report_gaps_for_partial);
    CHECK_EQ_INT(cl_config_set(&c, "ignore_checksums", "true"), 0);
    CHECK(c.ignore_checksums);
    CHECK_EQ_INT(cl_config_set(&c, "ignore_checksums", "maybe"), -1);

    CHECK_EQ_INT(cl_config_set(&c, "tcp_excessive_data_without_further_acks", "0"), 0);
    CHECK_EQ_U64(c.tcp_excessive_data_without_further_acks, 0);
    CHECK_EQ_INT(cl_config_set(&c, "tcp_max_above_hole_without_any_acks", "12x"), -1);
    CHECK_EQ_U64(c.tcp_max_above_hole_without_any_acks, 16384);
    CHECK_EQ_INT(cl_config_set(&c, "max_timer_expires", "0"), 0);
    CHECK_EQ_U64(c.max_timer_expires, 0);
    CHECK_EQ_INT(cl_config_set(&c, "Tunnel::max_depth", "2"), 0);
    CHECK_EQ_U64(c.tunnel_max_depth, 2);
    CHECK_EQ_INT(cl_config_set(&c, "Tunnel::max_changes_per_connection", "9"), 0);
    CHECK_EQ_U64(c.tunnel_max_changes, 9);
    CHECK_EQ_INT(cl_config_set(&c, "Tunnel::max_depth", "-1"), -1);

    CHECK_EQ_INT(cl_config_set(&c, "no_such_thing", "1"), -1);
    CHECK_EQ_INT(cl_config_set(&c, "TCP_INACTIVITY_TIMEOUT", "1"), -1);
}

TEST_MAIN(test_defaults, test_default_ports, test_presets, test_analyzers, test_set)
