/* test_netlist.c - CIDR parsing, lists, Site::private_address_space. */
#include "site/netlist.h"
#include "test.h"

static cl_addr addr(const char *s)
{
    cl_addr a;
    memset(&a, 0xee, sizeof a);
    CHECK_EQ_INT(cl_addr_parse(s, &a), 0);
    return a;
}

static void test_addr_is_v4(void)
{
    cl_addr a = addr("10.1.2.3");
    CHECK(cl_addr_is_v4(&a));
    CHECK_EQ_INT(a.b[10], 0xff);
    CHECK_EQ_INT(a.b[12], 10);
    CHECK_EQ_INT(a.b[15], 3);
    a = addr("::ffff:1.2.3.4");
    CHECK(cl_addr_is_v4(&a));
    a = addr("2001:db8::1");
    CHECK(!cl_addr_is_v4(&a));
    a = addr("::1.2.3.4");
    CHECK(!cl_addr_is_v4(&a));
    a = addr("::");
    CHECK(!cl_addr_is_v4(&a));
}

static void test_cidr_parse(void)
{
    cl_cidr c;
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0/8", &c), 0);
    CHECK_EQ_INT(c.bits, 104);
    CHECK_EQ_INT(c.addr.b[12], 10);
    CHECK_EQ_INT(cl_cidr_parse("10.9.8.7/8", &c), 0); /* masked */
    CHECK_EQ_INT(c.addr.b[13], 0);
    CHECK_EQ_INT(c.addr.b[15], 0);
    CHECK_EQ_INT(cl_cidr_parse("172.31.255.255/12", &c), 0);
    CHECK_EQ_INT(c.addr.b[13], 0x10);
    CHECK_EQ_INT(cl_cidr_parse("1.2.3.4", &c), 0);
    CHECK_EQ_INT(c.bits, 128);
    CHECK_EQ_INT(c.addr.b[15], 4);
    CHECK_EQ_INT(cl_cidr_parse("2001:db8:ffff::1/32", &c), 0);
    CHECK_EQ_INT(c.bits, 32);
    CHECK_EQ_INT(c.addr.b[4], 0);
    CHECK_EQ_INT(c.addr.b[3], 0xb8);
    CHECK_EQ_INT(cl_cidr_parse("fe80::1", &c), 0);
    CHECK_EQ_INT(c.bits, 128);
    CHECK_EQ_INT(cl_cidr_parse("0.0.0.0/0", &c), 0);
    CHECK_EQ_INT(c.bits, 96);
    CHECK_EQ_INT(cl_cidr_parse("::/0", &c), 0);
    CHECK_EQ_INT(c.bits, 0);
    CHECK_EQ_INT(cl_cidr_parse("2002:c000:200::/40", &c), 0);
    CHECK_EQ_INT(c.addr.b[4], 0x02);
    CHECK_EQ_INT(c.addr.b[5], 0);
}

static void test_cidr_parse_errors(void)
{
    cl_cidr c;
    CHECK_EQ_INT(cl_cidr_parse("", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("/8", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0/", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0/33", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0/-1", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0/8x", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0/8", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("256.0.0.0/8", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("::1/129", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("1:2:3:4:5:6:7:8:9", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("host.example", &c), -1);
    CHECK_EQ_INT(cl_cidr_parse("10.0.0.0 /8", &c), -1);
}

static void test_netlist_add_contains(void)
{
    cl_netlist l;
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(cl_netlist_add(&l, "10.0.0.0/8, 192.168.1.0/24,2001:db8::/32"), 0);
    CHECK_EQ_U64(l.n, 3);
    cl_addr a = addr("10.255.0.1");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("11.0.0.1");
    CHECK(!cl_netlist_contains(&l, &a));
    a = addr("192.168.1.77");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("192.168.2.1");
    CHECK(!cl_netlist_contains(&l, &a));
    a = addr("2001:db8:1::5");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("2001:db9::5");
    CHECK(!cl_netlist_contains(&l, &a));
    /* An IPv4 prefix never matches an IPv6 address with the same bits. */
    a = addr("::10.1.1.1");
    CHECK(!cl_netlist_contains(&l, &a));
}

static void test_netlist_add_errors(void)
{
    cl_netlist l;
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(cl_netlist_add(&l, "1.0.0.0/8,bogus,2.0.0.0/8"), -1);
    CHECK_EQ_U64(l.n, 1);
    CHECK_EQ_INT(cl_netlist_add(&l, ""), 0);
    CHECK_EQ_U64(l.n, 1);
    memset(&l, 0, sizeof l);
    for (int i = 0; i < CL_MAX_NETS; i++)
        CHECK_EQ_INT(cl_netlist_add(&l, "1.2.3.4"), 0);
    CHECK_EQ_INT(cl_netlist_add(&l, "1.2.3.5"), -1);
    CHECK_EQ_U64(l.n, CL_MAX_NETS);
}

static void test_host_and_edge_prefixes(void)
{
    cl_netlist l;
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(cl_netlist_add(&l, "1.2.3.4,::/0"), 0);
    cl_addr a = addr("1.2.3.4");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("ffff::1");
    CHECK(cl_netlist_contains(&l, &a)); /* ::/0 contains everything */
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(cl_netlist_add(&l, "0.0.0.0/0"), 0);
    a = addr("8.8.8.8");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("2001::1");
    CHECK(!cl_netlist_contains(&l, &a));
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(cl_netlist_add(&l, "2001:db8::/65"), 0);
    a = addr("2001:db8::7fff:ffff:ffff:ffff");
    CHECK(cl_netlist_contains(&l, &a));
    a = addr("2001:db8::8000:0:0:0");
    CHECK(!cl_netlist_contains(&l, &a));
}

static void test_private_space(void)
{
    static const char *const inside[] = {
        "0.1.2.3", "10.0.88.85", "100.64.0.1", "100.127.255.255", "127.0.0.1",
        "169.254.1.1", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1",
        "192.168.0.27", "198.18.0.1", "198.19.255.255", "198.51.100.3",
        "203.0.113.9", "224.0.0.251", "239.255.255.250", "240.0.0.1",
        "255.255.255.255", "2002:a00::1", "2002:c0a8:101::1", "2002:7f00:1::",
        "2002:6440::1", "2002:ffff:ffff::1", "::", "::1", "64:ff9b:1::1",
        "100::1", "2001::1", "2001:1ff::1", "2001:2::1", "2001:db8::1",
        "fc00::1", "fdff::1", "fe80::1", "febf::1", "fec0::1", "feff::1"};
    static const char *const outside[] = {
        "141.142.228.5", "192.150.187.43", "8.8.8.8", "1.1.1.1", "11.0.0.1",
        "100.128.0.1", "172.32.0.1", "192.0.1.1", "198.20.0.1", "224.0.1.1",
        "225.0.0.1", "238.255.255.255", "223.255.255.255", "2002:808:808::1",
        "2001:200::1", "2001:4860::8888", "::2", "ff02::1", "2600::1",
        "64:ff9b::1", "100::1:0:0:0:1"};
    cl_netlist l;
    memset(&l, 0, sizeof l);
    cl_netlist_add_private(&l);
    CHECK_EQ_U64(l.n, 42);
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        cl_addr a = addr(inside[i]);
        if (!cl_netlist_contains(&l, &a))
            fprintf(stderr, "  not inside: %s\n", inside[i]);
        CHECK(cl_netlist_contains(&l, &a));
    }
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        cl_addr a = addr(outside[i]);
        if (cl_netlist_contains(&l, &a))
            fprintf(stderr, "  not outside: %s\n", outside[i]);
        CHECK(!cl_netlist_contains(&l, &a));
    }
}

static void test_private_space_when_nearly_full(void)
{
    cl_netlist l;
    memset(&l, 0, sizeof l);
    for (int i = 0; i < CL_MAX_NETS - 2; i++)
        CHECK_EQ_INT(cl_netlist_add(&l, "1.2.3.4"), 0);
    cl_netlist_add_private(&l);
    CHECK_EQ_U64(l.n, CL_MAX_NETS);
}

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng;
}

/* An address near one of the list's prefixes (so that matches are
 * common), or anywhere. */
static cl_addr near_addr(const cl_netlist *l)
{
    cl_addr a;
    uint32_t r = rnd();
    if (l->n && r % 4 != 0) {
        a = l->nets[r % l->n].addr;
        for (int k = 0; k < 3; k++) {
            uint32_t bit = rnd() % 128;
            a.b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        }
        if (rnd() % 2) /* mostly the low bits, inside the prefix's range */
            a.b[15] = (uint8_t)rnd();
    } else {
        for (int i = 0; i < 16; i++)
            a.b[i] = (uint8_t)rnd();
        if (r % 8 < 6) { /* IPv4-mapped */
            memset(a.b, 0, 10);
            a.b[10] = a.b[11] = 0xff;
        }
    }
    return a;
}

/* The compiled list answers as the list does: private space with odd
 * extra prefixes (IPv6 ones covering IPv4-mapped space, host routes, a
 * zero-length IPv4 prefix), on addresses near each prefix and at random. */
static void test_netmatch_agrees(void)
{
    static const char *const extra[] = {
        "", "::/0", "::/80", "::ffff:0:0/96", "0.0.0.0/0", "::ffff:0:0/95",
        "10.1.2.3", "2001:db8::1/128", "::/96", "8.8.8.0/24,2a00::/12", "64:ff9b::/96",
    };
    for (size_t x = 0; x < sizeof extra / sizeof extra[0]; x++) {
        static cl_netlist l;
        static cl_netmatch m;
        memset(&l, 0, sizeof l);
        cl_netlist_add_private(&l);
        if (extra[x][0])
            CHECK_EQ_INT(cl_netlist_add(&l, extra[x]), 0);
        cl_netmatch_build(&m, &l);
        unsigned yes = 0;
        for (int k = 0; k < 20000; k++) {
            cl_addr a = near_addr(&l);
            bool want = cl_netlist_contains(&l, &a);
            CHECK(cl_netmatch_contains(&m, &a) == want);
            yes += want;
        }
        if (x == 0) /* both answers are tried */
            CHECK(yes > 1000 && yes < 19000);
    }
    static cl_netlist empty;
    static cl_netmatch me;
    cl_netmatch_build(&me, &empty);
    cl_addr a = addr("10.0.0.1");
    CHECK(!cl_netmatch_contains(&me, &a));
}

TEST_MAIN(test_addr_is_v4, test_cidr_parse, test_cidr_parse_errors,
          test_netlist_add_contains, test_netlist_add_errors,
          test_host_and_edge_prefixes, test_private_space,
          test_private_space_when_nearly_full, test_netmatch_agrees)
